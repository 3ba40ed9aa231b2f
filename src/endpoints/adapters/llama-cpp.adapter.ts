import {
  DetectionProbes,
  EndpointAdapter,
  is2xx,
  isObject,
  joinUrl,
  listOpenAiModels,
  positiveInt,
} from './endpoint-adapter';

/** llama.cpp server: answers with `Server: llama.cpp`; `GET /props` has `default_generation_settings`. */
export const llamaCppAdapter: EndpointAdapter = {
  type: 'llama_cpp',
  detectionOrder: 5,
  supportsMetadata: false,

  async detect(probes: DetectionProbes): Promise<boolean> {
    const [v1, props] = await Promise.all([probes.get('/v1/models'), probes.get('/props')]);
    if (v1 && /llama\.cpp/i.test(v1.headers.server ?? '')) return true;
    return is2xx(props) && isObject(props.json) && isObject(props.json.default_generation_settings);
  },

  listModels: listOpenAiModels,

  /** `GET /props` → `total_slots` (the server's `--parallel`). */
  async fetchSlots(ctx): Promise<number | null> {
    const a = await ctx.http.get(joinUrl(ctx.baseUrl, '/props'), ctx);
    if (!is2xx(a) || !isObject(a.json)) return null;
    return positiveInt(a.json.total_slots);
  },
};
