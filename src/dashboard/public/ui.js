// @ts-check
// Shared components: badges, meters, tables, dialogs, formatting, toasts.
import { h } from './dom.js';

/** @typedef {import('./dom.js').Child} Child */

/**
 * A table column: `cell` renders one row's cell.
 * @template R
 * @typedef {{label: string, cell: (row: R) => Child, class?: string}} Column
 */

/** @type {Record<string, string>} */
const STATUS_KIND = {
  online: 'ok',
  completed: 'ok',
  ready: 'ok',
  registered: 'info',
  pending: 'warn',
  registering: 'info',
  in_progress: 'info',
  error: 'bad',
  failed: 'bad',
  offline: 'muted',
  cancelled: 'muted',
  unknown: 'muted',
};

/** @param {string | null | undefined} status */
export function badge(status) {
  const st = status == null || status === '' ? 'unknown' : String(status);
  return h(
    'span',
    { class: `badge badge-${STATUS_KIND[st] || 'muted'}`, 'data-testid': 'status-badge' },
    st.replace(/_/g, ' '),
  );
}

/**
 * @param {string} text
 * @param {string} [cls]
 */
export function chip(text, cls = '') {
  return h('span', { class: `chip ${cls}` }, text);
}

/** An accessible progress bar; `percent` is 0–100. */
/**
 * @param {number} percent
 * @param {string} label
 * @param {string} [testid]
 */
export function progressBar(percent, label, testid = 'progress') {
  const p = Math.max(0, Math.min(100, Number.isFinite(percent) ? percent : 0));
  const fill = h('div', { class: 'progress-fill' });
  fill.style.width = `${p}%`;
  const track = h('div', { class: 'progress-track' }, fill);
  return h(
    'div',
    {
      class: 'progress',
      role: 'progressbar',
      'aria-valuemin': 0,
      'aria-valuemax': 100,
      'aria-valuenow': Math.round(p),
      'aria-label': label || 'progress',
      'data-testid': testid,
    },
    track,
    h('span', { class: 'progress-text' }, `${Math.round(p)} %`),
  );
}

/** A small inline meter for usage percentages. */
/**
 * @param {string} label
 * @param {number | null | undefined} value
 */
export function meter(label, value) {
  if (value === undefined || value === null || !Number.isFinite(Number(value))) return null;
  const v = Math.max(0, Math.min(100, Number(value)));
  const fill = h('span', { class: `meter-fill ${v > 90 ? 'hot' : v > 70 ? 'warm' : ''}` });
  fill.style.width = `${v}%`;
  return h(
    'div',
    { class: 'meter', title: `${label} ${v.toFixed(0)} %` },
    h('span', { class: 'meter-label' }, label),
    h('span', { class: 'meter-bar' }, fill),
    h('span', { class: 'meter-value' }, `${v.toFixed(0)}%`),
  );
}

/** @param {number | null | undefined} n */
export function fmtBytes(n) {
  const v = Number(n);
  if (n === null || n === undefined || !Number.isFinite(v)) return '—';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  let x = v;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${x >= 10 || i === 0 ? x.toFixed(0) : x.toFixed(1)} ${units[i]}`;
}

/** @param {number | null | undefined} n */
export function fmtMs(n) {
  const v = Number(n);
  if (n === null || n === undefined || !Number.isFinite(v)) return '—';
  return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v < 10 ? 1 : 0)} ms`;
}

/**
 * @param {number | null | undefined} n
 * @param {number} [digits]
 */
export function fmtNum(n, digits = 0) {
  const v = Number(n);
  if (n === null || n === undefined || !Number.isFinite(v)) return '—';
  return v.toLocaleString('en-US', { maximumFractionDigits: digits });
}

/** @param {number | null | undefined} fraction 0–1 */
export function fmtPct(fraction) {
  const v = Number(fraction);
  if (fraction === null || fraction === undefined || !Number.isFinite(v)) return '—';
  return `${(v * 100).toFixed(v < 0.1 ? 1 : 0)} %`;
}

/** @param {string | null | undefined} ts RFC 3339 */
export function fmtAgo(ts) {
  if (!ts) return '—';
  const t = new Date(ts).getTime();
  if (!Number.isFinite(t)) return '—';
  const d = Math.round((Date.now() - t) / 1000);
  if (d < 5) return 'just now';
  if (d < 60) return `${d} s ago`;
  if (d < 3600) return `${Math.floor(d / 60)} min ago`;
  if (d < 86400) return `${Math.floor(d / 3600)} h ago`;
  return new Date(t).toISOString().slice(0, 10);
}

/** @param {string | number | null | undefined} ts RFC 3339 or epoch ms */
export function fmtTime(ts) {
  if (!ts) return '—';
  const d = new Date(ts);
  if (!Number.isFinite(d.getTime())) return '—';
  return d.toLocaleString('en-GB', { hour12: false });
}

/**
 * A data table. Rows get data-id from `rowId(row)`: tests find them by it, and patch() keeps
 * a row (with its focus and selection) across refreshes by it. Narrow screens show rows as
 * cards.
 * @template R
 * @param {Array<Column<R>>} columns
 * @param {R[]} rows
 * @param {{rowId?: (row: R) => string, rowTestId?: string, testid?: string, empty?: string,
 *   rowClass?: (row: R) => string}} [opts]
 */
export function table(columns, rows, opts = {}) {
  const thead = h(
    'thead',
    {},
    h(
      'tr',
      {},
      columns.map((c) => h('th', { class: c.class }, c.label)),
    ),
  );
  const body = rows.length
    ? rows.map((r) =>
        h(
          'tr',
          {
            'data-id': opts.rowId ? opts.rowId(r) : undefined,
            'data-testid': opts.rowTestId || 'row',
            class: opts.rowClass ? opts.rowClass(r) : undefined,
          },
          columns.map((c) => h('td', { class: c.class, 'data-label': c.label }, c.cell(r))),
        ),
      )
    : [
        h(
          'tr',
          { class: 'empty' },
          h('td', { colspan: columns.length }, opts.empty || 'Nothing here yet.'),
        ),
      ];
  return h(
    'div',
    { class: 'table-wrap' },
    h('table', { class: 'data', 'data-testid': opts.testid }, thead, h('tbody', {}, body)),
  );
}

let toastSeq = 0;
/**
 * A transient message; errors stay until clicked.
 * @param {string} message
 * @param {'info' | 'error'} [kind]
 */
export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  if (!box) return;
  const id = ++toastSeq;
  const el = h(
    'div',
    {
      class: `toast toast-${kind}`,
      role: kind === 'error' ? 'alert' : 'status',
      'data-testid': kind === 'error' ? 'toast-error' : 'toast',
      'data-seq': id,
      onclick: () => el.remove(),
    },
    message,
  );
  box.appendChild(el);
  setTimeout(() => el.remove(), kind === 'error' ? 10000 : 4000);
}

/** @param {unknown} e */
export function showError(e) {
  toast(errorMessage(e), 'error');
}

/** @param {unknown} e */
export function errorMessage(e) {
  if (!e) return 'Unknown error';
  return (e instanceof Error && e.message) || String(e);
}

/**
 * A modal dialog. `body` is a Node; `actions`: [{label, class, onclick(close) → Promise?}].
 * An action that throws keeps the dialog open and shows the server's message inside it.
 */
/**
 * @typedef {{label: string, class?: string, testid?: string, submit?: boolean,
 *   onclick?: (close: () => void) => unknown}} DialogAction
 * @param {{title: string, body: Child, actions?: DialogAction[], testid?: string,
 *   onclose?: () => void}} opts
 */
export function dialog({ title, body, actions = [], testid = 'dialog', onclose }) {
  const err = h('p', {
    class: 'dialog-error',
    role: 'alert',
    'data-testid': 'dialog-error',
    hidden: true,
  });
  const dlg = h('dialog', { class: 'dialog', 'data-testid': testid, 'aria-label': title });
  const close = () => {
    if (dlg.open) dlg.close();
  };
  dlg.addEventListener('close', () => {
    dlg.remove();
    if (onclose) onclose();
  });
  const buttons = actions.map((a) => {
    const btn = h(
      'button',
      {
        type: a.submit ? 'submit' : 'button',
        class: `btn ${a.class || ''}`,
        'data-testid': a.testid,
      },
      a.label,
    );
    btn.addEventListener('click', async (ev) => {
      ev.preventDefault();
      if (!a.onclick) return close();
      err.hidden = true;
      btn.disabled = true;
      try {
        await a.onclick(close);
      } catch (e) {
        err.textContent = errorMessage(e);
        err.hidden = false;
      } finally {
        btn.disabled = false;
      }
    });
    return btn;
  });
  const form = h(
    'form',
    { method: 'dialog', class: 'dialog-form' },
    h(
      'header',
      { class: 'dialog-head' },
      h('h2', {}, title),
      h(
        'button',
        { type: 'button', class: 'icon-btn', 'aria-label': 'Close', onclick: close },
        '×',
      ),
    ),
    h('div', { class: 'dialog-body' }, body),
    err,
    h('footer', { class: 'dialog-actions' }, buttons),
  );
  // Enter in a field triggers the primary (submit) action.
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const primary = buttons[actions.findIndex((a) => a.submit)];
    if (primary) primary.click();
  });
  dlg.appendChild(form);
  document.body.appendChild(dlg);
  dlg.showModal();
  return { el: dlg, close, error: err };
}

/**
 * Asks for confirmation; resolves after `action` succeeded.
 * @param {string} title
 * @param {string} text
 * @param {string} label
 * @param {() => Promise<unknown>} action
 */
export function confirmDialog(title, text, label, action) {
  dialog({
    title,
    testid: 'confirm-dialog',
    body: h('p', {}, text),
    actions: [
      { label: 'Cancel' },
      {
        label,
        class: 'btn-danger',
        testid: 'confirm',
        submit: true,
        onclick: async (close) => {
          await action();
          close();
        },
      },
    ],
  });
}

/**
 * A labelled form field.
 * @param {string} label
 * @param {Child} input
 * @param {string} [hint]
 */
export function field(label, input, hint) {
  return h(
    'label',
    { class: 'field' },
    h('span', { class: 'field-label' }, label),
    input,
    hint ? h('small', {}, hint) : null,
  );
}

/**
 * @param {string} label
 * @param {(ev: Event) => unknown} onclick
 * @param {Record<string, unknown>} [attrs]
 */
export function button(label, onclick, attrs = {}) {
  const { class: cls, ...rest } = attrs;
  return h(
    'button',
    { type: 'button', ...rest, class: `btn ${cls || ''}`, onclick: wrapAction(onclick) },
    label,
  );
}

/** Runs an async click handler with the button disabled, showing failures as a toast. */
/** @param {(ev: Event) => unknown} fn */
export function wrapAction(fn) {
  return async (/** @type {Event} */ ev) => {
    const btn = /** @type {HTMLButtonElement | null} */ (ev && ev.currentTarget);
    if (btn) btn.disabled = true;
    try {
      await fn(ev);
    } catch (e) {
      showError(e);
    } finally {
      if (btn) btn.disabled = false;
    }
  };
}

/**
 * Empty state or error panel for a section whose API answered with an error.
 * @param {any} e
 * @param {string} what
 */
export function unavailable(e, what) {
  const notBuilt = e && e.status === 404 && e.code === 'route_not_found';
  return h(
    'div',
    { class: 'notice notice-error', 'data-testid': 'page-error', role: 'alert' },
    notBuilt ? `${what}: not available on this server.` : errorMessage(e),
  );
}
