// @ts-check
// One task-progress component for nodes, endpoints and models. Two server shapes feed it:
// tasks (GET /v0/tasks, GET /v0/models: progress 0–1, bytes per second) and an endpoint's
// download view (GET /v0/endpoints/:id/download/progress: percent 0–100, megabits per second).
import { h } from './dom.js';
import { badge, fmtBytes, progressBar } from './ui.js';

/** @typedef {import('./openapi').components['schemas']} S */

/**
 * What the component shows, whatever the source.
 * @typedef {object} Progress
 * @property {string} id
 * @property {string} model
 * @property {S['TaskDto']['status']} status
 * @property {number} percent 0–100
 * @property {number | null} downloadedBytes
 * @property {number | null} totalBytes
 * @property {number | null} bytesPerSec
 * @property {number | null} etaSeconds
 * @property {string | null} error
 */

/** Statuses of a task that is still running (the server sends no others). */
export const ACTIVE = new Set(['pending', 'in_progress']);

/**
 * @param {S['TaskDto']} t
 * @returns {Progress}
 */
export function fromTask(t) {
  return {
    id: t.id,
    model: t.model,
    status: t.status,
    percent: t.status === 'completed' ? 100 : t.progress * 100,
    downloadedBytes: t.downloaded_bytes,
    totalBytes: t.total_bytes,
    bytesPerSec: t.speed_bps,
    etaSeconds: t.eta_seconds,
    error: t.error,
  };
}

/**
 * @param {S['EndpointDownloadProgressItemDto']} t
 * @returns {Progress}
 */
export function fromEndpointDownload(t) {
  return {
    id: t.task_id,
    model: t.model,
    status: t.status,
    percent: t.status === 'completed' ? 100 : t.progress,
    downloadedBytes: null,
    totalBytes: null,
    bytesPerSec: t.speed_mbps === null ? null : (t.speed_mbps * 1e6) / 8,
    etaSeconds: t.eta_seconds,
    error: t.error,
  };
}

/**
 * The figures under the bar: "1.2 GB / 4.0 GB · 35 MB/s · 80 s left".
 * @param {Progress} p
 */
function figures(p) {
  const parts = [];
  if (p.totalBytes) parts.push(`${fmtBytes(p.downloadedBytes || 0)} / ${fmtBytes(p.totalBytes)}`);
  if (p.bytesPerSec && ACTIVE.has(p.status)) parts.push(`${fmtBytes(p.bytesPerSec)}/s`);
  if (p.etaSeconds !== null && Number.isFinite(p.etaSeconds) && ACTIVE.has(p.status))
    parts.push(`${Math.round(p.etaSeconds)} s left`);
  return parts.join(' · ');
}

/**
 * A task's bar and figures; `withHead` adds the model name and status badge above the bar,
 * `compact` (inside a table cell of other data) a narrower bar without the figures.
 * @param {Progress} p
 * @param {{testid?: string, withHead?: boolean, rowTestId?: string, compact?: boolean}} [opts]
 */
export function taskProgress(p, opts = {}) {
  const cls = ['task-progress', opts.withHead ? 'task' : '', opts.compact ? 'compact' : ''];
  return h(
    'div',
    {
      class: cls.filter(Boolean).join(' '),
      'data-testid': opts.rowTestId,
      'data-id': p.id,
      title: opts.compact ? `${p.model}: ${figures(p)}` : undefined,
    },
    opts.withHead
      ? h('div', { class: 'task-head' }, h('strong', {}, p.model), badge(p.status))
      : null,
    progressBar(p.percent, `Download of ${p.model}`, opts.testid || 'task-progress'),
    opts.compact
      ? null
      : h(
          'div',
          { class: 'muted small' },
          figures(p),
          p.error ? h('span', { class: 'text-bad' }, ` ${p.error}`) : null,
        ),
  );
}
