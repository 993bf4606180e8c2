import { h, s } from './dom.js';
import { clock, ms, percent } from './format.js';

const W = 760;
const H = 260;
const PAD = { left: 64, right: 56, top: 18, bottom: 40 };

/**
 * Latency (p50 and p95 lines, left axis) and error rate (bars, right axis) of the issue's
 * endpoint per time bucket, with the issue's first..last seen shaded. Hand-drawn SVG; a table
 * with the same numbers follows for screen readers and exact values.
 */
export function seriesChart(series, issue) {
  const buckets = series.buckets;
  const n = buckets.length;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const maxLatency = niceMax(Math.max(1, ...buckets.map((b) => b.p95Ms || 0)));
  const x = (t) => PAD.left + ((t - series.fromEpochMillis) / (series.toEpochMillis - series.fromEpochMillis)) * plotW;
  const yLatency = (v) => PAD.top + plotH - (v / maxLatency) * plotH;
  const yRate = (r) => PAD.top + plotH - r * plotH;
  const bucketW = plotW / n;

  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', id: 'series-chart',
    'aria-label': `Latency and error rate of ${series.endpoint} on ${series.service} around the issue`,
  });
  // The issue's span of time.
  const x0 = x(issue.firstSeenEpochMillis);
  const x1 = Math.max(x(issue.lastSeenEpochMillis), x0 + 2);
  svg.append(s('rect', { x: x0, y: PAD.top, width: x1 - x0, height: plotH, class: 'issue-span' }));
  // Grid and axes.
  for (let i = 0; i <= 4; i++) {
    const y = PAD.top + (plotH * i) / 4;
    svg.append(s('line', { x1: PAD.left, x2: W - PAD.right, y1: y, y2: y, class: 'grid' }));
    svg.append(s('text', { x: PAD.left - 6, y: y + 4, class: 'axis left' }, ms(maxLatency * (1 - i / 4))));
    svg.append(s('text', { x: W - PAD.right + 6, y: y + 4, class: 'axis right' }, percent(1 - i / 4)));
  }
  const ticks = Math.min(6, n);
  for (let i = 0; i <= ticks; i++) {
    const t = series.fromEpochMillis + ((series.toEpochMillis - series.fromEpochMillis) * i) / ticks;
    svg.append(s('text', { x: x(t), y: H - PAD.bottom + 16, class: 'axis bottom' }, clock(t)));
  }
  // Error rate bars.
  buckets.forEach((b, i) => {
    if (b.errorRate === null || b.errorRate === undefined || b.errorRate <= 0) return;
    const y = yRate(b.errorRate);
    svg.append(s('rect', { x: PAD.left + i * bucketW + 1, y, width: Math.max(1, bucketW - 2), height: PAD.top + plotH - y, class: 'err-bar' },
      s('title', {}, `${clock(b.startEpochMillis)}: ${percent(b.errorRate)} errors of ${b.traces} traces`)));
  });
  // Latency lines: gaps where a bucket has no trace.
  for (const [key, cls] of [['p95Ms', 'line-p95'], ['p50Ms', 'line-p50']]) {
    let d = '';
    let pen = false;
    buckets.forEach((b, i) => {
      const v = b[key];
      if (v === null || v === undefined) { pen = false; return; }
      const px = PAD.left + (i + 0.5) * bucketW;
      d += `${pen ? 'L' : 'M'}${px.toFixed(1)},${yLatency(v).toFixed(1)} `;
      pen = true;
      svg.append(s('circle', { cx: px, cy: yLatency(v), r: 2.5, class: cls }, s('title', {}, `${clock(b.startEpochMillis)}: ${key.replace('Ms', '')} ${ms(v)}`)));
    });
    if (d) svg.append(s('path', { d, class: cls }));
  }
  svg.append(s('text', { x: PAD.left, y: H - 6, class: 'axis' }, 'latency (left): p95 ─ p50 ┄   error rate (right): bars   shaded: first to last seen'));

  const table = h('table', { class: 'series-table' },
    h('thead', {}, h('tr', {}, ['From', 'Traces', 'Errors', 'Error rate', 'p50', 'p95', 'max'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, buckets.filter((b) => b.traces > 0).map((b) => h('tr', {},
      h('td', {}, clock(b.startEpochMillis)), h('td', { class: 'num' }, b.traces), h('td', { class: 'num' }, b.errors),
      h('td', { class: 'num' }, percent(b.errorRate)), h('td', { class: 'num' }, ms(b.p50Ms)),
      h('td', { class: 'num' }, ms(b.p95Ms)), h('td', { class: 'num' }, ms(b.maxMs))))));
  return h('figure', { class: 'chart-box' },
    svg,
    h('figcaption', { class: 'muted' },
      `${series.endpoint} on ${series.service}, ${Math.round(series.bucketMillis / 1000)} s buckets — from ${series.source}` +
      (series.truncated ? ' (older buckets may be partial: only the newest 1000 traces were read)' : '') + '.'),
    h('details', {}, h('summary', {}, 'The numbers'), table));
}

function niceMax(v) {
  const exp = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (v <= m * exp) return m * exp;
  return 10 * exp;
}
