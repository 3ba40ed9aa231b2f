// @ts-check
// Nodes: GPU machines that registered themselves; approval, settings and their downloads.
import { get, post, put, del, qs } from './api.js';
import { h, patch } from './dom.js';
import {
  badge,
  chip,
  table,
  meter,
  dialog,
  confirmDialog,
  field,
  button,
  toast,
  fmtBytes,
  fmtNum,
  fmtAgo,
  fmtTime,
  unavailable,
  errorMessage,
} from './ui.js';
import { ACTIVE, fromTask, taskProgress } from './task-progress.js';

/** @typedef {import('./openapi').components['schemas']} S */

/** @param {S['NodeDto']} n */
export function gpuSummary(n) {
  const devices = n.gpu_devices;
  if (!devices.length) {
    if (!n.gpu_model) return h('span', { class: 'muted' }, '—');
    return h('span', { class: 'gpu' }, `${n.gpu_model} × ${n.gpu_count || 1}`);
  }
  return h(
    'span',
    { class: 'gpu', 'data-testid': 'node-gpu' },
    devices.map((d) =>
      h(
        'span',
        { class: 'gpu-line' },
        h('strong', {}, `${d.model}\u00a0×\u00a0${d.count ?? 1}`),
        d.memory_bytes
          ? h('span', { class: 'muted gpu-mem' }, ` · ${fmtBytes(d.memory_bytes)}`)
          : null,
      ),
    ),
  );
}

/**
 * @param {string[]} list
 * @param {number} [max]
 */
function modelChips(list, max = 3) {
  if (!list.length) return h('span', { class: 'muted' }, 'none');
  return h(
    'span',
    { class: 'chips' },
    list.slice(0, max).map((m) => chip(m)),
    list.length > max ? chip(`+${list.length - max}`, 'chip-more') : null,
  );
}

/**
 * @param {S['NodeDto']} n
 * @param {S['TaskDto'][]} tasks this node's download tasks
 * @param {() => unknown} onSaved
 */
function nodeDetail(n, tasks, onSaved) {
  const name = h('input', {
    value: n.custom_name || '',
    maxlength: 255,
    'data-testid': 'node-custom-name',
  });
  const tags = h('input', {
    value: n.tags.join(', '),
    placeholder: 'rack-a, a100',
    'data-testid': 'node-tags',
  });
  const notes = h('textarea', { rows: 3, 'data-testid': 'node-notes' });
  notes.value = n.notes || '';
  const ready = n.ready_models ? `${n.ready_models[0]}/${n.ready_models[1]}` : '—';
  const dl = h(
    'dl',
    { class: 'kv' },
    [
      ['Machine', n.machine_name],
      ['Address', `${n.ip_address}:${n.runtime_port}`],
      ['Status', badge(n.status)],
      ['Runtime', n.runtime_version || '—'],
      ['GPUs', gpuSummary(n)],
      [
        'Usage',
        h(
          'div',
          {},
          meter('CPU', n.cpu_usage),
          meter('GPU', n.gpu_usage),
          meter('Mem', n.memory_usage),
        ),
      ],
      ['Active requests', fmtNum(n.active_requests)],
      ['Slots', n.max_concurrency == null ? 'unlimited' : fmtNum(n.max_concurrency)],
      [
        'Agent',
        n.agent_version ? `${n.agent_version} (${n.pull_mode} mode)` : `— (${n.pull_mode} mode)`,
      ],
      ['Loaded models', modelChips(n.loaded_models, 20)],
      ['Embedding models', modelChips(n.loaded_embedding_models, 20)],
      ['Ready models', ready],
      ['Runtimes', n.supported_runtimes.join(', ') || '—'],
      ['Registered', fmtTime(n.registered_at)],
      ['Online since', fmtTime(n.online_since)],
      ['Last seen', fmtAgo(n.last_seen)],
      ['ID', h('code', {}, n.id)],
    ].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v ?? '—')]),
  );
  dialog({
    title: n.custom_name || n.machine_name || 'Node',
    testid: 'node-detail',
    body: h(
      'div',
      {},
      dl,
      h('h3', {}, 'Settings'),
      field('Display name', name),
      field('Tags', tags, 'Comma-separated'),
      field('Notes', notes),
      h('h3', {}, 'Downloads'),
      tasks.length
        ? h(
            'div',
            { class: 'tasks', 'data-testid': 'node-tasks' },
            tasks.map((t) => taskProgress(fromTask(t), { withHead: true, rowTestId: 'node-task' })),
          )
        : h('p', { class: 'muted' }, 'No downloads on this node.'),
    ),
    actions: [
      { label: 'Close' },
      {
        label: 'Save settings',
        class: 'btn-primary',
        submit: true,
        testid: 'node-settings-save',
        onclick: async (close) => {
          const t = tags.value
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean);
          await put(`/v0/nodes/${n.id}/settings`, {
            custom_name: name.value.trim() || null,
            tags: t.length ? t : null,
            notes: notes.value.trim() || null,
          });
          toast('Node settings saved');
          close();
          onSaved();
        },
      },
    ],
  });
}

/** @param {{isAdmin: boolean}} ctx */
export function nodesPage({ isAdmin }) {
  const filter = h(
    'select',
    { 'data-testid': 'nodes-filter', 'aria-label': 'Status filter', onchange: () => refresh() },
    ['', 'pending', 'registering', 'online', 'offline'].map((v) =>
      h('option', { value: v }, v || 'All statuses'),
    ),
  );
  const body = h('div', {});
  const el = h(
    'div',
    { 'data-testid': 'page-nodes' },
    h('div', { class: 'toolbar' }, filter),
    body,
  );

  /** @param {() => Promise<unknown>} fn */
  async function act(fn) {
    await fn();
    await refresh();
  }

  async function refresh() {
    /** @type {S['NodeDto'][]} */
    let nodes;
    try {
      /** @type {S['NodeListDto']} */
      const data = await get(`/v0/nodes${qs({ status: filter.value })}`);
      nodes = data.nodes;
    } catch (e) {
      if (e.status === 401) throw e;
      patch(body, unavailable(e, 'Nodes'));
      return;
    }
    // Running pulls, shown under the node's status (tasks.read; without it, none are shown).
    const running = await activeTasks();
    /** @type {Array<import('./ui.js').Column<S['NodeDto']>>} */
    const columns = [
      {
        label: 'Machine / address',
        class: 'nowrap',
        cell: (n) =>
          h(
            'div',
            {},
            h(
              'a',
              {
                href: '#',
                class: 'link',
                'data-testid': 'node-open',
                onclick: (/** @type {Event} */ ev) => {
                  ev.preventDefault();
                  openDetail(n.id);
                },
              },
              n.custom_name || n.machine_name || n.id,
            ),
            h(
              'div',
              { class: 'muted small', 'data-testid': 'node-address' },
              n.custom_name ? `${n.machine_name} · ` : '',
              h('code', {}, `${n.ip_address}:${n.runtime_port}`),
            ),
            n.tags.length
              ? h(
                  'div',
                  { class: 'chips tags' },
                  n.tags.map((t) => chip(t, 'chip-tag')),
                )
              : null,
          ),
      },
      {
        label: 'Status',
        cell: (n) =>
          h(
            'span',
            {},
            badge(n.status),
            n.status === 'registering' && n.ready_models
              ? h('span', { class: 'muted small' }, ` ${n.ready_models[0]}/${n.ready_models[1]}`)
              : null,
            (running.get(n.id) || []).map((t) =>
              taskProgress(fromTask(t), { compact: true, testid: 'node-pull-progress' }),
            ),
          ),
      },
      { label: 'GPU', cell: gpuSummary },
      {
        label: 'Usage',
        cell: (n) => {
          const m = [
            meter('CPU', n.cpu_usage),
            meter('GPU', n.gpu_usage),
            meter('Mem', n.memory_usage),
          ].filter(Boolean);
          return m.length
            ? h('div', { class: 'meters' }, m)
            : h('span', { class: 'muted' }, 'no heartbeat yet');
        },
      },
      { label: 'Loaded models', cell: (n) => modelChips(n.loaded_models) },
      {
        label: 'Last seen',
        cell: (n) => h('span', { title: fmtTime(n.last_seen) }, fmtAgo(n.last_seen)),
      },
      {
        label: '',
        class: 'actions compact',
        cell: (n) =>
          h(
            'div',
            { class: 'btn-row' },
            isAdmin && n.status === 'pending'
              ? [
                  button(
                    'Approve',
                    () =>
                      act(async () => {
                        await post(`/v0/nodes/${n.id}/approve`);
                        toast(`Approved ${n.machine_name}`);
                      }),
                    { class: 'btn-primary btn-sm', 'data-testid': 'approve-node' },
                  ),
                  button(
                    'Reject',
                    () =>
                      confirmDialog(
                        'Reject node',
                        `Reject ${n.machine_name} (${n.ip_address})? Its token is revoked.`,
                        'Reject',
                        () => act(() => del(`/v0/nodes/${n.id}`)),
                      ),
                    { class: 'btn-danger btn-sm', 'data-testid': 'reject-node' },
                  ),
                ]
              : null,
            isAdmin && n.status !== 'pending'
              ? button(
                  'Remove',
                  () =>
                    confirmDialog(
                      'Remove node',
                      `Remove ${n.machine_name}? It must register again.`,
                      'Remove',
                      () => act(() => del(`/v0/nodes/${n.id}`)),
                    ),
                  { class: 'btn-ghost btn-sm', 'data-testid': 'remove-node' },
                )
              : null,
          ),
      },
    ];
    patch(
      body,
      table(columns, nodes, {
        rowId: (n) => n.id,
        rowTestId: 'node-row',
        testid: 'nodes-table',
        empty:
          'No nodes yet. GPU nodes appear here when they register themselves (POST /v0/nodes).',
        rowClass: (n) => (n.status === 'pending' ? 'row-attention' : ''),
      }),
    );
  }

  /** Active tasks by node id (empty when the user may not read tasks). */
  async function activeTasks() {
    /** @type {Map<string, S['TaskDto'][]>} */
    const byNode = new Map();
    try {
      /** @type {S['TaskListDto']} */
      const data = await get('/v0/tasks');
      for (const t of data.tasks)
        if (t.node_id && ACTIVE.has(t.status))
          byNode.set(t.node_id, [...(byNode.get(t.node_id) || []), t]);
    } catch (e) {
      if (e.status === 401) throw e;
    }
    return byNode;
  }

  /** @param {string} id */
  async function openDetail(id) {
    try {
      /** @type {S['NodeDto']} */
      const node = await get(`/v0/nodes/${id}`);
      /** @type {S['TaskDto'][]} */
      let tasks = [];
      try {
        /** @type {S['TaskListDto']} */
        const data = await get('/v0/tasks');
        tasks = data.tasks.filter((t) => t.node_id === id);
      } catch (e) {
        if (e.status === 401) throw e;
      }
      nodeDetail(node, tasks, refresh);
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  }
  return { el, refresh };
}
