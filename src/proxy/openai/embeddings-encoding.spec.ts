import {
  decodeFloats,
  encodeFloats,
  matchEmbeddingEncoding,
  requestedEncoding,
} from './embeddings-encoding';

const floats = [0.5, -1.25, 3, 0];

function answer(embedding: unknown): Buffer {
  return Buffer.from(
    JSON.stringify({
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding }],
      model: 'm',
      usage: { prompt_tokens: 4, total_tokens: 4 },
    }),
  );
}

describe('embeddings encoding', () => {
  it('reads the encoding the client asked for (float by default)', () => {
    expect(requestedEncoding({ encoding_format: 'base64' })).toBe('base64');
    expect(requestedEncoding({ encoding_format: 'float' })).toBe('float');
    expect(requestedEncoding({})).toBe('float');
  });

  it('encodes float32 little-endian base64 and decodes it back', () => {
    const b64 = encodeFloats(floats);
    const raw = Buffer.from(b64, 'base64');
    expect(raw.length).toBe(16);
    expect(raw.readFloatLE(4)).toBe(-1.25);
    expect(decodeFloats(b64)).toEqual(floats);
  });

  it('encodes float arrays when the client asked for base64', () => {
    const out = matchEmbeddingEncoding(answer(floats), 'base64');
    const json = JSON.parse(out.body.toString());
    expect(json.data[0].embedding).toBe(encodeFloats(floats));
    expect(out.usage).toEqual({ promptTokens: 4, completionTokens: null });
  });

  it('decodes base64 when the client asked for floats', () => {
    const out = matchEmbeddingEncoding(answer(encodeFloats(floats)), 'float');
    expect(JSON.parse(out.body.toString()).data[0].embedding).toEqual(floats);
  });

  it('returns the same bytes when the encoding already matches', () => {
    const body = answer(floats);
    expect(matchEmbeddingEncoding(body, 'float').body).toBe(body);
    const b64 = answer(encodeFloats(floats));
    expect(matchEmbeddingEncoding(b64, 'base64').body).toBe(b64);
  });
});
