// The console: asks for the token once (kept in this tab's sessionStorage), then routes
// `#/page/arg?query` to a page module and passes it the live events.

import { follow, forgetToken, get, setToken, token } from './api.js';
import { errorText, h } from './dom.js';
import * as instances from './pages/instances.js';
import * as instance from './pages/instance.js';
import * as tasks from './pages/tasks.js';
import * as personas from './pages/personas.js';
import * as raci from './pages/raci.js';
import * as deployments from './pages/deployments.js';

const pages = { instances, instance, tasks, personas, raci, deployments };
const main = document.getElementById('main');
let current = null;
let stopFollowing = null;

/** The route of the hash: page name, its argument and its query. */
function route() {
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [name, ...rest] = path.split('/');
  return { name: pages[name] ? name : 'instances', arg: decodeURIComponent(rest.join('/')), query: new URLSearchParams(query) };
}

async function show() {
  if (!token()) return login();
  const { name, arg, query } = route();
  for (const link of document.querySelectorAll('#nav a')) {
    link.classList.toggle('current', link.dataset.page === name || (name === 'instance' && link.dataset.page === 'instances'));
  }
  if (current && current.leave) current.leave();
  current = pages[name];
  main.replaceChildren();
  document.body.dataset.page = name;
  try {
    await current.enter(main, arg, query);
  } catch (error) {
    main.append(errorText(error));
  }
  if (!stopFollowing) {
    stopFollowing = follow(
      (event) => current && current.onEvent && current.onEvent(event),
      (connected) => {
        const live = document.getElementById('live');
        live.textContent = connected ? 'live' : 'offline';
        live.classList.toggle('on', connected);
      },
    );
  }
  document.getElementById('logout').hidden = false;
}

function login(message) {
  if (stopFollowing) stopFollowing();
  stopFollowing = null;
  const input = h('input', { type: 'password', id: 'token', autocomplete: 'off', required: true, size: 40 });
  const problem = h('p', { class: 'error', role: 'alert' }, message || '');
  const form = h('form', { class: 'login card', id: 'login' },
    h('h1', {}, 'Sign in'),
    h('p', { class: 'muted' }, 'Paste the operator or read-only token that `orchestrator serve` printed (or ORCHESTRATOR_TOKEN). It is kept in this tab only.'),
    h('label', {}, 'Token', input),
    h('p', {}, h('button', { type: 'submit' }, 'Open the console')),
    problem);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    setToken(input.value);
    try {
      await get('/api/deployments');
      show();
    } catch (error) {
      forgetToken();
      problem.textContent = error.status === 401 ? 'That token is not valid.' : error.message;
    }
  });
  main.replaceChildren(h('section', { class: 'card login' }, form));
  document.getElementById('logout').hidden = true;
  input.focus();
}

window.addEventListener('hashchange', show);
window.addEventListener('unauthorized', () => {
  if (document.getElementById('login')) return; // the sign-in form says so itself
  forgetToken();
  login('The token was refused; give it again.');
});
document.getElementById('logout').addEventListener('click', () => {
  forgetToken();
  login();
});
show();
