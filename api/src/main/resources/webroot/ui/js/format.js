// How values read on the page. Times are shown in the browser's zone; the exact ISO form is in
// each time element's datetime attribute and title.

export function time(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : d.toLocaleString();
}

export function clock(epochMillis) {
  const d = new Date(epochMillis);
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function percent(p) {
  if (p === null || p === undefined || !Number.isFinite(p)) return '—';
  return (p * 100).toFixed(p >= 0.1 || p === 0 ? 0 : 1) + '%';
}

export function ms(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (value === 0) return '0';
  if (value >= 1000) return (value / 1000).toFixed(2) + ' s';
  if (value >= 10) return value.toFixed(0) + ' ms';
  return value.toFixed(2) + ' ms';
}

export function count(n) {
  return n === null || n === undefined ? '—' : Number(n).toLocaleString();
}

export function bytes(n) {
  if (n === null || n === undefined) return '—';
  if (n < 1024) return n + ' B';
  return (n / 1024).toFixed(1) + ' KiB';
}

/** "3 min ago" for recent times; the full time otherwise. */
export function ago(epochMillis, now = Date.now()) {
  const seconds = Math.round((now - epochMillis) / 1000);
  if (seconds < 0) return time(new Date(epochMillis).toISOString());
  if (seconds < 60) return seconds + ' s ago';
  if (seconds < 3600) return Math.round(seconds / 60) + ' min ago';
  if (seconds < 86400) return Math.round(seconds / 3600) + ' h ago';
  return time(new Date(epochMillis).toISOString());
}
