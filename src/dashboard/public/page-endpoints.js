// @ts-check
// Endpoints: OpenAI-compatible servers added by an admin, with their health and actions.
import { get, post, del, qs } from './api.js';
import { h, patch } from './dom.js';
import {
  badge,
  chip,
  table,
  confirmDialog,
  button,
  toast,
  fmtMs,
  fmtNum,
  unavailable,
  errorMessage,
} from './ui.js';
import {
  TYPES,
  TYPE_LABEL,
  endpointForm,
  endpointDetail,
  downloadDialog,
} from './endpoint-dialogs.js';

/** @typedef {import('./openapi').components['schemas']} S */

/** @param {{isAdmin: boolean}} ctx */
export function endpointsPage({ isAdmin }) {
  const typeFilter = h(
    'select',
    {
      'aria-label': 'Type filter',
      'data-testid': 'endpoints-type-filter',
      onchange: () => refresh(),
    },
    h('option', { value: '' }, 'All types'),
    [...TYPES, /** @type {const} */ ('unknown')].map((t) =>
      h('option', { value: t }, TYPE_LABEL[t]),
    ),
  );
  const statusFilter = h(
    'select',
    {
      'aria-label': 'Status filter',
      'data-testid': 'endpoints-status-filter',
      onchange: () => refresh(),
    },
    ['', 'online', 'error', 'offline', 'pending'].map((v) =>
      h('option', { value: v }, v || 'All statuses'),
    ),
  );
  const body = h('div', {});
  const el = h(
    'div',
    { 'data-testid': 'page-endpoints' },
    h(
      'div',
      { class: 'toolbar' },
      typeFilter,
      statusFilter,
      h('span', { class: 'spacer' }),
      isAdmin
        ? button('Add endpoint', () => endpointForm(null, refresh), {
            class: 'btn-primary',
            'data-testid': 'add-endpoint',
          })
        : null,
    ),
    body,
  );

  async function refresh() {
    /** @type {S['EndpointDto'][]} */
    let eps;
    try {
      /** @type {S['EndpointListDto']} */
      const data = await get(
        `/v0/endpoints${qs({ type: typeFilter.value, status: statusFilter.value })}`,
      );
      eps = data.endpoints;
    } catch (e) {
      if (e.status === 401) throw e;
      patch(body, unavailable(e, 'Endpoints'));
      return;
    }
    /** @param {string} id */
    const open = async (id) => endpointDetail(await get(`/v0/endpoints/${id}`));
    // Edit starts from the server's current state, not from the row as it was last polled.
    /** @param {string} id */
    const edit = async (id) => endpointForm(await get(`/v0/endpoints/${id}`), refresh);
    /** @type {Array<import('./ui.js').Column<S['EndpointDto']>>} */
    const columns = [
      {
        label: 'Name / URL',
        class: 'nowrap',
        cell: (e) =>
          h(
            'div',
            {},
            h(
              'a',
              {
                href: '#',
                class: 'link',
                'data-testid': 'endpoint-open',
                onclick: (/** @type {Event} */ ev) => {
                  ev.preventDefault();
                  open(e.id).catch((x) => toast(errorMessage(x), 'error'));
                },
              },
              e.name,
            ),
            e.enabled === false ? chip('disabled', 'chip-muted') : null,
            // The URL under the name (like a node's address) leaves room for the actions.
            h(
              'div',
              { class: 'muted small' },
              h('code', { class: 'url', title: e.base_url }, e.base_url),
            ),
          ),
      },
      {
        label: 'Type',
        class: 'nowrap',
        cell: (e) => TYPE_LABEL[e.endpoint_type],
      },
      { label: 'Status', cell: (e) => badge(e.status) },
      { label: 'Latency', cell: (e) => fmtMs(e.latency_ms), class: 'num' },
      {
        label: 'Models',
        cell: (e) => fmtNum(e.model_count),
        class: 'num',
      },
      {
        label: 'Last error',
        cell: (e) =>
          e.last_error
            ? h('span', { class: 'text-bad small', title: e.last_error }, e.last_error)
            : h('span', { class: 'muted' }, '—'),
      },
      {
        label: '',
        class: 'actions compact',
        cell: (e) =>
          isAdmin
            ? h(
                'div',
                { class: 'btn-row' },
                button(
                  'Test',
                  async () => {
                    /** @type {S['EndpointTestResultDto']} */
                    const r = await post(`/v0/endpoints/${e.id}/test`);
                    if (r.success)
                      toast(
                        `${e.name}: online in ${fmtMs(r.latency_ms)} · ${TYPE_LABEL[r.endpoint_type]} · ${r.models_found ?? 0} models`,
                      );
                    else toast(`${e.name}: ${r.error || 'test failed'}`, 'error');
                    await refresh();
                  },
                  { class: 'btn-sm', 'data-testid': 'endpoint-test' },
                ),
                button(
                  'Sync',
                  async () => {
                    /** @type {S['SyncResultDto']} */
                    const r = await post(`/v0/endpoints/${e.id}/sync`);
                    toast(`${e.name}: models synced (+${r.added} −${r.removed} ~${r.updated})`);
                    await refresh();
                  },
                  { class: 'btn-sm', 'data-testid': 'endpoint-sync' },
                ),
                button('Edit', () => edit(e.id), {
                  class: 'btn-sm',
                  'data-testid': 'endpoint-edit',
                }),
                e.endpoint_type === 'xllm' || e.endpoint_type === 'ollama'
                  ? button('Download', () => downloadDialog(e), {
                      class: 'btn-sm',
                      'data-testid': 'endpoint-download',
                    })
                  : null,
                button(
                  'Delete',
                  () =>
                    confirmDialog(
                      'Delete endpoint',
                      `Delete ${e.name}? Traffic to it stops at once.`,
                      'Delete',
                      async () => {
                        await del(`/v0/endpoints/${e.id}`);
                        await refresh();
                      },
                    ),
                  { class: 'btn-ghost btn-sm', 'data-testid': 'endpoint-delete' },
                ),
              )
            : null,
      },
    ];
    patch(
      body,
      table(columns, eps, {
        rowId: (e) => e.id,
        rowTestId: 'endpoint-row',
        testid: 'endpoints-table',
        empty: 'No endpoints yet. Add an Ollama, vLLM, LM Studio, llama.cpp or xLLM server.',
      }),
    );
  }
  return { el, refresh };
}
