import { h, fill } from '../dom.js';
import { api, hasRole } from '../api.js';
import { time } from '../format.js';
import { errorBox, loading, badge, timeEl, facts } from '../widgets.js';

const FIELDS = [
  ['capture', 'Capture', 'boolean'],
  ['payloadBytes', 'Payload bytes (0–4096)', 'integer'],
  ['normalShare', 'Share of normal traces kept (0–1)', 'number'],
  ['anomalyThreshold', 'Anomaly threshold (0–1)', 'number'],
  ['quietPeriodMillis', 'Quiet period, ms (50–600000)', 'integer'],
  ['maskingRules', 'Masking rules', 'rules'],
  ['mutedFingerprints', 'Muted issues', 'list'],
];
const MASKING_RULES = ['authorization', 'cookie', 'api-key', 'bearer-token', 'password', 'card-number', 'email'];

export function scopeLink(scope) {
  return `#/policies/${encodeURIComponent(scope)}`;
}

/** A policy object as "field = value" lines; only the fields it sets. */
function policyText(policy) {
  const entries = Object.entries(policy || {});
  if (entries.length === 0) return h('span', { class: 'muted' }, 'inherits everything');
  return h('ul', { class: 'policy' }, entries.map(([k, v]) => h('li', {}, h('span', { class: 'mono' }, k), ' = ', Array.isArray(v) ? (v.length ? v.join(', ') : '[]') : String(v))));
}

/** Every scope with its own overrides; the global policy in force and the defaults. */
export async function policiesPage(main, params, page) {
  document.title = 'Policies · Rootline';
  fill(main, loading('the capture policies'));
  const all = await api('/api/v1/policies');
  if (!page.stillHere()) return;
  const scopeInput = h('input', { id: 'scope-key', type: 'text', placeholder: 'service:java:8082', required: true });
  const scopes = (all.scopes || []).slice().sort((a, b) => a.scope.localeCompare(b.scope));
  fill(main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Capture policies')),
    h('p', { class: 'lead' }, 'What the probes capture and keep, per scope: global, host, service, endpoint. A narrower scope overrides a wider one; feedback may tune them, every change is kept with its reason.'),
    h('div', { class: 'grid-2' },
      h('section', { class: 'card', 'aria-labelledby': 'global-h' }, h('h2', { id: 'global-h' }, 'In force globally'), policyText(all.global),
        h('p', {}, h('a', { href: scopeLink('global') }, 'Global scope: history and edit'))),
      h('section', { class: 'card', 'aria-labelledby': 'defaults-h' }, h('h2', { id: 'defaults-h' }, 'Defaults (configuration)'), policyText(all.defaults))),
    h('section', { class: 'card', 'aria-labelledby': 'scopes-h' },
      h('h2', { id: 'scopes-h' }, `Scopes with their own policy (${scopes.length})`),
      scopes.length === 0 ? h('p', { class: 'empty' }, 'No scope has been changed yet.') :
        h('table', { id: 'scopes' },
          h('thead', {}, h('tr', {}, ['Scope', 'Kind', 'Revision', 'Own overrides', 'In force there', 'Changed'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, scopes.map((sc) => h('tr', { class: 'scope-row' },
            h('td', {}, h('a', { href: scopeLink(sc.scope), class: 'mono' }, sc.scope)),
            h('td', {}, badge(sc.kind, 'level')),
            h('td', { class: 'num' }, sc.revision),
            h('td', {}, policyText(sc.policy)),
            h('td', {}, policyText(sc.effective)),
            h('td', {}, sc.changedAt ? timeEl(sc.changedAt, time(sc.changedAt)) : '—')))))),
    h('form', { class: 'card inline', onsubmit: (e) => { e.preventDefault(); if (scopeInput.value.trim()) location.hash = scopeLink(scopeInput.value.trim()); } },
      h('label', { for: 'scope-key' }, 'Open a scope (global, host:NAME, service:NAME, endpoint:SERVICE METHOD /path): '), scopeInput, ' ',
      h('button', { type: 'submit' }, 'Open')));
}

/** One scope: its policy, its history with reasons, the edit form (admin) and revert buttons. */
export async function policyScopePage(main, [scope], page) {
  document.title = `Policy ${scope} · Rootline`;
  fill(main, loading('the policy'));
  const path = '/api/v1/policies/' + encodeURIComponent(scope);
  const admin = hasRole('admin');
  const announce = h('p', { id: 'policy-status', role: 'status', 'aria-live': 'polite', class: 'notice' });
  const currentBox = h('section', { class: 'card', 'aria-labelledby': 'current-h' });
  const historyBox = h('section', { class: 'card', 'aria-labelledby': 'history-h' });
  const editBox = h('section', { class: 'card', 'aria-labelledby': 'edit-h' });
  fill(main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/policies' }, '← Policies')),
    h('div', { class: 'page-head' }, h('h1', {}, 'Policy of ', h('span', { class: 'mono' }, scope))),
    announce,
    h('div', { class: 'grid-2' }, currentBox, editBox),
    historyBox);
  await reload();

  async function reload() {
    const own = await api(path);
    if (!page.stillHere()) return;
    fill(currentBox,
      h('h2', { id: 'current-h' }, 'Now'),
      facts([
        ['Kind', own.kind],
        ['Revision', String(own.revision)],
        ['Changed', own.changedAt ? timeEl(own.changedAt, time(own.changedAt)) : 'never'],
        ['Own overrides', policyText(own.policy)],
        ['In force here', policyText(own.effective)],
      ]));
    renderEdit(own);
    let history = null;
    try {
      history = await api(path + '/history?limit=100');
    } catch (err) {
      if (err.status !== 404) throw err;
    }
    if (!page.stillHere()) return;
    renderHistory(history);
  }

  function renderHistory(history) {
    const changes = history ? history.changes : [];
    fill(historyBox,
      h('h2', { id: 'history-h' }, 'History'),
      changes.length === 0 ? h('p', { class: 'empty' }, 'Never changed: this scope inherits everything.') :
        h('table', { id: 'policy-history' },
          h('thead', {}, h('tr', {}, ['Rev', 'When', 'Source', 'Who', 'Reason', 'Before', 'After', ''].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, changes.map((c) => h('tr', { class: 'change-row' },
            h('td', { class: 'num' }, c.revision),
            h('td', {}, timeEl(c.at, time(c.at)), c.expiresAt ? h('div', { class: 'muted' }, 'until ', timeEl(c.expiresAt, time(c.expiresAt))) : null),
            h('td', {}, badge(c.source, `src-${c.source}`), c.cause ? h('div', { class: 'muted mono' }, `cause ${c.cause}`) : null),
            h('td', {}, c.by),
            h('td', {}, c.reason || ''),
            h('td', {}, policyText(c.before)),
            h('td', {}, policyText(c.after)),
            h('td', {}, admin ? h('button', { type: 'button', class: 'revert', onclick: () => revert(c.revision) }, `Revert r${c.revision}`) : null))))),
      history && history.oldestKept > 1 ? h('p', { class: 'muted' }, `Older revisions than ${history.oldestKept} are no longer kept.`) : null);
  }

  function renderEdit(own) {
    if (!admin) {
      fill(editBox, h('h2', { id: 'edit-h' }, 'Change'), h('p', { class: 'muted' }, 'Changing a policy needs role admin.'));
      return;
    }
    const inputs = {};
    const rows = FIELDS.map(([key, label, type]) => {
      const value = own.policy[key];
      const id = `f-${key}`;
      let input;
      if (type === 'boolean') {
        input = h('select', { id }, [['', 'inherit / leave'], ['true', 'on'], ['false', 'off']].map(([v, t]) => h('option', { value: v, selected: String(value ?? '') === v }, t)));
      } else if (type === 'rules') {
        input = h('input', { id, type: 'text', value: Array.isArray(value) ? value.join(', ') : '', placeholder: MASKING_RULES.join(', '), list: 'masking-rules' });
      } else if (type === 'list') {
        input = h('input', { id, type: 'text', value: Array.isArray(value) ? value.join(', ') : '', placeholder: 'issue ids, comma separated' });
      } else {
        input = h('input', { id, type: 'number', step: type === 'integer' ? '1' : 'any', value: value ?? '' });
      }
      inputs[key] = [input, type];
      return h('div', { class: 'field' }, h('label', { for: id }, label), input);
    });
    const reason = h('input', { id: 'f-reason', type: 'text', maxlength: 500, placeholder: 'why (kept in the history)', required: true });
    fill(editBox,
      h('h2', { id: 'edit-h' }, 'Change (PATCH)'),
      h('p', { class: 'muted' }, 'Only the fields you change are sent; empty means "leave as it is".'),
      h('form', { id: 'policy-form', onsubmit: (e) => { e.preventDefault(); save(own, inputs, reason.value.trim()); } },
        rows,
        h('datalist', { id: 'masking-rules' }, MASKING_RULES.map((r) => h('option', { value: r }))),
        h('div', { class: 'field' }, h('label', { for: 'f-reason' }, 'Reason'), reason),
        h('button', { type: 'submit' }, 'Save')));
  }

  async function save(own, inputs, reason) {
    const body = {};
    for (const [key, [input, type]] of Object.entries(inputs)) {
      const raw = input.value.trim();
      const before = own.policy[key];
      if (raw === '') continue;
      let value;
      if (type === 'boolean') value = raw === 'true';
      else if (type === 'rules' || type === 'list') value = raw.split(/[\s,]+/).filter(Boolean);
      else value = Number(raw);
      if (JSON.stringify(value) !== JSON.stringify(before)) body[key] = value;
    }
    if (Object.keys(body).length === 0) {
      fill(announce, 'Nothing changed.');
      return;
    }
    if (reason) body.reason = reason;
    try {
      const answer = await api(path, { method: 'PATCH', body, neededRole: 'admin' });
      fill(announce, answer.changed ? `Saved as revision ${answer.revision}.` : 'The policy already was so.');
      await reload();
    } catch (err) {
      fill(announce, errorBox(err, 'Not saved'));
    }
  }

  async function revert(revision) {
    try {
      const answer = await api(path + '/revert', { method: 'POST', body: { revision, reason: `reverted r${revision} from the UI` }, neededRole: 'admin' });
      fill(announce, `Reverted r${revision}: now revision ${answer.revision}.`);
      await reload();
    } catch (err) {
      fill(announce, errorBox(err, 'Not reverted'));
    }
  }
}
