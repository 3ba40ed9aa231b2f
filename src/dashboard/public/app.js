// @ts-check
// The dashboard shell: login, navigation, and polling of the visible page only. A page is
// {el, refresh}: `refresh` patches the page in place (see dom.js patch), so a focused field, a
// selection, an open dialog or a scroll position survives it. After each refresh the shell
// dispatches `llmlb:refreshed` on the document (the browser tests wait for it).
// Page modules are imported when first shown, so the first paint waits only for the shell.
import * as api from './api.js';
import { h, mount } from './dom.js';
import { showError, errorMessage } from './ui.js';

const POLL_MS = 3000;

/**
 * @typedef {{el: HTMLElement, refresh: () => Promise<void>, destroy?: () => void}} Page
 * @typedef {{user: import('./api.js').SessionUser, isAdmin: boolean}} PageContext
 * @typedef {(ctx: PageContext) => Page} MakePage
 * @typedef {{id: string, label: string, load: () => Promise<MakePage>, admin?: boolean}} PageDef
 */

/** @type {PageDef[]} */
const PAGES = [
  {
    id: 'overview',
    label: 'Overview',
    load: () => import('./page-overview.js').then((m) => m.overviewPage),
  },
  { id: 'nodes', label: 'Nodes', load: () => import('./page-nodes.js').then((m) => m.nodesPage) },
  {
    id: 'endpoints',
    label: 'Endpoints',
    load: () => import('./page-endpoints.js').then((m) => m.endpointsPage),
  },
  {
    id: 'models',
    label: 'Models',
    load: () => import('./page-models.js').then((m) => m.modelsPage),
  },
  {
    id: 'requests',
    label: 'Requests',
    load: () => import('./page-requests.js').then((m) => m.requestsPage),
  },
  {
    id: 'api-keys',
    label: 'API keys',
    load: () => import('./page-api-keys.js').then((m) => m.apiKeysPage),
    admin: true,
  },
  {
    id: 'users',
    label: 'Users',
    load: () => import('./page-users.js').then((m) => m.usersPage),
    admin: true,
  },
];

const root = /** @type {HTMLElement} */ (document.getElementById('root'));
/** @typedef {{page: Page, timer: ReturnType<typeof setTimeout> | null, busy: boolean}} PollState */
/** @type {PollState | null} */
let current = null;
/** Counts navigations: a page module that arrives after the user moved on is not shown. */
let shown = 0;

function routeId() {
  const m = /^#\/([\w-]+)/.exec(location.hash);
  return m ? m[1] : 'overview';
}

function stopPolling() {
  if (current && current.timer) clearTimeout(current.timer);
  if (current) current.timer = null;
}

/**
 * Refreshes the page, then schedules the next refresh (never two at once).
 * @param {PollState} state
 */
async function tick(state) {
  if (current !== state || state.busy || document.visibilityState !== 'visible') return;
  state.busy = true;
  try {
    await state.page.refresh();
  } catch (e) {
    if (e && e.status === 401) return;
    showError(e);
  } finally {
    state.busy = false;
  }
  if (current === state) document.dispatchEvent(new CustomEvent('llmlb:refreshed'));
  if (current === state && document.visibilityState === 'visible') {
    state.timer = setTimeout(() => tick(state), POLL_MS);
  }
}

/** @param {string} [message] */
function renderLogin(message) {
  stopPolling();
  current = null;
  shown++; // a page module still loading is not shown over the login form
  const user = h('input', {
    name: 'username',
    autocomplete: 'username',
    required: true,
    'data-testid': 'login-username',
    value: 'admin',
  });
  const pass = h('input', {
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    required: true,
    'data-testid': 'login-password',
  });
  const err = h(
    'p',
    { class: 'form-error', role: 'alert', 'data-testid': 'login-error', hidden: !message },
    message || '',
  );
  const submit = h(
    'button',
    { type: 'submit', class: 'btn btn-primary btn-block', 'data-testid': 'login-submit' },
    'Sign in',
  );
  const form = h(
    'form',
    { class: 'login-card', 'data-testid': 'login-form' },
    h(
      'div',
      { class: 'brand brand-lg' },
      h('img', { src: '/dashboard/favicon.svg', alt: '', width: 36, height: 36 }),
      h('span', {}, 'llmlb'),
    ),
    h('p', { class: 'muted' }, 'Sign in to manage your LLM fleet.'),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Username'), user),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Password'), pass),
    err,
    submit,
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    submit.disabled = true;
    try {
      await api.login(user.value.trim(), pass.value);
      renderShell();
    } catch (e) {
      err.textContent = errorMessage(e);
      err.hidden = false;
      pass.select();
    } finally {
      submit.disabled = false;
    }
  });
  mount(root, h('main', { class: 'login-screen' }, form));
  (user.value ? pass : user).focus();
}

/** @type {HTMLElement | null} */
let navEl = null;
/** @type {HTMLElement | null} */
let contentEl = null;

function renderShell() {
  const s = api.session();
  if (!s) return renderLogin();
  const isAdmin = s.user.role === 'admin';
  navEl = h(
    'nav',
    { class: 'nav', 'aria-label': 'Sections' },
    PAGES.filter((p) => !p.admin || isAdmin).map((p) =>
      h('a', { href: `#/${p.id}`, 'data-testid': `nav-${p.id}`, 'data-page': p.id }, p.label),
    ),
  );
  contentEl = h('main', { class: 'content', id: 'content' });
  const header = h(
    'header',
    { class: 'topbar' },
    h(
      'a',
      { class: 'brand', href: '#/overview' },
      h('img', { src: '/dashboard/favicon.svg', alt: '', width: 24, height: 24 }),
      h('span', {}, 'llmlb'),
    ),
    h(
      'div',
      { class: 'topbar-user' },
      h(
        'span',
        { class: 'user-name', 'data-testid': 'current-user' },
        `${s.user.username} · ${s.user.role}`,
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn-ghost btn-sm',
          'data-testid': 'logout',
          onclick: () => {
            api.logout();
            renderLogin();
          },
        },
        'Sign out',
      ),
    ),
  );
  mount(root, h('div', { class: 'shell' }, header, navEl, contentEl));
  void showPage();
}

async function showPage() {
  const s = api.session();
  if (!s) return renderLogin();
  if (!navEl || !contentEl) return renderShell();
  const isAdmin = s.user.role === 'admin';
  let def = PAGES.find((p) => p.id === routeId() && (!p.admin || isAdmin));
  if (!def) def = PAGES[0];
  const seq = ++shown;
  stopPolling();
  if (current && current.page.destroy) current.page.destroy();
  current = null;
  for (const a of navEl.querySelectorAll('a')) {
    if (a.dataset.page === def.id) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  /** @type {MakePage} */
  let make;
  try {
    make = await def.load();
  } catch (e) {
    showError(e);
    return;
  }
  if (seq !== shown || !contentEl) return;
  const page = make({ user: s.user, isAdmin });
  mount(contentEl, h('h1', { class: 'page-title' }, def.label), page.el);
  contentEl.dataset.page = def.id;
  document.title = `${def.label} · llmlb`;
  current = { page, timer: null, busy: false };
  void tick(current);
}

api.setUnauthorizedHandler(() => {
  api.logout();
  renderLogin('Your session has expired. Please sign in again.');
});

window.addEventListener('hashchange', () => {
  if (api.session() && navEl) void showPage();
});

document.addEventListener('visibilitychange', () => {
  if (!current) return;
  if (document.visibilityState === 'visible') {
    if (!current.timer) void tick(current);
  } else {
    stopPolling();
  }
});

/** On load with a stored token: check it is still valid and refresh the user's role. */
async function boot() {
  if (!api.session()) return renderLogin();
  try {
    /** @type {import('./openapi').components['schemas']['MeResponseDto']} */
    const me = await api.get('/v0/auth/me');
    if (me.kind === 'user' && me.role) api.rememberUser({ username: me.name, role: me.role });
  } catch (e) {
    if (e && e.status === 401) return; // the unauthorized handler shows the login form
  }
  renderShell();
}

void boot();
