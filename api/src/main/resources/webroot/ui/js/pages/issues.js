import { h, fill } from '../dom.js';
import { api } from '../api.js';
import { LiveStream } from '../stream.js';
import { count, ago } from '../format.js';
import { errorBox, probabilityBar, statusBadge, timeEl, loading, badge } from '../widgets.js';

const LIMIT = 100;

/** The prioritised issue list, kept current by issue-opened / issue-updated stream messages. */
export async function issuesPage(main, params, page) {
  document.title = 'Issues · Rootline';
  const state = { status: 'open', issues: new Map(), total: 0 };
  const live = h('span', { id: 'live-state', class: 'live', role: 'status' }, 'connecting…');
  const statusSelect = h('select', { id: 'status-filter', onchange: () => { state.status = statusSelect.value; reload(); } },
    ['open', 'muted', 'resolved', 'all'].map((s) => h('option', { value: s, selected: s === state.status }, s)));
  const body = h('div', { id: 'issues-body' }, loading('issues'));
  const summary = h('p', { class: 'muted', id: 'issues-summary' });
  fill(main,
    h('div', { class: 'page-head' },
      h('h1', {}, 'Issues'),
      h('div', { class: 'tools' }, h('label', { for: 'status-filter' }, 'Status '), statusSelect, live)),
    h('p', { class: 'lead' }, 'What needs a human, most urgent first: click an issue to see its likely root causes.'),
    summary, body);

  async function reload() {
    const query = new URLSearchParams({ limit: String(LIMIT) });
    if (state.status !== 'all') query.set('status', state.status);
    try {
      const page1 = await api('/api/v1/issues?' + query);
      if (!page.stillHere()) return;
      state.issues = new Map(page1.issues.map((i) => [i.issueId, i]));
      state.total = page1.total;
      render();
    } catch (err) {
      if (page.stillHere()) fill(body, errorBox(err, 'The issues could not be listed'));
    }
  }

  function render(changedId) {
    const rows = [...state.issues.values()]
      .filter((i) => state.status === 'all' || i.status === state.status)
      .sort((a, b) => b.priority - a.priority || b.lastSeenEpochMillis - a.lastSeenEpochMillis);
    fill(summary, `${rows.length} shown of ${count(state.total)} ${state.status === 'all' ? '' : state.status + ' '}issues.`);
    if (rows.length === 0) {
      fill(body, h('p', { class: 'empty' }, 'No issues. Rootline opens one when it retains a failing or anomalous trace.'));
      return;
    }
    fill(body, h('table', { class: 'issues', id: 'issues-table' },
      h('caption', { class: 'sr-only' }, 'Issues, highest priority first'),
      h('thead', {}, h('tr', {},
        ['Priority', 'Issue', 'Service', 'Endpoint', 'First seen', 'Last seen', 'Count', 'Affected requests', 'Top root cause']
          .map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows.map((i) => row(i, i.issueId === changedId)))));
  }

  function row(i, changed) {
    const top = i.topRootCause;
    return h('tr', { class: changed ? 'issue-row flash' : 'issue-row', dataset: { issueId: i.issueId } },
      h('td', { class: 'num' }, i.priority.toFixed(2)),
      h('td', {},
        h('a', { href: `#/issues/${encodeURIComponent(i.issueId)}`, class: 'issue-link' }, i.title), ' ',
        badge(i.kind, `kind-${i.kind}`), i.status !== 'open' ? [' ', statusBadge(i.status)] : null),
      h('td', { class: 'mono' }, i.service),
      h('td', { class: 'mono' }, i.endpoint),
      h('td', {}, timeEl(i.firstSeen, ago(i.firstSeenEpochMillis))),
      h('td', {}, timeEl(i.lastSeen, ago(i.lastSeenEpochMillis))),
      h('td', { class: 'num' }, count(i.occurrences)),
      h('td', { class: 'num' }, count(i.affectedRequests)),
      h('td', { class: 'top-cause' }, top
        ? [h('span', { class: 'mono' }, `${top.level} ${top.subject}`), ' ', probabilityBar(top.probability, `probability of ${top.subject}`)]
        : h('span', { class: 'muted' }, 'not ranked')));
  }

  let connectedBefore = false;
  const stream = new LiveStream((message) => {
    if (message.type === 'issue-opened' || message.type === 'issue-updated') {
      const i = message.issue;
      if (!state.issues.has(i.issueId) && message.type === 'issue-opened') state.total += 1;
      state.issues.set(i.issueId, i);
      render(i.issueId);
      fill(live, `live · ${message.type === 'issue-opened' ? 'new issue' : 'updated'} ${new Date().toLocaleTimeString()}`);
    } else if (message.type === 'messages-dropped') {
      reload(); // we missed some: the list is the truth
    }
  }, (connection) => {
    live.dataset.state = connection;
    if (connection === 'live') {
      fill(live, 'live');
      if (connectedBefore) reload(); // anything that happened while we were not connected
      connectedBefore = true;
    } else {
      fill(live, connection + '…');
    }
  });
  await reload();
  return () => stream.close();
}
