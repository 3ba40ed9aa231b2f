import { extractUsageFromJson, type Usage } from '../sse';

/** What the client asked for: `encoding_format: "base64"`, or floats (the default). */
export type EmbeddingEncoding = 'float' | 'base64';

export function requestedEncoding(body: Record<string, unknown>): EmbeddingEncoding {
  return body.encoding_format === 'base64' ? 'base64' : 'float';
}

/** float32 little-endian, base64 — what OpenAI answers for `encoding_format: "base64"`. */
export function encodeFloats(values: number[]): string {
  const buf = Buffer.allocUnsafe(values.length * 4);
  for (let i = 0; i < values.length; i++) buf.writeFloatLE(values[i], i * 4);
  return buf.toString('base64');
}

export function decodeFloats(b64: string): number[] {
  const buf = Buffer.from(b64, 'base64');
  const out = new Array<number>(Math.floor(buf.length / 4));
  for (let i = 0; i < out.length; i++) out[i] = buf.readFloatLE(i * 4);
  return out;
}

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * The first character of the first `"embedding":` value (`[` floats, `"` base64), or null.
 * (`"object":"embedding"` also contains the word, hence the check for the colon.)
 */
function firstEmbeddingKind(body: Buffer): '[' | '"' | null {
  for (
    let key = body.indexOf('"embedding"');
    key !== -1;
    key = body.indexOf('"embedding"', key + 1)
  ) {
    let i = key + 11;
    while (i < body.length && isSpace(body[i])) i++;
    if (body[i] !== 0x3a /* : */) continue;
    i++;
    while (i < body.length && isSpace(body[i])) i++;
    if (body[i] === 0x5b) return '[';
    if (body[i] === 0x22) return '"';
    return null;
  }
  return null;
}

/**
 * Makes an embeddings answer match the encoding the client asked for. Ollama ignores
 * `encoding_format` and always answers float arrays; the `openai` npm client asks for base64
 * by default and would decode those as empty vectors. The body is only parsed when its first
 * embedding has the wrong form; otherwise it is returned as is.
 */
export function matchEmbeddingEncoding(
  body: Buffer,
  wanted: EmbeddingEncoding,
): { body: Buffer; usage: Usage | null } {
  const usage = extractUsageFromJson(body);
  const kind = firstEmbeddingKind(body);
  if (kind === null || (kind === '[') === (wanted === 'float')) return { body, usage };
  const json = JSON.parse(body.toString('utf8')) as { data?: Array<Record<string, unknown>> };
  for (const item of json.data ?? []) {
    const e = item?.embedding;
    if (wanted === 'base64' && Array.isArray(e)) item.embedding = encodeFloats(e as number[]);
    else if (wanted === 'float' && typeof e === 'string') item.embedding = decodeFloats(e);
  }
  return { body: Buffer.from(JSON.stringify(json)), usage };
}
