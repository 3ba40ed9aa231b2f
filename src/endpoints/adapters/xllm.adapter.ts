import {
  AdapterContext,
  DetectionProbes,
  EndpointAdapter,
  encodeModelPath,
  is2xx,
  isObject,
  joinUrl,
  listOpenAiModels,
  positiveInt,
} from './endpoint-adapter';

/** Our own runtime: `GET /v0/system` carries `xllm_version`; `/v0/models/{id}/info` tells context length. */
export const xllmAdapter: EndpointAdapter = {
  type: 'xllm',
  detectionOrder: 1,
  supportsMetadata: true,

  async detect(probes: DetectionProbes): Promise<boolean> {
    const a = await probes.get('/v0/system');
    return is2xx(a) && isObject(a.json) && typeof a.json.xllm_version === 'string';
  },

  listModels: listOpenAiModels,

  async fetchMaxTokens(ctx: AdapterContext, modelId: string): Promise<number | null> {
    const a = await ctx.http.get(
      joinUrl(ctx.baseUrl, `/v0/models/${encodeModelPath(modelId)}/info`),
      ctx,
    );
    if (!is2xx(a) || !isObject(a.json)) return null;
    return positiveInt(a.json.context_length);
  },
};
