import { BackendUnreachableError } from '../backend-http.client';
import {
  AdapterContext,
  DetectionProbes,
  EndpointAdapter,
  UnrecognizedAnswerError,
  is2xx,
  isObject,
  joinUrl,
  listOpenAiModels,
  positiveInt,
} from './endpoint-adapter';

/** `models[].name` of `GET /api/tags`, or null when the answer is not that shape. */
export function parseOllamaTags(json: unknown): string[] | null {
  if (!isObject(json) || 'error' in json || !Array.isArray(json.models)) return null;
  const names: string[] = [];
  for (const m of json.models) {
    if (!isObject(m)) return null;
    const name = typeof m.name === 'string' ? m.name : typeof m.model === 'string' ? m.model : null;
    if (!name) return null;
    names.push(name);
  }
  return names;
}

/** Context length from an `/api/show` answer: `model_info["<arch>.context_length"]`, else `num_ctx`. */
export function ollamaContextLength(json: unknown): number | null {
  if (!isObject(json)) return null;
  const info = json.model_info;
  if (isObject(info)) {
    const arch = info['general.architecture'];
    if (typeof arch === 'string') {
      const v = positiveInt(info[`${arch}.context_length`]);
      if (v) return v;
    }
    for (const [k, v] of Object.entries(info)) {
      if (k.endsWith('.context_length') && positiveInt(v)) return positiveInt(v);
    }
  }
  if (typeof json.parameters === 'string') {
    const m = /^\s*num_ctx\s+(\d+)\s*$/m.exec(json.parameters);
    if (m) return positiveInt(m[1]);
  }
  return null;
}

/**
 * Ollama: `GET /api/tags` lists models (`{models:[{name, model, size, digest, details}]}`), the
 * root answers `Ollama is running`, `POST /api/show` tells the context length.
 */
export const ollamaAdapter: EndpointAdapter = {
  type: 'ollama',
  detectionOrder: 3,
  supportsMetadata: true,

  async detect(probes: DetectionProbes): Promise<boolean> {
    const [tags, root] = await Promise.all([probes.get('/api/tags'), probes.get('/')]);
    // LM Studio answers unknown paths such as /api/tags with 200 + {"error": …}.
    if (is2xx(tags) && parseOllamaTags(tags.json) !== null) return true;
    return is2xx(root) && /ollama is running/i.test(root.text);
  },

  async listModels(ctx: AdapterContext): Promise<string[]> {
    try {
      return await listOpenAiModels(ctx);
    } catch (first) {
      // Older Ollama has no /v1/models; /api/tags is its native listing.
      let a;
      try {
        a = await ctx.http.get(joinUrl(ctx.baseUrl, '/api/tags'), ctx);
      } catch (e) {
        throw first instanceof BackendUnreachableError ? first : e;
      }
      const names = is2xx(a) ? parseOllamaTags(a.json) : null;
      if (!names) {
        throw new UnrecognizedAnswerError(
          `neither /v1/models nor /api/tags answered a model list (${(first as Error).message}; /api/tags HTTP ${a.status})`,
        );
      }
      return names;
    }
  },

  async fetchMaxTokens(ctx: AdapterContext, modelId: string): Promise<number | null> {
    const a = await ctx.http.post(joinUrl(ctx.baseUrl, '/api/show'), {
      ...ctx,
      body: { model: modelId },
    });
    return is2xx(a) ? ollamaContextLength(a.json) : null;
  },
};
