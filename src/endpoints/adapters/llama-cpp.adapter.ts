import {
  DetectionProbes,
  EndpointAdapter,
  is2xx,
  isObject,
  listOpenAiModels,
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
};
