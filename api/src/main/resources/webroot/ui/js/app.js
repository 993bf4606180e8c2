import { h, fill } from './dom.js';
import { session, whoami, logout, setToken } from './api.js';
import { loginPage } from './pages/login.js';
import { issuesPage } from './pages/issues.js';
import { issuePage } from './pages/issue.js';
import { tracePage } from './pages/trace.js';
import { policiesPage, policyScopePage } from './pages/policies.js';
import { clusterPage } from './pages/cluster.js';
import { errorBox } from './widgets.js';

// Hash routes: the server serves one page, the browser keeps the place (and the back button).
const ROUTES = [
  [/^#\/login$/, 'login', loginPage],
  [/^#\/issues$/, 'issues', issuesPage],
  [/^#\/issues\/([0-9a-f]{1,64})$/, 'issues', issuePage],
  [/^#\/traces\/([0-9a-f]{32})$/, 'issues', tracePage],
  [/^#\/policies$/, 'policies', policiesPage],
  [/^#\/policies\/(.+)$/, 'policies', policyScopePage],
  [/^#\/cluster$/, 'cluster', clusterPage],
];

const main = document.getElementById('main');
let leavePage = null; // the current page's clean-up (e.g. closing its WebSocket)
let generation = 0;

function renderWho() {
  const who = document.getElementById('who');
  if (!session.authEnabled) {
    fill(who, h('span', { class: 'muted' }, 'auth not enabled'));
  } else if (session.user) {
    fill(who,
      h('span', { id: 'who-name' }, session.user.name), ' ',
      h('span', { class: 'badge role', id: 'who-role' }, session.user.role), ' ',
      h('button', { type: 'button', class: 'link', id: 'logout', onclick: () => logout('Signed out.') }, 'Sign out'));
  } else {
    fill(who);
  }
}

async function route() {
  const mine = ++generation;
  if (leavePage) {
    try { leavePage(); } catch { /* a page's clean-up must not stop navigation */ }
    leavePage = null;
  }
  let hash = location.hash || '#/issues';
  if (hash === '#' || hash === '#/') hash = '#/issues';
  const signedIn = !session.authEnabled || session.user;
  if (!signedIn && hash !== '#/login') {
    location.hash = '#/login';
    return;
  }
  if (signedIn && hash === '#/login' && !session.authEnabled) {
    location.hash = '#/issues';
    return;
  }
  renderWho();
  const match = ROUTES.map(([re, nav, page]) => [hash.match(re), nav, page]).find(([m]) => m);
  document.querySelectorAll('[data-nav]').forEach((a) => {
    if (match && a.dataset.nav === match[1]) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  document.body.classList.toggle('signed-out', !signedIn);
  fill(main);
  if (!match) {
    fill(main, h('h1', {}, 'Not found'), h('p', {}, 'No page here. ', h('a', { href: '#/issues' }, 'Back to the issues.')));
    return;
  }
  const [m, , page] = match;
  try {
    const cleanup = await page(main, m.slice(1).map(decodeURIComponent), { stillHere: () => mine === generation });
    if (mine === generation) leavePage = typeof cleanup === 'function' ? cleanup : null;
    else if (typeof cleanup === 'function') cleanup();
  } catch (err) {
    if (mine === generation && !(err && err.status === 401)) fill(main, errorBox(err, 'This page could not be shown'));
  }
}

/** Signs in with a stored token, or finds out whether the API wants one at all. */
async function boot() {
  try {
    const user = await whoami(session.token);
    if (user === null) {
      session.authEnabled = false;
    } else {
      session.user = user;
    }
  } catch (err) {
    if (err.status === 401) {
      if (session.token) session.notice = 'Your stored token is no longer accepted. Please sign in again.';
      setToken(null);
    } else {
      session.notice = `Could not reach the API: ${err.message}`;
    }
  }
  window.addEventListener('hashchange', route);
  window.addEventListener('rootline:signed-in', () => {
    renderWho();
    location.hash = '#/issues';
  });
  await route();
}

boot();
