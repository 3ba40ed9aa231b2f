import { StringDecoder } from 'node:string_decoder';
import { errorBody } from '../common/app-error';

/** Token counts as the proxy records them. */
export interface Usage {
  promptTokens: number | null;
  completionTokens: number | null;
}

/** One complete server-sent event. `raw` is its exact text including the blank line. */
export interface SseEvent {
  event: string | null;
  data: string;
  raw: string;
}

const BOUNDARY = /\r\n\r\n|\n\n|\r\r/g;

/**
 * Splits a byte stream into complete SSE events; chunks may be cut anywhere (inside a line,
 * inside a UTF-8 sequence). The unfinished tail is kept for the next chunk.
 */
export class SseSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private buf = '';
  private lastByte = 0x0a;

  /** True when nothing of an unfinished event (or UTF-8 sequence) is held. */
  get idle(): boolean {
    return this.buf.length === 0 && this.lastByte < 0x80;
  }

  push(chunk: Buffer | string): SseEvent[] {
    if (typeof chunk === 'string') this.buf += chunk;
    else {
      if (chunk.length > 0) this.lastByte = chunk[chunk.length - 1];
      this.buf += this.decoder.write(chunk);
    }
    const out: SseEvent[] = [];
    BOUNDARY.lastIndex = 0;
    let start = 0;
    let m: RegExpExecArray | null;
    while ((m = BOUNDARY.exec(this.buf)) !== null) {
      const end = m.index + m[0].length;
      out.push(parseEvent(this.buf.slice(start, end)));
      start = end;
    }
    if (start > 0) this.buf = this.buf.slice(start);
    return out;
  }

  /** Whatever is left when the stream ends (an event without its closing blank line). */
  rest(): string {
    const r = this.buf + this.decoder.end();
    this.buf = '';
    return r;
  }
}

export function parseEvent(raw: string): SseEvent {
  let event: string | null = null;
  let data: string | null = null;
  for (const line of raw.split(/\r\n|\n|\r/)) {
    if (line.length === 0 || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data = data === null ? value : `${data}\n${value}`;
    else if (field === 'event') event = value;
  }
  return { event, data: data ?? '', raw };
}

const USAGE_OBJECT = /"usage"\s*:\s*\{/;

/** Whether a chunk ends with a blank line (so it holds complete events only). */
function endsAtBoundary(b: Buffer): boolean {
  const n = b.length;
  if (n < 2) return false;
  const last = b[n - 1];
  const prev = b[n - 2];
  if (last === 0x0a)
    return prev === 0x0a || (n >= 4 && prev === 0x0d && b[n - 3] === 0x0a && b[n - 4] === 0x0d);
  return last === 0x0d && prev === 0x0d;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/** Reads OpenAI (`prompt_tokens`/`completion_tokens`) or Responses (`input_tokens`/…) usage. */
export function normalizeUsage(u: unknown): Usage | null {
  if (!u || typeof u !== 'object') return null;
  const o = u as Record<string, unknown>;
  const prompt = num(o.prompt_tokens) ?? num(o.input_tokens);
  const completion = num(o.completion_tokens) ?? num(o.output_tokens);
  if (prompt === null && completion === null) return null;
  return { promptTokens: prompt, completionTokens: completion };
}

/**
 * Finds `usage` in a complete JSON response without parsing the whole body (an embeddings
 * answer can be megabytes of floats): the last `"usage"` key's object is cut out by brace
 * matching and parsed alone.
 */
export function extractUsageFromJson(body: Buffer): Usage | null {
  const key = body.lastIndexOf('"usage"');
  if (key === -1) return null;
  let i = key + 7;
  while (
    i < body.length &&
    (body[i] === 0x20 || body[i] === 0x0a || body[i] === 0x0d || body[i] === 0x09)
  )
    i++;
  if (body[i] !== 0x3a /* : */) return null;
  i++;
  while (i < body.length && body[i] !== 0x7b /* { */ && body[i] !== 0x6e /* n(ull) */) i++;
  if (body[i] !== 0x7b) return null;
  let depth = 0;
  let inString = false;
  for (let j = i; j < body.length; j++) {
    const c = body[j];
    if (inString) {
      if (c === 0x5c) j++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b) depth++;
    else if (c === 0x7d && --depth === 0) {
      try {
        return normalizeUsage(JSON.parse(body.subarray(i, j + 1).toString('utf8')));
      } catch {
        return null;
      }
    }
  }
  return null;
}

/**
 * The relay for OpenAI-compatible SSE: forwards complete events as they arrive, reads `usage`
 * from the chunk that carries it (chat/completions with `include_usage`, or the Responses API's
 * `response.completed`), and — when the proxy itself asked for usage — drops the usage-only
 * chunk the client did not ask for. Only events mentioning a usage object are JSON-parsed.
 */
export class OpenAiSseRelay {
  usage: Usage | null = null;
  sawDone = false;
  events = 0;
  private readonly splitter = new SseSplitter();

  constructor(private readonly dropUsageChunk: boolean) {}

  /**
   * What to send to the client now ('' when the chunk completed no event). Fast path: a chunk
   * that holds only complete events and no usage object is forwarded as the same Buffer,
   * without decoding.
   */
  push(chunk: Buffer): string | Buffer {
    if (this.splitter.idle && endsAtBoundary(chunk) && chunk.indexOf('"usage"') === -1) {
      if (chunk.indexOf('[DONE]') !== -1) this.sawDone = true;
      return chunk;
    }
    const events = this.splitter.push(chunk);
    if (events.length === 0) return '';
    let out = '';
    for (const ev of events) {
      if (this.keep(ev)) out += ev.raw;
    }
    return out;
  }

  /** The unfinished tail at the end of the stream (sent as is). */
  end(): string {
    const rest = this.splitter.rest();
    if (rest.trim().length === 0) return '';
    return this.keep(parseEvent(rest)) ? rest : '';
  }

  private keep(ev: SseEvent): boolean {
    this.events += 1;
    const data = ev.data;
    if (data === '[DONE]') {
      this.sawDone = true;
      return true;
    }
    if (!USAGE_OBJECT.test(data)) return true;
    let obj: Record<string, unknown>;
    try {
      obj = JSON.parse(data) as Record<string, unknown>;
    } catch {
      return true;
    }
    const nested = obj.response as Record<string, unknown> | undefined;
    const usage = normalizeUsage(obj.usage) ?? normalizeUsage(nested?.usage);
    if (usage) this.usage = usage;
    if (this.dropUsageChunk && usage && Array.isArray(obj.choices) && obj.choices.length === 0) {
      return false;
    }
    return true;
  }
}

/** The end of a stream that failed after the first byte: one error event, then `[DONE]`. */
export function sseErrorTail(status: number, code: string, message: string): string {
  return `data: ${JSON.stringify(errorBody(status, code, message))}\n\ndata: [DONE]\n\n`;
}
