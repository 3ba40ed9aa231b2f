import type { EndpointAdapter } from './endpoint-adapter';
import { llamaCppAdapter } from './llama-cpp.adapter';
import { lmStudioAdapter } from './lm-studio.adapter';
import { ollamaAdapter } from './ollama.adapter';
import { openAiCompatibleAdapter } from './openai-compatible.adapter';
import { vllmAdapter } from './vllm.adapter';
import { xllmAdapter } from './xllm.adapter';

/** Every known server kind. To add one: write `<kind>.adapter.ts` and list it here. */
export const ALL_ADAPTERS: readonly EndpointAdapter[] = [
  xllmAdapter,
  lmStudioAdapter,
  ollamaAdapter,
  vllmAdapter,
  llamaCppAdapter,
  openAiCompatibleAdapter,
];

export * from './endpoint-adapter';
