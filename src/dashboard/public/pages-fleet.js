// Overview, Nodes and Endpoints pages.
import { get, post, put, del, qs, listOf } from './api.js';
import {
  h,
  s,
  mount,
  badge,
  chip,
  table,
  meter,
  progressBar,
  dialog,
  confirmDialog,
  field,
  button,
  toast,
  fmtBytes,
  fmtMs,
  fmtNum,
  fmtPct,
  fmtAgo,
  fmtTime,
  percentOf,
  unavailable,
  errorMessage,
  pick,
} from './ui.js';

function countBy(items, key) {
  const out = {};
  for (const it of items) {
    const v = it[key] || 'unknown';
    out[v] = (out[v] || 0) + 1;
  }
  return out;
}

/* ------------------------------------------------------------------ Overview */

function statCard(title, value, sub, testid) {
  return h(
    'div',
    { class: 'card stat', 'data-testid': testid },
    h('div', { class: 'stat-title' }, title),
    h('div', { class: 'stat-value', 'data-testid': `${testid}-value` }, value),
    h('div', { class: 'stat-sub' }, sub),
  );
}

function statusCounts(items, order) {
  const c = countBy(items, 'status');
  const keys = [...order.filter((k) => c[k]), ...Object.keys(c).filter((k) => !order.includes(k))];
  if (!keys.length) return h('span', { class: 'muted' }, 'none registered');
  return h(
    'span',
    { class: 'counts' },
    keys.map((k) => h('span', { class: 'count' }, badge(k), ` ${c[k]}`)),
  );
}

/** Buckets the last 60 minutes of `per_minute` (missing minutes count as zero). */
export function lastHour(perMinute, now = Date.now()) {
  const end = Math.floor(now / 60000);
  const buckets = Array.from({ length: 60 }, (_, i) => ({
    t: (end - 59 + i) * 60000,
    requests: 0,
    errors: 0,
  }));
  const dated = perMinute.filter((m) =>
    Number.isFinite(new Date(pick(m, 'minute', 'time', 'ts', 'start')).getTime()),
  );
  if (dated.length) {
    for (const m of dated) {
      const idx =
        Math.floor(new Date(pick(m, 'minute', 'time', 'ts', 'start')).getTime() / 60000) -
        (end - 59);
      if (idx >= 0 && idx < 60) {
        buckets[idx].requests += Number(m.requests) || 0;
        buckets[idx].errors += Number(m.errors) || 0;
      }
    }
  } else {
    perMinute.slice(-60).forEach((m, i, arr) => {
      const b = buckets[60 - arr.length + i];
      b.requests = Number(m.requests) || 0;
      b.errors = Number(m.errors) || 0;
    });
  }
  return buckets;
}

function requestsChart(buckets) {
  const W = 600;
  const H = 170;
  const top = 14;
  const bottom = 22;
  const left = 34;
  const max = Math.max(1, ...buckets.map((b) => b.requests));
  const mag = 10 ** Math.floor(Math.log10(max));
  const nice = max <= 4 ? 4 : [1, 2, 2.5, 5, 10].map((m) => m * mag).find((v) => v >= max);
  const bw = (W - left) / buckets.length;
  const y = (v) => top + (H - top - bottom) * (1 - v / nice);
  const svg = s('svg', {
    viewBox: `0 0 ${W} ${H}`,
    class: 'chart',
    role: 'img',
    'aria-label': 'Requests per minute over the last hour',
    'data-testid': 'requests-chart',
  });
  for (const frac of [0, 0.5, 1]) {
    const v = nice * frac;
    svg.appendChild(s('line', { x1: left, x2: W, y1: y(v), y2: y(v), class: 'grid' }));
    svg.appendChild(
      s('text', { x: left - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, fmtNum(v)),
    );
  }
  buckets.forEach((b, i) => {
    const x = left + i * bw + 1;
    const w = Math.max(1, bw - 2);
    const ok = Math.max(0, b.requests - b.errors);
    const time = new Date(b.t).toISOString().slice(11, 16);
    const g = s(
      'g',
      {},
      s('title', {}, `${time} UTC — ${b.requests} requests, ${b.errors} errors`),
    );
    if (ok > 0)
      g.appendChild(
        s('rect', {
          x,
          y: y(b.requests),
          width: w,
          height: y(b.errors) - y(b.requests),
          class: 'bar',
        }),
      );
    if (b.errors > 0)
      g.appendChild(
        s('rect', { x, y: y(b.errors), width: w, height: y(0) - y(b.errors), class: 'bar-err' }),
      );
    if (b.requests === 0)
      g.appendChild(s('rect', { x, y: y(0) - 1, width: w, height: 1, class: 'bar-zero' }));
    svg.appendChild(g);
  });
  for (const [i, label] of [
    [0, '−60 min'],
    [30, '−30 min'],
    [59, 'now'],
  ]) {
    svg.appendChild(
      s(
        'text',
        {
          x: left + i * bw + bw / 2,
          y: H - 6,
          class: 'axis',
          'text-anchor': i === 0 ? 'start' : i === 59 ? 'end' : 'middle',
        },
        label,
      ),
    );
  }
  return svg;
}

export function overviewPage() {
  const cards = h('div', { class: 'cards', 'data-testid': 'overview-cards' });
  const chartBox = h('div', { class: 'chart-box' });
  const perBackend = h('div', {});
  const el = h(
    'div',
    { 'data-testid': 'page-overview' },
    cards,
    h('section', { class: 'panel' }, h('h2', {}, 'Requests per minute — last hour'), chartBox),
    perBackend,
  );

  async function refresh() {
    const [nodes, endpoints, models, stats] = await Promise.allSettled([
      get('/v0/nodes'),
      get('/v0/endpoints'),
      get('/v0/models'),
      get('/v0/stats'),
    ]);
    const val = (r, key) => (r.status === 'fulfilled' ? listOf(r.value, key) : null);
    const nodeList = val(nodes, 'nodes');
    const epList = val(endpoints, 'endpoints');
    const modelList = val(models, 'models');
    const st = stats.status === 'fulfilled' && stats.value ? stats.value : null;
    // GET /v0/stats: {totals (since start), last_hour {requests_per_minute, error_rate,
    // p50/p95_latency_ms}, backends, models, per_minute (last hour)}.
    const totals = (st && st.totals) || {};
    const hour = (st && st.last_hour) || {};
    const perMinute = st ? listOf(st.per_minute || [], 'per_minute') : [];
    const buckets = lastHour(perMinute);
    const rpm = pick(hour, 'requests_per_minute');
    const requests = Number(pick(totals, 'requests') ?? 0);
    const errors = Number(pick(hour, 'errors') ?? 0);
    const errorRate = pick(hour, 'error_rate') ?? 0;
    const p50 = pick(hour, 'p50_latency_ms');
    const p95 = pick(hour, 'p95_latency_ms');
    const na = () => h('span', { class: 'muted' }, 'not available');

    mount(
      cards,
      statCard(
        'Nodes',
        nodeList ? fmtNum(nodeList.length) : '—',
        nodeList ? statusCounts(nodeList, ['online', 'registering', 'pending', 'offline']) : na(),
        'card-nodes',
      ),
      statCard(
        'Endpoints',
        epList ? fmtNum(epList.length) : '—',
        epList ? statusCounts(epList, ['online', 'error', 'pending', 'offline']) : na(),
        'card-endpoints',
      ),
      statCard(
        'Models',
        modelList
          ? fmtNum(
              models.value && Number.isFinite(models.value.total)
                ? models.value.total
                : modelList.length,
            )
          : '—',
        modelList ? 'registered' : na(),
        'card-models',
      ),
      statCard(
        'Requests / min',
        st ? fmtNum(rpm, 1) : '—',
        st ? `${fmtNum(requests)} total` : na(),
        'card-rpm',
      ),
      statCard(
        'Error rate',
        st ? fmtPct(errorRate) : '—',
        st ? `${fmtNum(errors)} errors in the last hour` : na(),
        'card-errors',
      ),
      statCard(
        'Latency p50',
        st ? fmtMs(p50) : '—',
        st ? `p95 ${fmtMs(p95)}` : na(),
        'card-latency',
      ),
    );
    if (stats.status === 'rejected')
      mount(chartBox, unavailable(stats.reason, 'Request statistics'));
    else
      mount(
        chartBox,
        requestsChart(buckets),
        h(
          'div',
          { class: 'legend' },
          h('span', { class: 'sw sw-ok' }),
          'requests',
          h('span', { class: 'sw sw-err' }),
          'errors',
        ),
      );

    const backends = st ? listOf(st.backends || [], 'backends') : [];
    const perModel = st ? listOf(st.models || [], 'models') : [];
    const statCols = (nameCol) => [
      nameCol,
      { label: 'Requests', cell: (r) => fmtNum(r.requests), class: 'num' },
      { label: 'Errors', cell: (r) => fmtNum(r.errors), class: 'num' },
      { label: 'Error rate', cell: (r) => fmtPct(r.error_rate), class: 'num' },
      { label: 'Avg latency', cell: (r) => fmtMs(r.avg_latency_ms), class: 'num' },
    ];
    mount(
      perBackend,
      backends.length || perModel.length
        ? h(
            'div',
            { class: 'grid-2 grid-wide' },
            h(
              'section',
              { class: 'panel' },
              h('h2', {}, 'By backend'),
              table(
                statCols({
                  label: 'Backend',
                  cell: (r) => pick(r, 'name', 'id') ?? '—',
                }),
                backends,
              ),
            ),
            h(
              'section',
              { class: 'panel' },
              h('h2', {}, 'By model'),
              table(
                statCols({ label: 'Model', cell: (r) => pick(r, 'name', 'id') ?? '—' }),
                perModel,
              ),
            ),
          )
        : null,
    );
  }
  return { el, refresh };
}

/* ------------------------------------------------------------------- Nodes */

export function gpuSummary(n) {
  const devices = Array.isArray(n.gpu_devices) ? n.gpu_devices : [];
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

function modelChips(models, max = 3) {
  const list = Array.isArray(models)
    ? models.map((m) => (typeof m === 'string' ? m : pick(m, 'name', 'id', 'model') || '?'))
    : [];
  if (!list.length) return h('span', { class: 'muted' }, 'none');
  return h(
    'span',
    { class: 'chips' },
    list.slice(0, max).map((m) => chip(m)),
    list.length > max ? chip(`+${list.length - max}`, 'chip-more') : null,
  );
}

function nodeDetail(n, onSaved) {
  const name = h('input', {
    value: n.custom_name || '',
    maxlength: 255,
    'data-testid': 'node-custom-name',
  });
  const tags = h('input', {
    value: Array.isArray(n.tags) ? n.tags.join(', ') : '',
    placeholder: 'rack-a, a100',
    'data-testid': 'node-tags',
  });
  const notes = h('textarea', { rows: 3, 'data-testid': 'node-notes' });
  notes.value = n.notes || '';
  const ready = Array.isArray(n.ready_models) ? `${n.ready_models[0]}/${n.ready_models[1]}` : '—';
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
          meter('VRAM', n.gpu_memory_usage),
        ),
      ],
      ['Active requests', fmtNum(n.active_requests)],
      ['Loaded models', modelChips(n.loaded_models, 20)],
      ['Embedding models', modelChips(n.loaded_embedding_models, 20)],
      ['Ready models', ready],
      ['Runtimes', (n.supported_runtimes || []).join(', ') || '—'],
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

  async function act(fn) {
    await fn();
    await refresh();
  }

  async function refresh() {
    let nodes;
    try {
      nodes = listOf(await get(`/v0/nodes${qs({ status: filter.value })}`), 'nodes');
    } catch (e) {
      if (e.status === 401) throw e;
      mount(body, unavailable(e, 'Nodes'));
      return;
    }
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
                onclick: (ev) => {
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
            Array.isArray(n.tags) && n.tags.length
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
            n.status === 'registering' && Array.isArray(n.ready_models)
              ? h('span', { class: 'muted small' }, ` ${n.ready_models[0]}/${n.ready_models[1]}`)
              : null,
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
    mount(
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

  async function openDetail(id) {
    try {
      nodeDetail(await get(`/v0/nodes/${id}`), refresh);
    } catch (e) {
      toast(errorMessage(e), 'error');
    }
  }
  return { el, refresh };
}

/* --------------------------------------------------------------- Endpoints */

const TYPES = ['xllm', 'ollama', 'vllm', 'lm_studio', 'llama_cpp', 'openai_compatible'];
const TYPE_LABEL = {
  xllm: 'xLLM',
  ollama: 'Ollama',
  vllm: 'vLLM',
  lm_studio: 'LM Studio',
  llama_cpp: 'llama.cpp',
  openai_compatible: 'OpenAI-compatible',
  unknown: 'unknown',
};

function endpointForm(ep, onSaved) {
  const isEdit = !!ep;
  const e = ep || {};
  const name = h('input', {
    value: e.name || '',
    required: true,
    maxlength: 100,
    'data-testid': 'ep-name',
    placeholder: 'gpu-box-1',
  });
  const url = h('input', {
    value: e.base_url || '',
    required: true,
    type: 'url',
    'data-testid': 'ep-url',
    placeholder: 'http://10.0.0.5:11434',
  });
  const key = h('input', {
    type: 'password',
    autocomplete: 'off',
    'data-testid': 'ep-api-key',
    placeholder: isEdit && e.has_api_key ? 'unchanged' : 'optional',
  });
  const type = h(
    'select',
    { 'data-testid': 'ep-type' },
    h('option', { value: '' }, 'Auto-detect'),
    TYPES.map((t) => h('option', { value: t }, TYPE_LABEL[t])),
  );
  if (isEdit && e.type_source === 'manual') type.value = e.endpoint_type;
  const interval = h('input', {
    type: 'number',
    min: 10,
    max: 300,
    value: e.health_check_interval_secs ?? 30,
    'data-testid': 'ep-interval',
  });
  const timeout = h('input', {
    type: 'number',
    min: 10,
    max: 600,
    value: e.inference_timeout_secs ?? 120,
    'data-testid': 'ep-timeout',
  });
  const priority = h('input', {
    type: 'number',
    min: 0,
    max: 100,
    value: e.priority ?? 50,
    'data-testid': 'ep-priority',
  });
  const enabled = h('input', {
    type: 'checkbox',
    checked: e.enabled ?? true,
    'data-testid': 'ep-enabled',
  });
  const notes = h('textarea', { rows: 2, 'data-testid': 'ep-notes' });
  notes.value = e.notes || '';
  dialog({
    title: isEdit ? `Edit ${e.name}` : 'Add endpoint',
    testid: 'endpoint-dialog',
    body: h(
      'div',
      { class: 'form-grid' },
      field('Name', name),
      field('URL', url, 'Ollama, vLLM, LM Studio, llama.cpp, xLLM or any OpenAI-compatible server'),
      field('API key', key),
      field('Type', type),
      field('Health check interval (s)', interval),
      field('Inference timeout (s)', timeout),
      field('Priority (0–100)', priority),
      h('label', { class: 'check' }, enabled, ' Enabled'),
      field('Notes', notes),
    ),
    actions: [
      { label: 'Cancel' },
      {
        label: isEdit ? 'Save' : 'Add endpoint',
        class: 'btn-primary',
        submit: true,
        testid: 'ep-save',
        onclick: async (close) => {
          const body = {
            name: name.value.trim(),
            base_url: url.value.trim(),
            health_check_interval_secs: Number(interval.value),
            inference_timeout_secs: Number(timeout.value),
            priority: Number(priority.value),
            enabled: enabled.checked,
          };
          if (key.value) body.api_key = key.value;
          if (type.value) body.endpoint_type = type.value;
          if (notes.value.trim() || isEdit) body.notes = notes.value.trim() || null;
          if (!isEdit && body.notes === null) delete body.notes;
          const saved = isEdit
            ? await put(`/v0/endpoints/${e.id}`, body)
            : await post('/v0/endpoints', body);
          toast(
            isEdit
              ? 'Endpoint saved'
              : `Added ${saved && saved.name ? saved.name : body.name} — ${saved && saved.status ? saved.status : 'registered'}`,
          );
          close();
          onSaved();
        },
      },
    ],
  });
}

function endpointDetail(ep) {
  const models = Array.isArray(ep.models) ? ep.models : [];
  dialog({
    title: ep.name,
    testid: 'endpoint-detail',
    body: h(
      'div',
      {},
      h(
        'dl',
        { class: 'kv' },
        [
          ['URL', h('code', {}, ep.base_url)],
          [
            'Type',
            `${TYPE_LABEL[ep.endpoint_type] || ep.endpoint_type || '—'}${ep.type_source ? ` (${ep.type_source})` : ''}`,
          ],
          ['Status', badge(ep.status)],
          ['Latency', fmtMs(ep.latency_ms)],
          ['Last checked', fmtAgo(ep.last_checked_at)],
          ['Last online', fmtAgo(ep.last_online_at)],
          ['Failures in a row', fmtNum(ep.consecutive_failures)],
          ['Last error', ep.last_error || '—'],
          [
            'Interval / timeout',
            `${ep.health_check_interval_secs ?? '—'} s / ${ep.inference_timeout_secs ?? '—'} s`,
          ],
          ['Priority', fmtNum(ep.priority)],
          ['API key', ep.has_api_key ? 'set (hidden)' : 'none'],
          ['Notes', ep.notes || '—'],
        ].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
      ),
      h('h3', {}, `Models (${models.length})`),
      table(
        [
          { label: 'Model', cell: (m) => h('code', {}, m.id || m.name) },
          {
            label: 'Context (max_tokens)',
            cell: (m) => (m.max_tokens ? fmtNum(m.max_tokens) : '—'),
            class: 'num',
          },
          {
            label: 'Capabilities',
            cell: (m) =>
              Array.isArray(m.capabilities) ? m.capabilities.join(', ') : m.capabilities || '—',
          },
          { label: 'Synced', class: 'nowrap', cell: (m) => fmtAgo(m.last_synced_at) },
        ],
        models,
        { rowId: (m) => m.id, rowTestId: 'endpoint-model-row', empty: 'No models synced yet.' },
      ),
    ),
    actions: [{ label: 'Close' }],
  });
}

function taskRow(t) {
  const pct = percentOf(t.progress, t.status, t.kind ? 'fraction' : 'percent');
  const speed =
    pick(t, 'speed_mbps') !== undefined
      ? `${fmtNum(t.speed_mbps, 1)} Mbit/s`
      : t.speed_bps
        ? `${fmtBytes(t.speed_bps)}/s`
        : '';
  const eta =
    Number.isFinite(Number(t.eta_seconds)) && t.status !== 'completed'
      ? ` · ${Math.round(t.eta_seconds)} s left`
      : '';
  return h(
    'div',
    { class: 'task', 'data-testid': 'download-task', 'data-id': t.id || t.task_id || t.model },
    h('div', { class: 'task-head' }, h('strong', {}, t.model || '?'), badge(t.status)),
    progressBar(pct, `Download of ${t.model}`, 'download-progress'),
    h(
      'div',
      { class: 'muted small' },
      `${speed}${eta}`,
      t.error ? h('span', { class: 'text-bad' }, ` ${t.error}`) : null,
    ),
  );
}

function downloadDialog(ep) {
  const model = h('input', {
    required: true,
    'data-testid': 'dl-model',
    placeholder: ep.endpoint_type === 'ollama' ? 'llama3.2:1b' : 'Qwen/Qwen2.5-0.5B-Instruct-GGUF',
  });
  const filename = h('input', {
    'data-testid': 'dl-filename',
    placeholder: 'qwen2.5-0.5b-instruct-q4_k_m.gguf',
  });
  const progress = h('div', { class: 'tasks', 'data-testid': 'dl-tasks' });
  let timer = null;
  let stopped = false;
  const poll = async () => {
    if (stopped) return;
    try {
      const data = await get(`/v0/endpoints/${ep.id}/download/progress`);
      const tasks = listOf(data, 'tasks');
      mount(
        progress,
        tasks.length
          ? tasks.map(taskRow)
          : h('p', { class: 'muted' }, 'No downloads on this endpoint yet.'),
      );
    } catch (e) {
      mount(progress, unavailable(e, 'Downloads'));
    }
    if (!stopped && document.visibilityState === 'visible') timer = setTimeout(poll, 1000);
    else if (!stopped) timer = setTimeout(poll, 3000);
  };
  dialog({
    title: `Download a model to ${ep.name}`,
    testid: 'download-dialog',
    body: h(
      'div',
      {},
      field(ep.endpoint_type === 'ollama' ? 'Model (Ollama name)' : 'Model (repository)', model),
      ep.endpoint_type === 'xllm'
        ? field('File', filename, 'The GGUF file in the repository')
        : null,
      h('h3', {}, 'Progress'),
      progress,
    ),
    actions: [
      { label: 'Close' },
      {
        label: 'Start download',
        class: 'btn-primary',
        submit: true,
        testid: 'dl-start',
        onclick: async () => {
          const body = { model: model.value.trim() };
          if (filename.value.trim()) body.filename = filename.value.trim();
          await post(`/v0/endpoints/${ep.id}/download`, body);
          toast(`Download of ${body.model} started`);
          clearTimeout(timer);
          await poll();
        },
      },
    ],
    onclose: () => {
      stopped = true;
      clearTimeout(timer);
    },
  });
  void poll();
}

export function endpointsPage({ isAdmin }) {
  const typeFilter = h(
    'select',
    {
      'aria-label': 'Type filter',
      'data-testid': 'endpoints-type-filter',
      onchange: () => refresh(),
    },
    h('option', { value: '' }, 'All types'),
    [...TYPES, 'unknown'].map((t) => h('option', { value: t }, TYPE_LABEL[t])),
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
    let eps;
    try {
      eps = listOf(
        await get(`/v0/endpoints${qs({ type: typeFilter.value, status: statusFilter.value })}`),
        'endpoints',
      );
    } catch (e) {
      if (e.status === 401) throw e;
      mount(body, unavailable(e, 'Endpoints'));
      return;
    }
    const open = async (id) => endpointDetail(await get(`/v0/endpoints/${id}`));
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
                onclick: (ev) => {
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
        cell: (e) => TYPE_LABEL[e.endpoint_type] || e.endpoint_type || '—',
      },
      { label: 'Status', cell: (e) => badge(e.status) },
      { label: 'Latency', cell: (e) => fmtMs(e.latency_ms), class: 'num' },
      {
        label: 'Models',
        cell: (e) =>
          fmtNum(e.model_count ?? (Array.isArray(e.models) ? e.models.length : undefined)),
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
                    const r = await post(`/v0/endpoints/${e.id}/test`);
                    if (r && r.success)
                      toast(
                        `${e.name}: online in ${fmtMs(r.latency_ms)} · ${TYPE_LABEL[r.endpoint_type] || r.endpoint_type || '?'} · ${r.models_found ?? 0} models`,
                      );
                    else toast(`${e.name}: ${(r && r.error) || 'test failed'}`, 'error');
                    await refresh();
                  },
                  { class: 'btn-sm', 'data-testid': 'endpoint-test' },
                ),
                button(
                  'Sync',
                  async () => {
                    const r = await post(`/v0/endpoints/${e.id}/sync`);
                    const n = (x) => (Array.isArray(x) ? x.length : Number(x) || 0);
                    toast(
                      `${e.name}: models synced (+${n(r && r.added)} −${n(r && r.removed)} ~${n(r && r.updated)})`,
                    );
                    await refresh();
                  },
                  { class: 'btn-sm', 'data-testid': 'endpoint-sync' },
                ),
                button('Edit', () => endpointForm(e, refresh), {
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
    mount(
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
