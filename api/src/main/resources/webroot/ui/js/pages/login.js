import { h, fill } from '../dom.js';
import { session, whoami, setToken } from '../api.js';

export async function loginPage(main) {
  document.title = 'Sign in · Rootline';
  const status = h('p', { id: 'login-status', role: 'status', 'aria-live': 'polite' }, session.notice || '');
  session.notice = null;
  const input = h('input', {
    id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false',
    required: true, 'aria-describedby': 'token-help',
  });
  const button = h('button', { type: 'submit', id: 'sign-in' }, 'Sign in');
  const form = h('form', { class: 'login', onsubmit: submit },
    h('label', { for: 'token' }, 'API token'),
    input,
    h('p', { id: 'token-help', class: 'muted' },
      'Paste the token an administrator gave you (rootline.api.auth.tokens). ',
      'It is kept for this browser tab only and sent as a Bearer token.'),
    button);
  fill(main, h('section', { class: 'card narrow' }, h('h1', {}, 'Sign in to Rootline'), form, status));
  input.focus();

  async function submit(event) {
    event.preventDefault();
    const token = input.value.trim();
    if (!token) return;
    button.disabled = true;
    fill(status, 'Checking the token…');
    try {
      const user = await whoami(token);
      if (user === null) {
        session.authEnabled = false; // the API has no auth: the token is not needed
        setToken(null);
      } else {
        session.user = user;
        setToken(token);
      }
      window.dispatchEvent(new Event('rootline:signed-in'));
    } catch (err) {
      status.classList.add('error');
      fill(status, err.status === 401 ? 'This token was not accepted.' : `Sign-in failed: ${err.message}`);
      button.disabled = false;
      input.select();
    }
  }
}
