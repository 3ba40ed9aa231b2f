// @ts-check
// The overview's "Scheduling" panel: admission queues per model and the slots of every backend
// (GET /v0/stats → scheduling). Live state, refreshed with the page.
import { h } from './dom.js';
import { badge, chip, table, fmtNum, fmtTime } from './ui.js';

/** @typedef {import('./openapi').components['schemas']} S */

/**
 * "in use / capacity" with a bar; an unlimited backend shows "n / ∞" and no bar.
 * @param {S['BackendSlotsDto']} b
 */
export function slotsCell(b) {
  const cap = b.max_concurrency;
  const text = `${fmtNum(b.in_flight)} / ${cap == null ? '∞' : fmtNum(cap)}`;
  const title =
    cap == null
      ? `${b.in_flight} in flight, no slot limit`
      : `${b.in_flight} of ${cap} slots in use`;
  let bar = null;
  if (cap != null && cap > 0) {
    const pct = Math.min(100, (b.in_flight / cap) * 100);
    const fill = h('span', { class: `meter-fill ${pct >= 100 ? 'hot' : pct >= 75 ? 'warm' : ''}` });
    fill.style.width = `${pct}%`;
    bar = h('span', { class: 'meter-bar' }, fill);
  }
  return h(
    'div',
    { class: 'slots', title },
    bar,
    h('span', { class: 'slots-value', 'data-testid': 'backend-slots' }, text),
  );
}

/** @param {string} ts RFC 3339 → local HH:MM:SS */
function clock(ts) {
  const d = new Date(ts);
  return Number.isFinite(d.getTime()) ? d.toLocaleTimeString('en-GB', { hour12: false }) : '—';
}

/** @param {S['BackendSlotsDto']} b */
function stateCell(b) {
  return h(
    'span',
    { class: 'counts' },
    badge(b.online ? 'online' : 'offline'),
    b.ejected
      ? h(
          'span',
          {
            class: 'badge badge-bad',
            'data-testid': 'backend-ejected',
            title: b.ejected_until
              ? `Out of the rotation until ${fmtTime(b.ejected_until)}, then a probe`
              : 'Out of the rotation after consecutive failures',
          },
          'ejected',
        )
      : null,
    b.ejected && b.ejected_until
      ? h('span', { class: 'muted small until' }, `until ${clock(b.ejected_until)}`)
      : null,
  );
}

/** @param {S['SchedulingDto']} sched */
function queueList(sched) {
  if (!sched.queues.length)
    return h(
      'p',
      { class: 'muted small', 'data-testid': 'queues-empty' },
      'No request is waiting.',
    );
  return h(
    'ul',
    { class: 'queues', 'data-testid': 'queues' },
    sched.queues.map((q) =>
      h(
        'li',
        { 'data-id': q.model, 'data-testid': 'queue-row' },
        h('code', { class: 'queue-model', title: q.model }, q.model),
        h('span', { class: 'queue-waiting', 'data-testid': 'queue-waiting' }, fmtNum(q.waiting)),
      ),
    ),
  );
}

/** @type {Array<import('./ui.js').Column<S['BackendSlotsDto']>>} */
const COLUMNS = [
  {
    label: 'Backend',
    cell: (b) =>
      h(
        'span',
        { class: 'nowrap' },
        b.name,
        ' ',
        chip(b.kind, b.kind === 'node' ? 'chip-node' : 'chip-ep'),
      ),
  },
  { label: 'State', cell: stateCell },
  { label: 'Slots in use', cell: slotsCell },
  {
    label: 'Failures in a row',
    class: 'num',
    cell: (b) => fmtNum(b.consecutive_failures),
  },
  { label: 'Ejections', class: 'num', cell: (b) => fmtNum(b.ejections) },
];

/** @param {S['SchedulingDto']} sched */
export function schedulingPanel(sched) {
  const ejected = sched.backends.filter((b) => b.ejected).length;
  // Slots in use over the fleet (queued requests are not in flight yet).
  const inFlight = sched.backends.reduce((n, b) => n + b.in_flight, 0);
  return h(
    'section',
    { class: 'panel', 'data-testid': 'scheduling-panel' },
    h(
      'div',
      { class: 'panel-head' },
      h('h2', {}, 'Scheduling'),
      h(
        'span',
        { class: 'counts small' },
        h(
          'span',
          { class: 'count' },
          h('strong', { 'data-testid': 'sched-waiting' }, fmtNum(sched.waiting)),
          ' waiting',
        ),
        h(
          'span',
          { class: 'count' },
          h('strong', { 'data-testid': 'sched-in-flight' }, fmtNum(inFlight)),
          ' in flight',
        ),
        ejected
          ? h('span', { class: 'count text-bad' }, h('strong', {}, fmtNum(ejected)), ' ejected')
          : null,
      ),
    ),
    h('h3', {}, 'Queued per model'),
    queueList(sched),
    h('h3', {}, 'Slots per backend'),
    table(COLUMNS, sched.backends, {
      rowId: (b) => b.id,
      rowTestId: 'backend-slots-row',
      testid: 'backend-slots-table',
      rowClass: (b) => (b.ejected ? 'row-ejected' : ''),
      empty: 'No backend yet.',
    }),
  );
}
