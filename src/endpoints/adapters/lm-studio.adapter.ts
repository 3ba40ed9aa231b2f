import {
  AdapterContext,
  DetectionProbes,
  EndpointAdapter,
  dataItems,
  encodeModelPath,
  is2xx,
  isObject,
  joinUrl,
  listOpenAiModels,
  positiveInt,
} from './endpoint-adapter';

const LM_STUDIO_FIELDS = ['publisher', 'arch', 'state', 'type'];
const NAMES_LM_STUDIO = /lm[\s_-]?studio/i;

/**
 * LM Studio: its native REST API `GET /api/v0/models` lists models with `publisher`, `arch`,
 * `state` (loaded / not-loaded), `type` (llm / vlm / embeddings) and `max_context_length`.
 */
export const lmStudioAdapter: EndpointAdapter = {
  type: 'lm_studio',
  detectionOrder: 2,
  supportsMetadata: true,

  async detect(probes: DetectionProbes): Promise<boolean> {
    const [native, v1] = await Promise.all([
      probes.get('/api/v0/models'),
      probes.get('/v1/models'),
    ]);
    if (is2xx(native)) {
      const items = dataItems(native);
      if (items.some((it) => LM_STUDIO_FIELDS.filter((f) => f in it).length >= 2)) return true;
    }
    for (const a of [native, v1]) {
      if (a && NAMES_LM_STUDIO.test(a.headers.server ?? '')) return true;
    }
    return dataItems(v1).some(
      (it) => typeof it.owned_by === 'string' && NAMES_LM_STUDIO.test(it.owned_by),
    );
  },

  listModels: listOpenAiModels,

  async fetchMaxTokens(ctx: AdapterContext, modelId: string): Promise<number | null> {
    const a = await ctx.http.get(
      joinUrl(ctx.baseUrl, `/api/v0/models/${encodeModelPath(modelId)}`),
      ctx,
    );
    if (!is2xx(a) || !isObject(a.json) || 'error' in a.json) return null;
    return positiveInt(a.json.max_context_length);
  },
};
