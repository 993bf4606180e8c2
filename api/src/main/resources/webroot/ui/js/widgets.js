import { h } from './dom.js';
import { percent } from './format.js';

/** An error as a person reads it: a 403 names the role needed. */
export function errorBox(err, what) {
  let message;
  if (err && err.status === 403) {
    message = `Not allowed: this needs role ${err.neededRole || 'with more rights'}` +
      (err.detail ? ` (${err.detail})` : '') + '.';
  } else if (err && err.status === 0) {
    message = `The API did not answer: ${err.detail}`;
  } else if (err && err.error) {
    message = `${err.error}${err.detail ? ': ' + err.detail : ''}`;
  } else {
    message = String(err);
  }
  return h('div', { class: 'error', role: 'alert' }, what ? `${what} — ` : '', message);
}

/** A probability as a labelled bar (the number is also text, for screen readers and tests). */
export function probabilityBar(p, label) {
  const value = Number.isFinite(p) ? Math.max(0, Math.min(1, p)) : 0;
  return h('span', { class: 'prob' },
    h('span', {
      class: 'prob-track', role: 'meter', 'aria-valuemin': 0, 'aria-valuemax': 100,
      'aria-valuenow': Math.round(value * 100), 'aria-label': label || 'probability',
    }, h('span', { class: 'prob-fill', style: { width: (value * 100).toFixed(1) + '%' } })),
    h('span', { class: 'prob-text' }, percent(p)));
}

export function badge(text, kind) {
  return h('span', { class: `badge ${kind || ''}` }, text);
}

export function statusBadge(status) {
  return badge(status, `status-${status}`);
}

export function httpStatus(code) {
  const kind = !code ? 'status-none' : code >= 500 ? 'status-5xx' : code >= 400 ? 'status-4xx' : 'status-ok';
  return badge(code ? String(code) : 'no status', kind);
}

export function timeEl(iso, text) {
  return h('time', { datetime: iso || '', title: iso || '' }, text);
}

export function loading(what) {
  return h('p', { class: 'muted', role: 'status' }, `Loading ${what}…`);
}

/** A definition list from [label, value] pairs. */
export function facts(pairs) {
  return h('dl', { class: 'facts' }, pairs.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

/** A small deterministic colour per service, so a service looks the same on every page. */
export function serviceHue(name) {
  let hash = 0;
  for (const c of String(name)) hash = (hash * 31 + c.codePointAt(0)) >>> 0;
  return hash % 360;
}
