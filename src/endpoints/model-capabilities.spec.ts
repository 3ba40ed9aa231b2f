import { capabilitiesFor } from './model-capabilities';

describe('capabilities by model name', () => {
  it.each([
    ['nomic-embed-text:latest', 'embeddings'],
    ['nomic-ai/nomic-embed-text-v1.5', 'embeddings'],
    ['embeddinggemma:300m', 'embeddings'],
    ['text-embedding-3-small', 'embeddings'],
    ['BAAI/bge_embed_large', 'embeddings'],
    ['Embed-English-v3', 'embeddings'],
    ['llama3.2:latest', 'chat'],
    ['embed-org/llama3', 'chat'], // only the last segment counts
    ['qwen/qwen3-4b', 'chat'],
    ['reembedder', 'chat'],
  ])('%s → %s', (id, cap) => {
    expect(capabilitiesFor(id)).toEqual([cap]);
  });
});
