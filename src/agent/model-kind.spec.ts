import { capabilitiesFor } from '../endpoints/model-capabilities';
import { isEmbeddingModel, splitModels } from './model-kind';

describe('agent model kind', () => {
  const ids = [
    'bge-m3',
    'nomic-embed-text:latest',
    'embeddinggemma-300m',
    'org/text_embedding-3',
    'text-embedding-3-small',
    'llama-3.1-8b-instruct',
    'org/embed-english-v3',
    'qwen/qwen3-4b',
  ];

  it('agrees with the server rule (spec §5.4) it was copied from', () => {
    for (const id of ids)
      expect([id, isEmbeddingModel(id)]).toEqual([id, capabilitiesFor(id).includes('embeddings')]);
  });

  it('splits a runtime model list', () => {
    expect(splitModels(ids)).toEqual({
      chat: ['bge-m3', 'llama-3.1-8b-instruct', 'qwen/qwen3-4b'],
      embeddings: [
        'nomic-embed-text:latest',
        'embeddinggemma-300m',
        'org/text_embedding-3',
        'text-embedding-3-small',
        'org/embed-english-v3',
      ],
    });
  });
});
