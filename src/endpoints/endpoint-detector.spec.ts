import { ALL_ADAPTERS } from './adapters';
import type { HttpAnswer } from './backend-http.client';
import { detectWith } from './endpoint-detector';

type Answers = Record<string, Partial<HttpAnswer> | undefined>;

/** Probes answered from a table; missing paths answer 404, `null` entries do not answer. */
function probes(answers: Answers, nothingAnswers = false) {
  const answered: HttpAnswer[] = [];
  return {
    async get(path: string): Promise<HttpAnswer | null> {
      if (nothingAnswers) return null;
      const a = answers[path];
      const full: HttpAnswer = {
        status: 200,
        headers: {},
        text: a?.json !== undefined ? JSON.stringify(a.json) : '',
        json: undefined,
        latencyMs: 1,
        ...(a ?? { status: 404, text: 'not found' }),
      };
      answered.push(full);
      return full;
    },
    answered: () => answered,
    errors: () => (nothingAnswers ? ['connect ECONNREFUSED'] : []),
  };
}

const adapters = [...ALL_ADAPTERS].sort((a, b) => a.detectionOrder - b.detectionOrder);
const models = (ownedBy = 'system', extra = {}) => ({
  json: { object: 'list', data: [{ id: 'm', object: 'model', owned_by: ownedBy, ...extra }] },
});

describe('type detection rules (spec §5.2)', () => {
  it.each<[string, Answers, string]>([
    [
      'xllm by /v0/system xllm_version',
      { '/v0/system': { json: { xllm_version: '1.0' } }, '/v1/models': models() },
      'xllm',
    ],
    [
      'lm_studio by /api/v0/models fields',
      {
        '/api/v0/models': {
          json: {
            data: [{ id: 'a', publisher: 'p', arch: 'llama', state: 'loaded', type: 'llm' }],
          },
        },
      },
      'lm_studio',
    ],
    ['lm_studio by owned_by', { '/v1/models': models('LM Studio') }, 'lm_studio'],
    [
      'lm_studio by Server header',
      { '/v1/models': { ...models(), headers: { server: 'LM-Studio/0.3' } } },
      'lm_studio',
    ],
    [
      'ollama by /api/tags',
      { '/api/tags': { json: { models: [{ name: 'x:latest' }] } } },
      'ollama',
    ],
    ['ollama by /api/tags with no models', { '/api/tags': { json: { models: [] } } }, 'ollama'],
    ['ollama by root text', { '/': { text: 'Ollama is running' } }, 'ollama'],
    ['vllm by owned_by', { '/v1/models': models('vllm') }, 'vllm'],
    [
      'vllm by Server header',
      { '/v1/models': { ...models(), headers: { server: 'vllm/0.6' } } },
      'vllm',
    ],
    [
      'llama_cpp by Server header',
      { '/v1/models': { ...models('llamacpp'), headers: { server: 'llama.cpp' } } },
      'llama_cpp',
    ],
    [
      'llama_cpp by /props',
      { '/props': { json: { default_generation_settings: { n_ctx: 4096 } } } },
      'llama_cpp',
    ],
    ['openai_compatible by /v1/models data', { '/v1/models': models() }, 'openai_compatible'],
    [
      'openai_compatible with empty data',
      { '/v1/models': { json: { object: 'list', data: [] } } },
      'openai_compatible',
    ],
    // priorities
    [
      'xllm beats vllm',
      { '/v0/system': { json: { xllm_version: '1' } }, '/v1/models': models('vllm') },
      'xllm',
    ],
    [
      'lm_studio beats ollama',
      {
        '/api/v0/models': { json: { data: [{ id: 'a', publisher: 'p', arch: 'x' }] } },
        '/api/tags': { json: { models: [] } },
      },
      'lm_studio',
    ],
    [
      'ollama beats vllm',
      { '/api/tags': { json: { models: [] } }, '/v1/models': models('vllm') },
      'ollama',
    ],
    [
      'vllm beats llama_cpp',
      { '/v1/models': { ...models('vllm'), headers: { server: 'llama.cpp' } } },
      'vllm',
    ],
    [
      'llama_cpp beats openai_compatible',
      { '/v1/models': models(), '/props': { json: { default_generation_settings: {} } } },
      'llama_cpp',
    ],
  ])('%s', async (_label, answers, type) => {
    expect(await detectWith(adapters, probes(answers))).toEqual({ kind: 'matched', type });
  });

  it.each<[string, Answers]>([
    [
      'LM Studio style 200 + error on /api/tags is not ollama',
      { '/api/tags': { json: { error: 'Unexpected endpoint' } } },
    ],
    ['xllm_version must be a string', { '/v0/system': { json: { xllm_version: 1 } } }],
    ['a 500 on /v1/models', { '/v1/models': { status: 500, json: { data: [] } } }],
    ['HTML everywhere', { '/': { text: '<html>nginx</html>' } }],
    [
      '/api/v0/models items without LM Studio fields',
      { '/api/v0/models': { json: { data: [{ id: 'a', object: 'model' }] } } },
    ],
  ])('unmatched: %s', async (_label, answers) => {
    const r = await detectWith(adapters, probes(answers));
    expect(r.kind).toBe('unmatched');
  });

  it('names the refused key when the server answers 401', async () => {
    const r = await detectWith(
      adapters,
      probes({ '/v1/models': { status: 401, json: { error: 'bad key' } } }),
    );
    expect(r).toEqual({ kind: 'unmatched', reason: expect.stringMatching(/401.*api_key/) });
  });

  it('unreachable when nothing answers', async () => {
    expect(await detectWith(adapters, probes({}, true))).toEqual({
      kind: 'unreachable',
      error: 'connect ECONNREFUSED',
    });
  });
});
