import { h, fill } from '../dom.js';
import { api } from '../api.js';
import { time, count } from '../format.js';
import { loading, badge, timeEl, facts } from '../widgets.js';

/** Members, their roles and health as this node sees them, and shard counts per node. */
export async function clusterPage(main, params, page) {
  document.title = 'Cluster · Rootline';
  fill(main, loading('the cluster view'));
  const view = await api('/api/v1/cluster');
  if (!page.stillHere()) return;
  const members = view.members || [];
  const unreachable = new Set((view.unreachable || []).map((u) => (typeof u === 'string' ? u : u.address)));
  const shards = view.shards || {};
  const types = Object.keys(shards).sort();
  const healthy = members.filter((m) => m.status === 'Up' && m.reachable !== false && !unreachable.has(m.address)).length;

  fill(main,
    h('div', { class: 'page-head' }, h('h1', {}, 'Cluster')),
    facts([
      ['Answered by', h('span', { class: 'mono' }, view.self)],
      ['Leader', h('span', { class: 'mono' }, view.leader || 'none')],
      ['Health', h('span', { id: 'cluster-health' }, `${healthy} of ${members.length} members up and reachable`)],
    ]),
    h('section', { class: 'card', 'aria-labelledby': 'members-h' },
      h('h2', { id: 'members-h' }, 'Members'),
      h('table', { id: 'members' },
        h('thead', {}, h('tr', {}, ['Address', 'Roles', 'Status', 'Reachable', 'Up since', ...types.map((t) => `${t} shards / entities`)]
          .map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, members.map((m) => {
          const reachable = m.reachable !== false && !unreachable.has(m.address);
          return h('tr', { class: 'member' },
            h('td', { class: 'mono' }, m.address, m.address === view.leader ? [' ', badge('leader', 'leader')] : null),
            h('td', {}, (m.roles || []).map((r) => [badge(r, 'role'), ' '])),
            h('td', {}, badge(m.status, m.status === 'Up' ? 'status-ok' : 'status-4xx')),
            h('td', {}, reachable ? badge('yes', 'status-ok') : badge('unreachable', 'status-5xx')),
            h('td', {}, m.upSince ? timeEl(m.upSince, time(m.upSince)) : '—'),
            types.map((t) => {
              const s = shards[t] && shards[t][m.address];
              if (!s) return h('td', { class: 'num muted' }, '—');
              return h('td', { class: 'num' }, `${count(s.shards)} / ${count(s.entities)}` + (s.unansweredShards ? ` (${s.unansweredShards} shards did not answer)` : ''));
            }));
        })))),
    unreachable.size
      ? h('section', { class: 'card warn', role: 'alert' }, h('h2', {}, 'Unreachable'), h('ul', {}, [...unreachable].map((u) => h('li', { class: 'mono' }, u))))
      : null);
}
