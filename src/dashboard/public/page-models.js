// @ts-check
// Models: registered models with where they are and their running downloads, the download
// tasks, and the Hugging Face catalog.
import { get, post, del, qs } from './api.js';
import { h, mount, patch } from './dom.js';
import {
  badge,
  chip,
  table,
  dialog,
  confirmDialog,
  button,
  toast,
  fmtBytes,
  fmtAgo,
  unavailable,
} from './ui.js';
import { ACTIVE, fromTask, taskProgress } from './task-progress.js';
import { catalogSection } from './catalog.js';

/** @typedef {import('./openapi').components['schemas']} S */

/**
 * @param {S['ModelDto']} model
 * @param {() => unknown} onDone
 */
function downloadToNodes(model, onDone) {
  const all = h('input', {
    type: 'radio',
    name: 'target',
    value: 'all',
    checked: true,
    'data-testid': 'dl-target-all',
  });
  const some = h('input', {
    type: 'radio',
    name: 'target',
    value: 'specific',
    'data-testid': 'dl-target-specific',
  });
  const list = h(
    'div',
    { class: 'node-picks', 'data-testid': 'dl-node-list' },
    h('p', { class: 'muted' }, 'Loading online nodes…'),
  );
  get(`/v0/nodes${qs({ status: 'online' })}`)
    .then((/** @type {S['NodeListDto']} */ data) => {
      const nodes = data.nodes;
      mount(
        list,
        nodes.length
          ? nodes.map((n) =>
              h(
                'label',
                { class: 'check' },
                h('input', {
                  type: 'checkbox',
                  value: n.id,
                  'data-testid': 'dl-node',
                  'data-id': n.id,
                }),
                ` ${n.custom_name || n.machine_name} `,
                h('span', { class: 'muted small' }, `${n.ip_address}:${n.runtime_port}`),
              ),
            )
          : h('p', { class: 'muted' }, 'No node is online.'),
      );
    })
    .catch((e) => mount(list, unavailable(e, 'Nodes')));
  dialog({
    title: `Download ${model.name}`,
    testid: 'model-download-dialog',
    body: h(
      'div',
      {},
      h('label', { class: 'check' }, all, ' To all online nodes'),
      h('label', { class: 'check' }, some, ' To selected nodes'),
      list,
    ),
    actions: [
      { label: 'Cancel' },
      {
        label: 'Start download',
        class: 'btn-primary',
        submit: true,
        testid: 'dl-submit',
        onclick: async (close) => {
          /** @type {S['NodeDownloadDto']} */
          const body = { model: model.name, target: all.checked ? 'all' : 'specific' };
          if (!all.checked)
            body.node_ids = [...list.querySelectorAll('input[type=checkbox]:checked')].map(
              (c) => /** @type {HTMLInputElement} */ (c).value,
            );
          /** @type {S['TaskIdsDto']} */
          const r = await post('/v0/models/download', body);
          const n = r.task_ids.length;
          toast(`Started ${n} download task${n === 1 ? '' : 's'} for ${model.name}`);
          close();
          onDone();
        },
      },
    ],
  });
}

/** @param {{isAdmin: boolean}} ctx */
export function modelsPage({ isAdmin }) {
  const modelsBox = h('div', {});
  const tasksBox = h('div', {});
  const el = h('div', { 'data-testid': 'page-models' });

  async function refreshModels() {
    /** @type {S['ModelDto'][]} */
    let models;
    try {
      /** @type {S['ModelListDto']} */
      const data = await get('/v0/models');
      models = data.models;
    } catch (e) {
      if (e.status === 401) throw e;
      patch(modelsBox, unavailable(e, 'Models'));
      return;
    }
    patch(
      modelsBox,
      table(
        [
          {
            label: 'Model',
            cell: (m) =>
              h(
                'div',
                {},
                h('strong', {}, m.name),
                h('div', { class: 'muted small' }, `${m.repo} / ${m.filename}`),
              ),
          },
          { label: 'Size', cell: (m) => fmtBytes(m.size_bytes), class: 'num' },
          {
            label: 'Where',
            cell: (m) => {
              const n = m.nodes.map((x) => x.machine_name);
              const e = m.endpoints.map((x) => x.name);
              if (!n.length && !e.length)
                return h('span', { class: 'muted' }, 'not on any backend yet');
              return h(
                'span',
                { class: 'chips' },
                n.map((x) => chip(x, 'chip-node')),
                e.map((x) => chip(x, 'chip-ep')),
              );
            },
          },
          {
            label: 'Task',
            cell: (m) => {
              const tasks = m.tasks.filter((t) => ACTIVE.has(t.status));
              return tasks.length
                ? h(
                    'div',
                    {},
                    tasks.map((t) => taskProgress(fromTask(t))),
                  )
                : h('span', { class: 'muted' }, '—');
            },
          },
          {
            label: '',
            class: 'actions',
            cell: (m) =>
              isAdmin
                ? h(
                    'div',
                    { class: 'btn-row' },
                    button('Download…', () => downloadToNodes(m, refresh), {
                      class: 'btn-sm btn-primary',
                      'data-testid': 'model-download',
                    }),
                    button(
                      'Delete',
                      () =>
                        confirmDialog(
                          'Delete model',
                          `Remove ${m.name} from the registry?`,
                          'Delete',
                          async () => {
                            await del(`/v0/models/${encodeURIComponent(m.name)}`);
                            await refresh();
                          },
                        ),
                      { class: 'btn-sm btn-ghost', 'data-testid': 'model-delete' },
                    ),
                  )
                : null,
          },
        ],
        models,
        {
          rowId: (m) => m.name,
          rowTestId: 'model-row',
          testid: 'models-table',
          empty: 'No registered models. Search the catalog below and register a GGUF file.',
        },
      ),
    );
  }

  async function refreshTasks() {
    /** @type {S['TaskDto'][]} */
    let tasks;
    // Tasks carry node_id / endpoint_id only: names come from the node and endpoint lists
    // (when the user may read them; otherwise the id prefix is shown).
    const [nodesRes, endpointsRes] = await Promise.allSettled([
      get('/v0/nodes'),
      get('/v0/endpoints'),
    ]);
    /** @type {Map<string, string>} */
    const nameOf = new Map();
    if (nodesRes.status === 'fulfilled')
      for (const n of /** @type {S['NodeListDto']} */ (nodesRes.value).nodes)
        nameOf.set(n.id, n.custom_name || n.machine_name);
    if (endpointsRes.status === 'fulfilled')
      for (const e of /** @type {S['EndpointListDto']} */ (endpointsRes.value).endpoints)
        nameOf.set(e.id, e.name);
    /** @param {string} id */
    const target = (id) => nameOf.get(id) || id.slice(0, 8);
    try {
      /** @type {S['TaskListDto']} */
      const data = await get('/v0/tasks');
      tasks = data.tasks;
    } catch (e) {
      if (e.status === 401) throw e;
      patch(tasksBox, unavailable(e, 'Tasks'));
      return;
    }
    tasks = tasks
      .slice()
      .sort(
        (a, b) =>
          Number(ACTIVE.has(b.status)) - Number(ACTIVE.has(a.status)) ||
          b.created_at.localeCompare(a.created_at),
      )
      .slice(0, 30);
    patch(
      tasksBox,
      table(
        [
          { label: 'Model', cell: (t) => h('strong', {}, t.model) },
          {
            label: 'Target',
            cell: (t) =>
              t.node_id
                ? chip(`node ${target(t.node_id)}`, 'chip-node')
                : t.endpoint_id
                  ? chip(`endpoint ${target(t.endpoint_id)}`, 'chip-ep')
                  : '—',
          },
          {
            label: 'Status',
            cell: (t) =>
              h(
                'div',
                {},
                badge(t.status),
                t.error ? h('div', { class: 'text-bad small' }, t.error) : null,
              ),
          },
          { label: 'Progress', cell: (t) => taskProgress(fromTask(t)) },
          { label: 'Started', cell: (t) => fmtAgo(t.started_at || t.created_at) },
          {
            label: '',
            class: 'actions',
            cell: (t) =>
              isAdmin && ACTIVE.has(t.status)
                ? button(
                    'Cancel',
                    async () => {
                      await post(`/v0/tasks/${t.id}/cancel`);
                      await refreshTasks();
                    },
                    { class: 'btn-sm btn-ghost', 'data-testid': 'task-cancel' },
                  )
                : null,
          },
        ],
        tasks,
        {
          rowId: (t) => t.id,
          rowTestId: 'task-row',
          testid: 'tasks-table',
          empty: 'No download tasks.',
        },
      ),
    );
  }

  async function refresh() {
    await Promise.all([refreshModels(), refreshTasks()]);
  }

  mount(
    el,
    h('section', { class: 'panel' }, h('h2', {}, 'Registered models'), modelsBox),
    h('section', { class: 'panel' }, h('h2', {}, 'Download tasks'), tasksBox),
    catalogSection(isAdmin, () => void refresh()),
  );
  return { el, refresh };
}
