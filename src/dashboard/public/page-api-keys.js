// @ts-check
// API keys (admin): create (the key is shown once), list, revoke.
import { get, post, del } from './api.js';
import { h, mount, patch } from './dom.js';
import {
  chip,
  table,
  dialog,
  confirmDialog,
  field,
  button,
  toast,
  fmtTime,
  fmtAgo,
  unavailable,
} from './ui.js';

/** @typedef {import('./openapi').components['schemas']} S */

const PERMISSIONS = [
  ['inference', 'Call /v1 (chat, completions, embeddings)'],
  ['models.read', 'List models and the catalog'],
  ['models.manage', 'Register and download models'],
  ['endpoints.read', 'List endpoints'],
  ['endpoints.manage', 'Add, change and delete endpoints'],
  ['nodes.read', 'List nodes'],
  ['nodes.manage', 'Approve, reject and configure nodes'],
  ['nodes.register', 'Register GPU nodes'],
  ['tasks.read', 'Read download tasks'],
  ['metrics.read', 'Scrape /metrics'],
  ['api_keys.manage', 'Manage API keys'],
  ['users.manage', 'Manage users'],
];

/** @param {string} text */
async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export function apiKeysPage() {
  const fresh = h('div', {});
  const body = h('div', {});
  const el = h(
    'div',
    { 'data-testid': 'page-api-keys' },
    h(
      'div',
      { class: 'toolbar' },
      h(
        'span',
        { class: 'muted' },
        'Keys authenticate apps and scripts (Authorization: Bearer sk_…).',
      ),
      h('span', { class: 'spacer' }),
      button('Create API key', () => createKey(), {
        class: 'btn-primary',
        'data-testid': 'create-key',
      }),
    ),
    fresh,
    body,
  );

  /** @param {S['CreatedApiKeyDto']} created */
  function showOnce(created) {
    const keyEl = h('code', { class: 'secret', 'data-testid': 'new-key' }, created.key);
    const copy = button(
      'Copy',
      async () => {
        const ok = await copyText(created.key);
        if (!ok) {
          const r = document.createRange();
          r.selectNodeContents(keyEl);
          const sel = getSelection();
          sel?.removeAllRanges();
          sel?.addRange(r);
        }
        toast(ok ? 'Key copied to the clipboard' : 'Select the key and copy it');
      },
      { class: 'btn-sm', 'data-testid': 'copy-key' },
    );
    mount(
      fresh,
      h(
        'div',
        { class: 'notice notice-ok once', 'data-testid': 'new-key-panel', role: 'status' },
        h('strong', {}, `New key “${created.name}”`),
        h('p', {}, 'Copy it now: it is shown only once and cannot be retrieved later.'),
        h('div', { class: 'secret-row' }, keyEl, copy),
        button('Done', () => mount(fresh), {
          class: 'btn-sm btn-ghost',
          'data-testid': 'dismiss-key',
        }),
      ),
    );
  }

  function createKey() {
    const name = h('input', {
      required: true,
      maxlength: 100,
      'data-testid': 'key-name',
      placeholder: 'my-app',
    });
    const expires = h('input', { type: 'date', 'data-testid': 'key-expires' });
    const boxes = PERMISSIONS.map(([p, label]) =>
      h(
        'label',
        { class: 'check perm' },
        h('input', {
          type: 'checkbox',
          value: p,
          checked: p === 'inference',
          'data-testid': `perm-${p}`,
        }),
        h('span', {}, h('code', {}, p), h('small', { class: 'muted' }, ` ${label}`)),
      ),
    );
    dialog({
      title: 'Create API key',
      testid: 'key-dialog',
      body: h(
        'div',
        {},
        field('Name', name),
        h('fieldset', { class: 'perms' }, h('legend', {}, 'Permissions'), boxes),
        field('Expires (optional)', expires),
      ),
      actions: [
        { label: 'Cancel' },
        {
          label: 'Create key',
          class: 'btn-primary',
          submit: true,
          testid: 'key-submit',
          onclick: async (close) => {
            const permissions = boxes
              .map((b) => /** @type {HTMLInputElement} */ (b.querySelector('input')))
              .filter((i) => i.checked)
              .map((i) => i.value);
            /** @type {S['CreateApiKeyDto']} */
            const payload = {
              name: name.value.trim(),
              permissions: /** @type {S['CreateApiKeyDto']['permissions']} */ (permissions),
            };
            if (expires.value)
              payload.expires_at = new Date(`${expires.value}T23:59:59Z`).toISOString();
            /** @type {S['CreatedApiKeyDto']} */
            const created = await post('/v0/api-keys', payload);
            close();
            showOnce(created);
            await refresh();
          },
        },
      ],
    });
  }

  async function refresh() {
    /** @type {S['ApiKeyDto'][]} */
    let keys;
    try {
      /** @type {S['ApiKeyListDto']} */
      const data = await get('/v0/api-keys');
      keys = data.api_keys;
    } catch (e) {
      if (e.status === 401) throw e;
      patch(body, unavailable(e, 'API keys'));
      return;
    }
    patch(
      body,
      table(
        [
          { label: 'Name', cell: (k) => h('strong', {}, k.name) },
          { label: 'Key', cell: (k) => h('code', {}, `${k.key_prefix}…`) },
          {
            label: 'Permissions',
            cell: (k) =>
              h(
                'span',
                { class: 'chips' },
                k.permissions.map((p) => chip(p)),
              ),
          },
          { label: 'Expires', cell: (k) => (k.expires_at ? fmtTime(k.expires_at) : 'never') },
          {
            label: 'Created',
            cell: (k) => h('span', { title: fmtTime(k.created_at) }, fmtAgo(k.created_at)),
          },
          {
            label: '',
            class: 'actions',
            cell: (k) =>
              button(
                'Revoke',
                () =>
                  confirmDialog(
                    'Revoke API key',
                    `Revoke “${k.name}” (${k.key_prefix}…)? Apps using it stop working at once.`,
                    'Revoke',
                    async () => {
                      await del(`/v0/api-keys/${k.id}`);
                      toast(`Revoked ${k.name}`);
                      await refresh();
                    },
                  ),
                { class: 'btn-sm btn-ghost', 'data-testid': 'revoke-key' },
              ),
          },
        ],
        keys,
        {
          rowId: (k) => k.id,
          rowTestId: 'key-row',
          testid: 'keys-table',
          empty: 'No API keys yet.',
        },
      ),
    );
  }
  return { el, refresh };
}
