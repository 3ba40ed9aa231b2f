import { ollamaContextLength, parseOllamaTags } from './adapters/ollama.adapter';
import { encodeModelPath, parseOpenAiModelIds } from './adapters';
import { diffModels, mapLimit } from './endpoint-model-sync.service';

const row = (modelId: string, maxTokens: number | null = null, capabilities = ['chat']) => ({
  modelId,
  maxTokens,
  capabilities,
});

describe('model sync helpers', () => {
  it('diffs added, removed and updated', () => {
    const d = diffModels(
      [row('a', 100), row('b', 200), row('c')],
      [row('a', 100), row('b', 300), row('d'), row('e', null, ['embeddings'])],
    );
    expect(d).toEqual({ added: 2, removed: 1, updated: 1, removedIds: ['c'] });
    expect(diffModels([row('x', null, ['chat'])], [row('x', null, ['embeddings'])]).updated).toBe(
      1,
    );
    expect(diffModels([], [])).toEqual({ added: 0, removed: 0, updated: 0, removedIds: [] });
  });

  it('mapLimit keeps order and the bound', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapLimit([5, 1, 4, 2, 3, 0, 6], 3, async (x) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, x * 2));
      inFlight--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(peak).toBe(3);
    expect(await mapLimit([], 4, async (x) => x)).toEqual([]);
  });

  it('parses OpenAI model lists strictly', () => {
    expect(parseOpenAiModelIds({ object: 'list', data: [{ id: 'a' }, { id: 'b/c:d' }] })).toEqual([
      'a',
      'b/c:d',
    ]);
    expect(parseOpenAiModelIds({ data: [] })).toEqual([]);
    expect(parseOpenAiModelIds({ models: [] })).toBeNull();
    expect(parseOpenAiModelIds({ data: [{ name: 'a' }] })).toBeNull();
    expect(parseOpenAiModelIds('text')).toBeNull();
  });

  it('parses Ollama tags and refuses LM Studio’s error answer', () => {
    expect(parseOllamaTags({ models: [{ name: 'a:latest', model: 'a:latest' }] })).toEqual([
      'a:latest',
    ]);
    expect(parseOllamaTags({ error: 'Unexpected endpoint or method. (GET /api/tags)' })).toBeNull();
    expect(parseOllamaTags({ models: 'x' })).toBeNull();
  });

  it('reads the Ollama context length from model_info, else num_ctx', () => {
    expect(
      ollamaContextLength({
        model_info: { 'general.architecture': 'gemma3', 'gemma3.context_length': 131072 },
      }),
    ).toBe(131072);
    expect(ollamaContextLength({ parameters: 'stop "<x>"\nnum_ctx 8192', model_info: {} })).toBe(
      8192,
    );
    expect(ollamaContextLength({ model_info: { 'general.architecture': 'llama' } })).toBeNull();
    expect(ollamaContextLength(null)).toBeNull();
  });

  it('encodes model ids for paths keeping the slashes', () => {
    expect(encodeModelPath('Qwen/Qwen2.5-7B:q4 k')).toBe('Qwen/Qwen2.5-7B%3Aq4%20k');
  });
});
