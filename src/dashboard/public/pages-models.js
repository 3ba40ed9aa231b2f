// Models (registered models, catalog, downloads, tasks) and Requests pages.
import { get, post, del, qs, listOf } from './api.js';
import {
  h,
  mount,
  badge,
  chip,
  table,
  progressBar,
  dialog,
  confirmDialog,
  field,
  button,
  toast,
  fmtBytes,
  fmtMs,
  fmtNum,
  fmtAgo,
  fmtTime,
  percentOf,
  unavailable,
  errorMessage,
  pick,
} from './ui.js';

const ACTIVE = new Set(['pending', 'in_progress', 'downloading']);

function names(list, ...keys) {
  if (!Array.isArray(list)) return [];
  return list.map((x) => (typeof x === 'string' ? x : pick(x, ...keys) || '?'));
}

function taskProgress(t) {
  const pct = percentOf(t.progress, t.status);
  const speed = t.speed_bps
    ? `${fmtBytes(t.speed_bps)}/s`
    : pick(t, 'speed_mbps') !== undefined
      ? `${fmtNum(t.speed_mbps, 1)} Mbit/s`
      : '';
  const eta =
    ACTIVE.has(t.status) && Number.isFinite(Number(t.eta_seconds)) && t.eta_seconds !== null
      ? `${Math.round(t.eta_seconds)} s left`
      : '';
  const bytes = t.total_bytes
    ? `${fmtBytes(t.downloaded_bytes || 0)} / ${fmtBytes(t.total_bytes)}`
    : '';
  return h(
    'div',
    { class: 'task-progress' },
    progressBar(pct, `Task ${t.model || ''}`, 'task-progress'),
    h('div', { class: 'muted small' }, [bytes, speed, eta].filter(Boolean).join(' · ')),
  );
}

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
    .then((data) => {
      const nodes = listOf(data, 'nodes');
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
          const body = { model: model.name, target: all.checked ? 'all' : 'specific' };
          if (!all.checked)
            body.node_ids = [...list.querySelectorAll('input[type=checkbox]:checked')].map(
              (c) => c.value,
            );
          const r = await post('/v0/models/download', body);
          const n = r && Array.isArray(r.task_ids) ? r.task_ids.length : 0;
          toast(`Started ${n} download task${n === 1 ? '' : 's'} for ${model.name}`);
          close();
          onDone();
        },
      },
    ],
  });
}

function catalogSection(isAdmin, onRegistered) {
  const search = h('input', {
    type: 'search',
    placeholder: 'Search Hugging Face GGUF models (e.g. qwen)',
    'data-testid': 'catalog-search',
    'aria-label': 'Catalog search',
  });
  const results = h('div', { 'data-testid': 'catalog-results' });
  const form = h(
    'form',
    { class: 'toolbar' },
    search,
    h('button', { type: 'submit', class: 'btn', 'data-testid': 'catalog-search-submit' }, 'Search'),
  );

  async function showFiles(repo, holder) {
    mount(holder, h('p', { class: 'muted' }, 'Loading files…'));
    try {
      const data = await get(`/v0/models/available/${encodeURIComponent(repo)}/files`);
      const files = listOf(data, 'files');
      mount(
        holder,
        table(
          [
            { label: 'File', cell: (f) => h('code', {}, f.filename || f.name || f.path) },
            { label: 'Size', cell: (f) => fmtBytes(pick(f, 'size_bytes', 'size')), class: 'num' },
            {
              label: '',
              class: 'actions',
              cell: (f) =>
                isAdmin
                  ? button(
                      'Register',
                      async () => {
                        const r = await post('/v0/models/register', {
                          repo,
                          filename: f.filename || f.name || f.path,
                        });
                        toast(`Registered ${r && r.name ? r.name : repo}`);
                        onRegistered();
                      },
                      { class: 'btn-sm btn-primary', 'data-testid': 'register-file' },
                    )
                  : null,
            },
          ],
          files,
          {
            rowId: (f) => f.filename || f.name,
            rowTestId: 'file-row',
            empty: 'No .gguf files in this repository.',
          },
        ),
      );
    } catch (e) {
      mount(holder, unavailable(e, 'Catalog files'));
    }
  }

  async function run() {
    mount(results, h('p', { class: 'muted' }, 'Searching…'));
    try {
      const data =
        (await get(`/v0/models/available${qs({ search: search.value.trim(), limit: 20 })}`)) || {};
      const supported = listOf(data.supported || [], 'supported');
      const available = listOf(data.available || [], 'available');
      const repoRow = (r, registered) => {
        const repo = r.repo || r.id || r.name;
        const files = h('div', { class: 'files' });
        return h(
          'li',
          {
            class: 'repo',
            'data-testid': registered ? 'catalog-supported' : 'catalog-available',
            'data-id': repo,
          },
          h(
            'div',
            { class: 'repo-head' },
            h(
              'div',
              {},
              h('strong', {}, repo),
              registered ? chip('registered', 'chip-ok') : null,
              // supported: registered models {name, repo, filename, size_bytes};
              // available: hub repos {repo, downloads, likes, tags}.
              h(
                'div',
                { class: 'muted small' },
                registered
                  ? `${r.name} · ${r.filename} · ${fmtBytes(r.size_bytes)}`
                  : `${fmtNum(r.downloads)} downloads · ${fmtNum(r.likes)} likes`,
              ),
            ),
            button(
              'Files',
              () => (files.childNodes.length ? mount(files) : showFiles(repo, files)),
              { class: 'btn-sm', 'data-testid': 'catalog-files' },
            ),
          ),
          files,
        );
      };
      mount(
        results,
        data.stale
          ? h('div', { class: 'notice' }, 'Hugging Face is unreachable; showing cached results.')
          : null,
        h('h3', {}, `Supported (registered) — ${supported.length}`),
        supported.length
          ? h(
              'ul',
              { class: 'repos' },
              supported.map((r) => repoRow(r, true)),
            )
          : h('p', { class: 'muted' }, 'None of the results is registered yet.'),
        h('h3', {}, `Available — ${available.length}`),
        available.length
          ? h(
              'ul',
              { class: 'repos' },
              available.map((r) => repoRow(r, false)),
            )
          : h('p', { class: 'muted' }, 'No results.'),
      );
    } catch (e) {
      mount(results, unavailable(e, 'The model catalog'));
    }
  }
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void run();
  });
  return h(
    'section',
    { class: 'panel', 'data-testid': 'catalog' },
    h('h2', {}, 'Hugging Face catalog'),
    form,
    results,
  );
}

export function modelsPage({ isAdmin }) {
  const modelsBox = h('div', {});
  const tasksBox = h('div', {});
  const el = h('div', { 'data-testid': 'page-models' });

  async function refreshModels() {
    let models;
    try {
      models = listOf(await get('/v0/models'), 'models');
    } catch (e) {
      if (e.status === 401) throw e;
      mount(modelsBox, unavailable(e, 'Models'));
      return;
    }
    mount(
      modelsBox,
      table(
        [
          {
            label: 'Model',
            cell: (m) =>
              h(
                'div',
                {},
                h('strong', {}, m.name || m.id),
                m.repo
                  ? h(
                      'div',
                      { class: 'muted small' },
                      `${m.repo}${m.filename ? ` / ${m.filename}` : ''}`,
                    )
                  : null,
              ),
          },
          { label: 'Size', cell: (m) => fmtBytes(m.size_bytes), class: 'num' },
          {
            label: 'Where',
            cell: (m) => {
              const n = names(pick(m, 'nodes', 'node_ids'), 'custom_name', 'machine_name', 'id');
              const e = names(pick(m, 'endpoints', 'endpoint_ids'), 'name', 'id');
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
              const tasks = []
                .concat(
                  pick(m, 'tasks', 'running_tasks') || [],
                  pick(m, 'task', 'running_task') || [],
                )
                .filter((t) => t && ACTIVE.has(t.status));
              return tasks.length
                ? h('div', {}, tasks.map(taskProgress))
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
          rowId: (m) => m.name || m.id,
          rowTestId: 'model-row',
          testid: 'models-table',
          empty: 'No registered models. Search the catalog below and register a GGUF file.',
        },
      ),
    );
  }

  async function refreshTasks() {
    let tasks;
    // Tasks carry node_id / endpoint_id only: names come from the node and endpoint lists
    // (when the user may read them; otherwise the id prefix is shown).
    const [nodesRes, endpointsRes] = await Promise.allSettled([
      get('/v0/nodes'),
      get('/v0/endpoints'),
    ]);
    const nameOf = new Map();
    if (nodesRes.status === 'fulfilled')
      for (const n of listOf(nodesRes.value, 'nodes'))
        nameOf.set(n.id, n.custom_name || n.machine_name);
    if (endpointsRes.status === 'fulfilled')
      for (const e of listOf(endpointsRes.value, 'endpoints')) nameOf.set(e.id, e.name);
    const target = (id) => nameOf.get(id) || String(id).slice(0, 8);
    try {
      tasks = listOf(await get('/v0/tasks'), 'tasks');
    } catch (e) {
      if (e.status === 401) throw e;
      mount(tasksBox, unavailable(e, 'Tasks'));
      return;
    }
    tasks = tasks
      .slice()
      .sort(
        (a, b) =>
          ACTIVE.has(b.status) - ACTIVE.has(a.status) ||
          String(b.created_at || '').localeCompare(String(a.created_at || '')),
      )
      .slice(0, 30);
    mount(
      tasksBox,
      table(
        [
          { label: 'Model', cell: (t) => h('strong', {}, t.model || '—') },
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
          { label: 'Progress', cell: taskProgress },
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

/* ----------------------------------------------------------------- Requests */

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
  const iso = (v) => (v ? new Date(v).toISOString() : undefined);

  async function refresh() {
    let data;
    try {
      data = await get(
        `/v0/requests${qs({ model: model.value.trim(), backend_id: backend.value.trim(), status: status.value.trim(), from: iso(from.value), to: iso(to.value), page, per_page: perPage })}`,
      );
    } catch (e) {
      if (e.status === 401) throw e;
      mount(body, unavailable(e, 'Request history'));
      mount(pager);
      return;
    }
    const rows = listOf(data, 'requests');
    const total = data && Number.isFinite(data.total) ? data.total : rows.length;
    mount(
      body,
      table(
        [
          {
            label: 'Time',
            cell: (r) => fmtTime(pick(r, 'created_at', 'timestamp', 'time', 'started_at')),
          },
          { label: 'Model', cell: (r) => h('code', {}, r.model || '—') },
          {
            label: 'Backend',
            cell: (r) => pick(r, 'backend_name', 'backend_id', 'backend') || '—',
          },
          {
            label: 'Status',
            cell: (r) => {
              const st = pick(r, 'status', 'status_code');
              return h('span', { class: Number(st) >= 400 ? 'text-bad' : 'text-ok' }, st ?? '—');
            },
          },
          {
            label: 'Latency',
            cell: (r) => fmtMs(pick(r, 'latency_ms', 'duration_ms')),
            class: 'num',
          },
          {
            label: 'TTFT',
            cell: (r) => fmtMs(pick(r, 'ttft_ms', 'time_to_first_token_ms')),
            class: 'num',
          },
          {
            label: 'Tokens in / out',
            cell: (r) => `${fmtNum(r.prompt_tokens)} / ${fmtNum(r.completion_tokens)}`,
            class: 'num',
          },
          {
            label: 'Key',
            cell: (r) => pick(r, 'api_key_name', 'api_key_prefix', 'api_key_id', 'key_id') || '—',
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
    mount(
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
