import { backendMessage } from '../failover';
import { decodeFloats } from '../openai/embeddings-encoding';
import { SseSplitter, normalizeUsage, type Usage } from '../sse';
import type { StreamRelay } from '../upstream-plan';
import type { OllamaKind } from './ollama.request';

/** OpenAI answers → Ollama API answers (JSON and NDJSON). */

/** Nanoseconds since `start` (`process.hrtime.bigint()`), as a JSON number. */
export function nsSince(start: bigint, now = process.hrtime.bigint()): number {
  return Number(now - start);
}

export function ollamaDoneReason(finish: string | null | undefined): string {
  return finish === 'length' ? 'length' : 'stop';
}

function toolCalls(calls: unknown): Array<Record<string, unknown>> | undefined {
  if (!Array.isArray(calls) || calls.length === 0) return undefined;
  return calls.map((c: { id?: string; function?: { name?: string; arguments?: unknown } }) => {
    let args: unknown = c.function?.arguments ?? {};
    if (typeof args === 'string') {
      try {
        args = JSON.parse(args || '{}');
      } catch {
        /* keep the string */
      }
    }
    return { function: { name: c.function?.name ?? '', arguments: args } };
  });
}

/** The counts and durations Ollama puts on its last (`done: true`) object. */
export function doneFields(
  usage: Usage | null,
  start: bigint,
  firstTokenAt: bigint | null,
): Record<string, number> {
  const now = process.hrtime.bigint();
  const first = firstTokenAt ?? now;
  return {
    total_duration: nsSince(start, now),
    load_duration: 0,
    prompt_eval_count: usage?.promptTokens ?? 0,
    prompt_eval_duration: nsSince(start, first),
    eval_count: usage?.completionTokens ?? 0,
    eval_duration: nsSince(first, now),
  };
}

interface OpenAiCompletion {
  choices?: Array<{
    message?: { content?: string | null; reasoning_content?: string; tool_calls?: unknown };
    finish_reason?: string | null;
  }>;
  usage?: unknown;
  data?: Array<{ embedding?: number[] | string }>;
}

/** A complete OpenAI answer (chat completion or embeddings list) → Ollama's answer. */
export function toOllamaAnswer(
  kind: OllamaKind,
  body: Buffer,
  model: string,
  start: bigint,
): { body: Buffer; usage: Usage | null } {
  const r = JSON.parse(body.toString('utf8')) as OpenAiCompletion;
  const usage = normalizeUsage(r.usage);
  let out: Record<string, unknown>;
  if (kind === 'embed' || kind === 'embeddings') {
    const vectors = (r.data ?? []).map((d) =>
      typeof d.embedding === 'string' ? decodeFloats(d.embedding) : (d.embedding ?? []),
    );
    out =
      kind === 'embeddings'
        ? { embedding: vectors[0] ?? [] }
        : {
            model,
            embeddings: vectors,
            total_duration: nsSince(start),
            load_duration: 0,
            prompt_eval_count: usage?.promptTokens ?? 0,
          };
  } else {
    const choice = r.choices?.[0];
    const text = choice?.message?.content ?? '';
    const head: Record<string, unknown> = { model, created_at: new Date().toISOString() };
    if (kind === 'chat') {
      const message: Record<string, unknown> = { role: 'assistant', content: text };
      if (choice?.message?.reasoning_content) message.thinking = choice.message.reasoning_content;
      const calls = toolCalls(choice?.message?.tool_calls);
      if (calls) message.tool_calls = calls;
      head.message = message;
    } else head.response = text;
    out = {
      ...head,
      done: true,
      done_reason: ollamaDoneReason(choice?.finish_reason),
      ...doneFields(usage, start, null),
    };
  }
  return { body: Buffer.from(JSON.stringify(out)), usage };
}

/** A backend's 4xx in Ollama's error shape. */
export function ollamaClientError(_status: number, body: Buffer): Buffer {
  return Buffer.from(JSON.stringify({ error: backendMessage(body) }));
}

/** The end of an NDJSON stream that failed after the first byte. */
export function ollamaStreamErrorTail(_status: number, _code: string, message: string): string {
  return `${JSON.stringify({ error: message })}\n`;
}

interface ToolCallDraft {
  id?: string;
  name: string;
  args: string;
}

/** OpenAI chat completion chunks → Ollama NDJSON (`done: false` pieces, then the `done` object). */
export class OllamaNdjsonRelay implements StreamRelay {
  usage: Usage | null = null;
  private readonly splitter = new SseSplitter();
  private finish: string | null = null;
  private firstTokenAt: bigint | null = null;
  private failed = false;
  private readonly calls = new Map<number, ToolCallDraft>();

  constructor(
    private readonly kind: 'chat' | 'generate',
    private readonly model: string,
    private readonly start: bigint,
  ) {}

  push(chunk: Buffer): string {
    let out = '';
    for (const ev of this.splitter.push(chunk)) out += this.event(ev.data);
    return out;
  }

  end(): string {
    const rest = this.splitter
      .rest()
      .replace(/^data:\s?/, '')
      .trim();
    let out = rest ? this.event(rest) : '';
    if (this.failed) return out;
    if (this.calls.size > 0) {
      const calls = [...this.calls.values()].map((c) => ({
        id: c.id,
        function: { name: c.name, arguments: c.args },
      }));
      out += this.line({ role: 'assistant', content: '', tool_calls: toolCalls(calls) }, '', false);
    }
    const last: Record<string, unknown> = {
      ...this.head(this.kind === 'chat' ? { role: 'assistant', content: '' } : null, ''),
      done: true,
      done_reason: ollamaDoneReason(this.finish),
      ...doneFields(this.usage, this.start, this.firstTokenAt),
    };
    return `${out}${JSON.stringify(last)}\n`;
  }

  private head(message: Record<string, unknown> | null, response: string): Record<string, unknown> {
    const h: Record<string, unknown> = { model: this.model, created_at: new Date().toISOString() };
    if (this.kind === 'chat') h.message = message;
    else h.response = response;
    return h;
  }

  private line(message: Record<string, unknown>, response: string, _done: false): string {
    return `${JSON.stringify({ ...this.head(message, response), done: false })}\n`;
  }

  private event(data: string): string {
    if (this.failed || !data.trim() || data === '[DONE]') return '';
    let c: {
      choices?: Array<{
        delta?: {
          content?: string | null;
          reasoning_content?: string | null;
          tool_calls?: Array<{
            index?: number;
            id?: string;
            function?: { name?: string; arguments?: string };
          }>;
        };
        finish_reason?: string | null;
      }>;
      usage?: unknown;
      error?: { message?: string };
    };
    try {
      c = JSON.parse(data) as typeof c;
    } catch {
      return '';
    }
    if (c.error) {
      this.failed = true;
      return ollamaStreamErrorTail(502, 'upstream_error', c.error.message ?? 'Backend error');
    }
    const usage = normalizeUsage(c.usage);
    if (usage) this.usage = usage;
    const choice = c.choices?.[0];
    if (!choice) return '';
    if (choice.finish_reason) this.finish = choice.finish_reason;
    const d = choice.delta ?? {};
    for (const tc of d.tool_calls ?? []) {
      const i = tc.index ?? 0;
      const draft = this.calls.get(i) ?? { id: tc.id, name: '', args: '' };
      if (tc.function?.name) draft.name += tc.function.name;
      if (tc.function?.arguments) draft.args += tc.function.arguments;
      this.calls.set(i, draft);
    }
    const text = typeof d.content === 'string' ? d.content : '';
    const thinking = typeof d.reasoning_content === 'string' ? d.reasoning_content : '';
    if (!text && !thinking) return '';
    this.firstTokenAt ??= process.hrtime.bigint();
    const message: Record<string, unknown> = { role: 'assistant', content: text };
    if (thinking) message.thinking = thinking;
    return this.line(message, text, false);
  }
}

/**
 * Native Ollama NDJSON passed through untouched; the counts are read from the `done` line
 * (the only line parsed).
 */
export class OllamaPassthroughRelay implements StreamRelay {
  usage: Usage | null = null;
  /** The unfinished last line (only read for its counts). */
  private tail = '';

  push(chunk: Buffer): Buffer {
    const nl = chunk.lastIndexOf(0x0a);
    if (nl === -1) {
      this.tail += chunk.toString('utf8');
      return chunk;
    }
    const complete = this.tail + chunk.subarray(0, nl).toString('utf8');
    this.tail = chunk.subarray(nl + 1).toString('utf8');
    if (complete.includes('"done"')) for (const l of complete.split('\n')) this.read(l);
    return chunk;
  }

  end(): string {
    this.read(this.tail);
    this.tail = '';
    return '';
  }

  private read(line: string): void {
    if (!/"done"\s*:\s*true/.test(line)) return;
    const u = ollamaUsage(line);
    if (u) this.usage = u;
  }
}

/** Counts from a native Ollama answer (`prompt_eval_count`, `eval_count`). */
export function ollamaUsage(json: string | Buffer): Usage | null {
  try {
    const o = JSON.parse(json.toString()) as Record<string, unknown>;
    const p = typeof o.prompt_eval_count === 'number' ? o.prompt_eval_count : null;
    const c = typeof o.eval_count === 'number' ? o.eval_count : null;
    return p === null && c === null ? null : { promptTokens: p, completionTokens: c };
  } catch {
    return null;
  }
}
