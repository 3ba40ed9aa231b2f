// @ts-check
// Requests: the history of proxied requests, filtered and paged.
import { get, qs } from './api.js';
import { h, patch } from './dom.js';
import {
  table,
  field,
  button,
  toast,
  fmtMs,
  fmtNum,
  fmtTime,
  unavailable,
  errorMessage,
} from './ui.js';

/** @typedef {import('./openapi').components['schemas']} S */

export function requestsPage() {
  const model = h('input', {
    placeholder: 'Model',
    'aria-label': 'Model',
    'data-testid': 'req-model',
  });
  const backend = h('input', {
    placeholder: 'Backend ID',
    'aria-label': 'Backend ID',
    'data-testid': 'req-backend',
  });
  const status = h('input', {
    placeholder: 'Status (e.g. 200)',
    'aria-label': 'Status',
    'data-testid': 'req-status',
    inputmode: 'numeric',
    size: 8,
  });
  const from = h('input', {
    type: 'datetime-local',
    'aria-label': 'From',
    'data-testid': 'req-from',
  });
  const to = h('input', { type: 'datetime-local', 'aria-label': 'To', 'data-testid': 'req-to' });
  const pager = h('div', { class: 'pager' });
  const body = h('div', {});
  let page = 1;
  const perPage = 50;
  const form = h(
    'form',
    { class: 'toolbar filters' },
    model,
    backend,
    status,
    field('From', from),
    field('To', to),
    h('button', { type: 'submit', class: 'btn', 'data-testid': 'req-apply' }, 'Apply'),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    page = 1;
    refresh().catch((e) => toast(errorMessage(e), 'error'));
  });
  const el = h('div', { 'data-testid': 'page-requests' }, form, body, pager);
  /** @param {string} v */
  const iso = (v) => (v ? new Date(v).toISOString() : undefined);

  async function refresh() {
    /** @type {S['RequestHistoryListDto']} */
    let data;
    try {
      data = await get(
        `/v0/requests${qs({ model: model.value.trim(), backend_id: backend.value.trim(), status: status.value.trim(), from: iso(from.value), to: iso(to.value), page, per_page: perPage })}`,
      );
    } catch (e) {
      if (e.status === 401) throw e;
      patch(body, unavailable(e, 'Request history'));
      patch(pager);
      return;
    }
    const rows = data.requests;
    const total = data.total;
    patch(
      body,
      table(
        [
          {
            label: 'Time',
            cell: (r) => fmtTime(r.created_at),
          },
          { label: 'Model', cell: (r) => h('code', {}, r.model || '—') },
          {
            label: 'Backend',
            cell: (r) => r.backend_name || r.backend_id || '—',
          },
          {
            label: 'Status',
            cell: (r) => h('span', { class: r.status >= 400 ? 'text-bad' : 'text-ok' }, r.status),
          },
          {
            label: 'Latency',
            cell: (r) => fmtMs(r.latency_ms),
            class: 'num',
          },
          {
            label: 'TTFT',
            cell: (r) => fmtMs(r.ttft_ms),
            class: 'num',
          },
          {
            label: 'Tokens in / out',
            cell: (r) => `${fmtNum(r.prompt_tokens)} / ${fmtNum(r.completion_tokens)}`,
            class: 'num',
          },
          {
            label: 'Key',
            cell: (r) => (r.api_key_id ? h('code', {}, r.api_key_id.slice(0, 8)) : '—'),
          },
        ],
        rows,
        {
          rowId: (r) => r.id,
          rowTestId: 'request-row',
          testid: 'requests-table',
          empty: 'No requests match.',
        },
      ),
    );
    const pages = Math.max(1, Math.ceil(total / perPage));
    patch(
      pager,
      button(
        '‹ Prev',
        async () => {
          page = Math.max(1, page - 1);
          await refresh();
        },
        { class: 'btn-sm', disabled: page <= 1 },
      ),
      h('span', { class: 'muted' }, `Page ${page} of ${pages} · ${fmtNum(total)} requests`),
      button(
        'Next ›',
        async () => {
          page = Math.min(pages, page + 1);
          await refresh();
        },
        { class: 'btn-sm', disabled: page >= pages },
      ),
    );
  }
  return { el, refresh };
}
