/** Server kinds an endpoint can be (spec §5.1). `unknown` = never reached yet. */
export const ENDPOINT_TYPES = [
  'xllm',
  'ollama',
  'vllm',
  'lm_studio',
  'llama_cpp',
  'openai_compatible',
  'unknown',
] as const;
export type EndpointType = (typeof ENDPOINT_TYPES)[number];

/** Types an operator may set by hand (`unknown` is only a detection result). */
export const SETTABLE_ENDPOINT_TYPES = ENDPOINT_TYPES.filter((t) => t !== 'unknown');

export const ENDPOINT_STATUSES = ['pending', 'online', 'error', 'offline'] as const;
export type EndpointStatus = (typeof ENDPOINT_STATUSES)[number];

export const TYPE_SOURCES = ['detected', 'manual'] as const;
export type TypeSource = (typeof TYPE_SOURCES)[number];
