// @ts-check
// The endpoint dialogs: add/edit form, detail with its models, and model downloads.
import { get, post, put } from './api.js';
import { h, patch } from './dom.js';
import { badge, table, dialog, field, toast, fmtMs, fmtNum, fmtAgo, unavailable } from './ui.js';
import { fromEndpointDownload, taskProgress } from './task-progress.js';

/** @typedef {import('./openapi').components['schemas']} S */
/** @typedef {S['EndpointDto']['endpoint_type']} EndpointType */

/** @type {EndpointType[]} */
export const TYPES = ['xllm', 'ollama', 'vllm', 'lm_studio', 'llama_cpp', 'openai_compatible'];
/** @type {Record<EndpointType, string>} */
export const TYPE_LABEL = {
  xllm: 'xLLM',
  ollama: 'Ollama',
  vllm: 'vLLM',
  lm_studio: 'LM Studio',
  llama_cpp: 'llama.cpp',
  openai_compatible: 'OpenAI-compatible',
  unknown: 'unknown',
};

/**
 * The add form (`ep` null) or the edit form of an endpoint.
 * @param {S['EndpointDto'] | null} ep
 * @param {() => unknown} onSaved
 */
export function endpointForm(ep, onSaved) {
  const isEdit = !!ep;
  /** @type {Partial<S['EndpointDto']>} */
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
  if (ep && ep.type_source === 'manual') type.value = ep.endpoint_type;
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
  // Empty = automatic: the slots the backend reports (llama.cpp total_slots), else unlimited.
  const detected = e.detected_max_concurrency;
  const slots = h('input', {
    type: 'number',
    min: 1,
    max: 100000,
    step: 1,
    inputmode: 'numeric',
    value: e.max_concurrency ?? '',
    placeholder: detected != null ? `automatic (${detected})` : 'automatic',
    'data-testid': 'ep-max-concurrency',
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
      field(
        'Max concurrent requests',
        slots,
        detected != null
          ? `Empty = what the backend reports (${detected} slots)`
          : 'Empty = what the backend reports (llama.cpp slots), else unlimited',
      ),
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
          /** @type {S['UpdateEndpointDto'] & {name: string, base_url: string}} */
          const body = {
            name: name.value.trim(),
            base_url: url.value.trim(),
            health_check_interval_secs: Number(interval.value),
            inference_timeout_secs: Number(timeout.value),
            priority: Number(priority.value),
            enabled: enabled.checked,
          };
          if (slots.value.trim()) body.max_concurrency = Number(slots.value);
          else if (isEdit) body.max_concurrency = null;
          if (key.value) body.api_key = key.value;
          if (type.value)
            body.endpoint_type = /** @type {S['UpdateEndpointDto']['endpoint_type']} */ (
              type.value
            );
          if (notes.value.trim() || isEdit) body.notes = notes.value.trim() || null;
          if (!isEdit && body.notes === null) delete body.notes;
          /** @type {S['EndpointDetailDto']} */
          const saved = isEdit
            ? await put(`/v0/endpoints/${e.id}`, body)
            : await post('/v0/endpoints', body);
          toast(isEdit ? 'Endpoint saved' : `Added ${saved.name} — ${saved.status}`);
          close();
          onSaved();
        },
      },
    ],
  });
}

/**
 * The capacity llmlb enforces and where it comes from.
 * @param {S['EndpointDetailDto']} ep
 */
function slotsSummary(ep) {
  const cap = ep.effective_max_concurrency;
  if (cap == null) return 'unlimited (automatic)';
  if (ep.max_concurrency != null)
    return ep.detected_max_concurrency != null
      ? `${fmtNum(cap)} (set; the backend reports ${fmtNum(ep.detected_max_concurrency)})`
      : `${fmtNum(cap)} (set)`;
  return `${fmtNum(cap)} (reported by the backend)`;
}

/** @param {S['EndpointDetailDto']} ep */
export function endpointDetail(ep) {
  const models = ep.models;
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
          ['Type', `${TYPE_LABEL[ep.endpoint_type]} (${ep.type_source})`],
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
          ['Slots', slotsSummary(ep)],
          ['API key', ep.has_api_key ? 'set (hidden)' : 'none'],
          ['Notes', ep.notes || '—'],
        ].map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
      ),
      h('h3', {}, `Models (${models.length})`),
      table(
        [
          { label: 'Model', cell: (m) => h('code', {}, m.id) },
          {
            label: 'Context (max_tokens)',
            cell: (m) => (m.max_tokens ? fmtNum(m.max_tokens) : '—'),
            class: 'num',
          },
          {
            label: 'Capabilities',
            cell: (m) => m.capabilities.join(', ') || '—',
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

/** @param {S['EndpointDto']} ep */
export function downloadDialog(ep) {
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
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let stopped = false;
  const poll = async () => {
    if (stopped) return;
    try {
      /** @type {S['EndpointDownloadProgressDto']} */
      const data = await get(`/v0/endpoints/${ep.id}/download/progress`);
      patch(
        progress,
        data.tasks.length
          ? data.tasks.map((t) =>
              taskProgress(fromEndpointDownload(t), {
                withHead: true,
                testid: 'download-progress',
                rowTestId: 'download-task',
              }),
            )
          : h('p', { class: 'muted' }, 'No downloads on this endpoint yet.'),
      );
    } catch (e) {
      patch(progress, unavailable(e, 'Downloads'));
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
          /** @type {S['EndpointDownloadDto']} */
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
