import { h, fill } from '../dom.js';
import { api, hasRole, session } from '../api.js';
import { count, time, ago } from '../format.js';
import { errorBox, probabilityBar, statusBadge, timeEl, loading, facts, badge } from '../widgets.js';
import { seriesChart } from '../chart.js';

const LEVELS = ['host', 'service', 'endpoint', 'attribute'];
/** The most likely candidates shown open; the long tail of near-zero ones folds away. */
const SHOWN_CAUSES = 5;

/** One issue: ranked root causes with evidence, the chart, example traces, feedback. */
export async function issuePage(main, [issueId], page) {
  document.title = 'Issue · Rootline';
  fill(main, loading('the issue'));
  const path = '/api/v1/issues/' + encodeURIComponent(issueId);
  let detail = await api(path);
  if (!page.stillHere()) return;
  const issue = detail.issue;
  document.title = `${issue.title} · Rootline`;

  const causesBox = h('section', { class: 'card', 'aria-labelledby': 'causes-h' });
  const feedbackBox = h('section', { class: 'card', id: 'feedback', 'aria-labelledby': 'feedback-h' });
  const chartBox = h('section', { class: 'card', 'aria-labelledby': 'chart-h' }, h('h2', { id: 'chart-h' }, 'Latency and errors around the issue'), loading('the chart'));
  const announce = h('p', { id: 'feedback-status', role: 'status', 'aria-live': 'polite', class: 'notice' });
  const comment = h('textarea', { id: 'feedback-comment', rows: 2, maxlength: 4000, placeholder: 'What you found (optional)' });
  const canSay = hasRole('operator');

  fill(main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/issues' }, '← Issues')),
    h('div', { class: 'page-head' }, h('h1', { id: 'issue-title' }, issue.title), badge(issue.kind, `kind-${issue.kind}`), ' ', statusBadge(issue.status)),
    facts([
      ['Service', h('span', { class: 'mono' }, issue.service)],
      ['Endpoint', h('span', { class: 'mono' }, issue.endpoint)],
      ['First seen', timeEl(issue.firstSeen, time(issue.firstSeen))],
      ['Last seen', timeEl(issue.lastSeen, `${time(issue.lastSeen)} (${ago(issue.lastSeenEpochMillis)})`)],
      ['Occurrences', count(issue.occurrences)],
      ['Affected requests', count(issue.affectedRequests)],
      ['Priority', issue.priority.toFixed(2)],
    ]),
    announce,
    h('div', { class: 'grid-2' }, causesBox, h('div', {}, chartBox, examplesBox(detail))),
    feedbackBox);

  renderCauses();
  renderFeedback();
  loadChart();

  function renderCauses() {
    const causes = detail.rootCauses;
    fill(causesBox,
      h('h2', { id: 'causes-h' }, 'Most likely root causes'),
      causes.length === 0
        ? h('p', { class: 'empty' }, 'No root cause ranked yet.')
        : [h('ol', { class: 'causes', id: 'root-causes' }, causes.slice(0, SHOWN_CAUSES).map((c, rank) => cause(c, rank))),
          causes.length > SHOWN_CAUSES
            ? h('details', { class: 'more-causes' },
              h('summary', {}, `${causes.length - SHOWN_CAUSES} less likely candidates`),
              h('ol', { class: 'causes', start: SHOWN_CAUSES + 1 }, causes.slice(SHOWN_CAUSES).map((c, rank) => cause(c, rank + SHOWN_CAUSES))))
            : null],
      canSay ? otherCauseForm() : h('p', { class: 'muted' }, 'Giving feedback needs role operator.'));
  }

  function cause(c, rank) {
    return h('li', { class: 'cause', dataset: { level: c.level, subject: c.subject } },
          h('div', { class: 'cause-head' },
            h('span', { class: 'rank' }, `#${rank + 1}`),
            badge(c.level, 'level'),
            h('span', { class: 'mono subject' }, c.subject),
            probabilityBar(c.probability, `probability that ${c.subject} is the root cause`)),
          c.evidence && c.evidence.length
            ? h('ul', { class: 'evidence' }, c.evidence.map((e) => h('li', {}, e)))
            : h('p', { class: 'muted' }, 'No evidence recorded.'),
          canSay ? h('div', { class: 'actions' },
            h('button', { type: 'button', class: 'confirm', onclick: () => say({ kind: 'confirm', level: c.level, subject: c.subject }) }, 'Confirm'),
            h('button', { type: 'button', class: 'reject', onclick: () => say({ kind: 'reject', level: c.level, subject: c.subject }) }, 'Reject')) : null);
  }

  function otherCauseForm() {
    const level = h('select', { id: 'other-level' }, LEVELS.map((l) => h('option', { value: l }, l)));
    const subject = h('input', { id: 'other-subject', type: 'text', required: true, maxlength: 1000, placeholder: 'e.g. java:8082 or host-b' });
    return h('div', { class: 'other' },
      h('label', { for: 'feedback-comment' }, 'Comment (sent with any feedback)'), comment,
      h('form', { class: 'inline', onsubmit: (e) => { e.preventDefault(); if (subject.value.trim()) say({ kind: 'name-cause', level: level.value, subject: subject.value.trim() }); } },
        h('label', { for: 'other-level' }, 'Name another cause: '), level, ' ',
        h('label', { for: 'other-subject', class: 'sr-only' }, 'subject'), subject, ' ',
        h('button', { type: 'submit' }, 'Name cause')),
      h('button', { type: 'button', class: 'noise', id: 'mark-noise', onclick: () => say({ kind: 'noise' }) }, 'Not a problem (noise)'));
  }

  async function say(feedback) {
    const body = { ...feedback };
    if (comment.value.trim()) body.comment = comment.value.trim();
    if (session.user && session.user.name) body.by = session.user.name;
    main.querySelectorAll('.actions button, .other button').forEach((b) => { b.disabled = true; });
    fill(announce, 'Sending feedback…');
    try {
      const answer = await api(path + '/feedback', { method: 'POST', body, neededRole: 'operator' });
      const f = answer.feedback;
      comment.value = '';
      detail = await api(path);
      if (!page.stillHere()) return;
      // The issue's page is read from a projection that may lag the entity by a moment: show
      // what was just recorded at once rather than a list without it.
      if (!(detail.feedback || []).some((g) => g.feedbackId === f.feedbackId)) {
        detail.feedback = [f, ...(detail.feedback || [])];
      }
      renderCauses();
      renderFeedback();
      fill(announce, `Feedback recorded: ${f.kind}${f.subject ? ' ' + f.level + ' ' + f.subject : ''}.`);
    } catch (err) {
      if (!page.stillHere()) return;
      fill(announce, errorBox(err, 'Feedback not recorded'));
      main.querySelectorAll('.actions button, .other button').forEach((b) => { b.disabled = false; });
    }
  }

  function renderFeedback() {
    const list = detail.feedback || [];
    fill(feedbackBox,
      h('h2', { id: 'feedback-h' }, 'Feedback given'),
      list.length === 0
        ? h('p', { class: 'empty' }, 'Nobody has said anything about this issue yet.')
        : h('table', { id: 'feedback-list' },
          h('thead', {}, h('tr', {}, ['When', 'Who', 'Said', 'Cause', 'Comment'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, list.map((f) => h('tr', { class: 'feedback-row', dataset: { kind: f.kind } },
            h('td', {}, timeEl(f.at, time(f.at))),
            h('td', {}, f.by),
            h('td', {}, badge(f.kind, `fb-${f.kind}`)),
            h('td', { class: 'mono' }, f.subject ? `${f.level} ${f.subject}` : '—'),
            h('td', {}, f.comment || ''))))));
  }

  async function loadChart() {
    try {
      const series = await api(path + '/series');
      if (!page.stillHere()) return;
      fill(chartBox, h('h2', { id: 'chart-h' }, 'Latency and errors around the issue'), seriesChart(series, issue));
    } catch (err) {
      if (page.stillHere()) fill(chartBox, h('h2', { id: 'chart-h' }, 'Latency and errors around the issue'), errorBox(err, 'No chart'));
    }
  }
}

function examplesBox(detail) {
  const traces = detail.exampleTraces || [];
  return h('section', { class: 'card', 'aria-labelledby': 'examples-h' },
    h('h2', { id: 'examples-h' }, 'Example traces'),
    traces.length === 0
      ? h('p', { class: 'empty' }, 'No example kept.')
      : h('ul', { class: 'examples', id: 'example-traces' }, traces.map((t) => h('li', {},
        h('a', { href: `#/traces/${encodeURIComponent(t.traceId)}`, class: 'mono trace-link' }, t.traceId)))),
    detail.timeline && detail.timeline.length
      ? h('p', { class: 'muted' }, 'Occurrences per period: ',
        detail.timeline.map((b) => `${time(b.start)}: ${b.occurrences}`).join(' · '))
      : null);
}
