import { DetectionProbes, EndpointAdapter, dataItems, listOpenAiModels } from './endpoint-adapter';

/** vLLM: `/v1/models` items are `owned_by: "vllm"` (or the Server header says so). No metadata API. */
export const vllmAdapter: EndpointAdapter = {
  type: 'vllm',
  detectionOrder: 4,
  supportsMetadata: false,

  async detect(probes: DetectionProbes): Promise<boolean> {
    const a = await probes.get('/v1/models');
    if (!a) return false;
    if (/vllm/i.test(a.headers.server ?? '')) return true;
    return dataItems(a).some((it) => typeof it.owned_by === 'string' && /vllm/i.test(it.owned_by));
  },

  listModels: listOpenAiModels,
};
