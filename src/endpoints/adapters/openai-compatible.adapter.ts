import {
  DetectionProbes,
  EndpointAdapter,
  is2xx,
  isObject,
  listOpenAiModels,
} from './endpoint-adapter';

/** Any other server whose `GET /v1/models` answers 2xx JSON with `data`. Last in the order. */
export const openAiCompatibleAdapter: EndpointAdapter = {
  type: 'openai_compatible',
  detectionOrder: 6,
  supportsMetadata: false,

  async detect(probes: DetectionProbes): Promise<boolean> {
    const a = await probes.get('/v1/models');
    return is2xx(a) && isObject(a.json) && Array.isArray(a.json.data);
  },

  listModels: listOpenAiModels,
};
