// Every call to the Rootline API: the token (kept in sessionStorage, gone with the tab) goes as
// "Authorization: Bearer"; a 401 anywhere ends the session and returns to the login page.

const TOKEN_KEY = 'rootline.token';
const ROLES = ['viewer', 'operator', 'admin'];

export const session = {
  token: sessionStorage.getItem(TOKEN_KEY),
  user: null, // {name, role} from whoami
  authEnabled: true, // false when the API has no /auth/whoami (auth not configured)
  notice: null, // shown once on the login page
};

export class ApiError extends Error {
  constructor(status, error, detail, neededRole) {
    super(detail ? `${error}: ${detail}` : error);
    this.status = status;
    this.error = error;
    this.detail = detail;
    this.neededRole = neededRole;
  }
}

export function setToken(token) {
  session.token = token;
  if (token) sessionStorage.setItem(TOKEN_KEY, token);
  else sessionStorage.removeItem(TOKEN_KEY);
}

export function logout(notice) {
  setToken(null);
  session.user = null;
  session.notice = notice || null;
  if (location.hash !== '#/login') location.hash = '#/login';
  else window.dispatchEvent(new HashChangeEvent('hashchange'));
}

/** True when the signed-in user's role is at least `role` (always, when auth is not enabled). */
export function hasRole(role) {
  if (!session.authEnabled) return true;
  if (!session.user) return false;
  return ROLES.indexOf(session.user.role) >= ROLES.indexOf(role);
}

function headers(token, hasBody, method) {
  const out = { Accept: 'application/json' };
  if (token) out.Authorization = 'Bearer ' + token;
  if (hasBody) out['Content-Type'] = 'application/json';
  if (method !== 'GET' && session.user && session.user.name) out['X-Rootline-User'] = session.user.name;
  return out;
}

async function send(path, { method = 'GET', body, token = session.token } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: headers(token, body !== undefined, method),
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (e) {
    throw new ApiError(0, 'the API did not answer', String((e && e.message) || e));
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: response.status, ok: response.ok, json };
}

/**
 * Calls the API and returns its JSON. Throws ApiError on any non-2xx; on 401 also ends the
 * session. `neededRole` names the role the call needs, for a 403's message.
 */
export async function api(path, { method = 'GET', body, neededRole } = {}) {
  const answer = await send(path, { method, body });
  if (answer.status === 401) {
    logout('Your token was not accepted (401). Please sign in again.');
    throw new ApiError(401, 'unauthorized', 'sign in again');
  }
  if (!answer.ok) {
    const error = (answer.json && answer.json.error) || `HTTP ${answer.status}`;
    const detail = (answer.json && answer.json.detail) || '';
    throw new ApiError(answer.status, error, detail, neededRole);
  }
  return answer.json;
}

/**
 * Who the token belongs to. Resolves {name, role}; null when the API has no auth (404 on
 * whoami: auth not enabled); rejects with ApiError 401 for a token that is missing or unknown.
 */
export async function whoami(token) {
  const answer = await send('/api/v1/auth/whoami', { token });
  if (answer.status === 404) return null;
  if (answer.status === 401) throw new ApiError(401, 'unauthorized', (answer.json && answer.json.detail) || 'token not accepted');
  if (!answer.ok) throw new ApiError(answer.status, (answer.json && answer.json.error) || `HTTP ${answer.status}`, (answer.json && answer.json.detail) || '');
  return answer.json;
}

/** The URL of the live stream; browsers cannot set headers on a WebSocket, so the token rides along. */
export function streamUrl() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = session.authEnabled && session.token ? '?access_token=' + encodeURIComponent(session.token) : '';
  return `${scheme}//${location.host}/api/v1/stream${query}`;
}
