import { h, fill } from '../dom.js';
import { api } from '../api.js';
import { ms, time, bytes, count } from '../format.js';
import { httpStatus, loading, facts, timeEl, serviceHue, badge } from '../widgets.js';

/** A retained trace as a waterfall: one row per span, nested by parent, bars on a shared time axis. */
export async function tracePage(main, [traceId], page) {
  document.title = 'Trace · Rootline';
  fill(main, loading('the trace'));
  const data = await api('/api/v1/traces/' + encodeURIComponent(traceId));
  if (!page.stillHere()) return;
  const t = data.trace;
  const rows = [];
  const walk = (spans, depth) => spans.forEach((span) => { rows.push([span, depth]); walk(span.children || [], depth + 1); });
  walk(data.spans, 0);
  const start = Math.min(...rows.map(([sp]) => sp.startEpochNanos));
  const end = Math.max(...rows.map(([sp]) => sp.endEpochNanos));
  const total = Math.max(1, end - start);
  const hosts = [...new Set(rows.map(([sp]) => sp.host).filter(Boolean))];

  document.title = `${t.rootMethod} ${t.rootPath} · Rootline`;
  fill(main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/issues' }, '← Issues'), ' · ', h('button', { type: 'button', class: 'link', onclick: () => history.back() }, 'Back')),
    h('div', { class: 'page-head' }, h('h1', {}, 'Trace ', h('span', { class: 'mono' }, t.traceId))),
    facts([
      ['Request', h('span', { class: 'mono' }, `${t.rootMethod || '?'} ${t.rootPath || ''}`)],
      ['Root service', h('span', { class: 'mono' }, t.rootService)],
      ['Status', httpStatus(t.rootStatus)],
      ['Started', timeEl(t.start, time(t.start))],
      ['Duration', ms(t.durationMs)],
      ['Spans', `${count(t.spanCount)} across ${t.services.length} services on ${hosts.length || 1} host(s)`],
      ['Anomaly score', Number(t.anomalyScore).toFixed(3)],
      ['Why kept', t.reasons.length ? t.reasons.join('; ') : '—'],
    ]),
    h('section', { class: 'card', 'aria-labelledby': 'wf-h' },
      h('h2', { id: 'wf-h' }, 'Waterfall'),
      h('p', { class: 'muted' }, 'Each bar is a span on the trace\'s time axis; select a row for its addresses and payload excerpts (masked on the host).'),
      h('div', { class: 'waterfall', id: 'waterfall', role: 'table', 'aria-label': 'spans of the trace' },
        h('div', { class: 'wf-row wf-head', role: 'row' },
          h('span', { role: 'columnheader' }, 'Span'), h('span', { role: 'columnheader' }, 'Host'),
          h('span', { role: 'columnheader' }, 'Status'), h('span', { role: 'columnheader', class: 'wf-axis' }, axis(total))),
        rows.map(([span, depth]) => spanRow(span, depth, start, total)))));
}

function axis(totalNanos) {
  return [0, 0.25, 0.5, 0.75, 1].map((f) => h('span', { class: 'tick', style: { left: `${f * 100}%` } }, ms((totalNanos * f) / 1e6)));
}

function spanRow(span, depth, start, total) {
  const left = ((span.startEpochNanos - start) / total) * 100;
  const width = Math.max(0.3, (span.durationNanos / total) * 100);
  const failed = span.error || span.status >= 500 || !span.status;
  const details = h('div', { class: 'wf-details', hidden: true, role: 'cell' },
    facts([
      ['Kind', span.kind || '—'],
      ['Service', h('span', { class: 'mono' }, span.service)],
      ['Host / pid', `${span.host || '—'} / ${span.pid}`],
      ['Local → peer', h('span', { class: 'mono' }, `${span.localAddress || '?'} → ${span.peerAddress || '?'}`)],
      ['Offset / duration', `${ms(span.offsetMs)} / ${ms(span.durationMs)}`],
      ['Bytes in request / response', `${bytes(span.requestBytes)} / ${bytes(span.responseBytes)}`],
      ['Error', span.error || '—'],
    ]),
    h('h4', {}, 'Request excerpt'), h('pre', { class: 'excerpt' }, span.requestExcerpt || '(none captured)'),
    h('h4', {}, 'Response excerpt'), h('pre', { class: 'excerpt' }, span.responseExcerpt || '(none captured)'));
  const label = h('button', {
    type: 'button', class: 'wf-label', 'aria-expanded': 'false', style: { paddingLeft: `${0.4 + depth * 1.1}rem` },
    onclick: () => {
      details.hidden = !details.hidden;
      label.setAttribute('aria-expanded', String(!details.hidden));
    },
  },
  badge(span.kind === 'CLIENT' ? 'client' : 'server', 'kind-span'), ' ',
  h('span', { class: 'svc', style: { borderColor: `hsl(${serviceHue(span.service)} 55% 45%)` } }, span.service), ' ',
  h('span', { class: 'mono' }, `${span.method || '?'} ${span.path || ''}`));
  return h('div', { class: failed ? 'wf-row wf-span failed' : 'wf-row wf-span', role: 'row', dataset: { spanId: span.spanId || '' } },
    h('span', { role: 'cell' }, label),
    h('span', { role: 'cell', class: 'mono host' }, span.host || '—'),
    h('span', { role: 'cell' }, httpStatus(span.status)),
    h('span', { role: 'cell', class: 'wf-track' },
      h('span', {
        class: 'wf-bar', title: `${ms(span.durationMs)} from ${ms(span.offsetMs)}`,
        style: { left: `${left}%`, width: `${width}%`, background: `hsl(${serviceHue(span.service)} 55% ${failed ? 40 : 55}%)` },
      }),
      h('span', { class: 'wf-time', style: timeLabelPlace(left, width) }, ms(span.durationMs))),
    details);
}

/** The duration label goes after the bar, else before it, else inside a bar that fills the row. */
function timeLabelPlace(left, width) {
  if (left + width <= 85) return { left: `${left + width}%` };
  if (left >= 15) return { right: `${100 - left}%`, marginRight: '.3rem' };
  return { right: '.4rem', color: '#fff', fontWeight: '600' };
}
