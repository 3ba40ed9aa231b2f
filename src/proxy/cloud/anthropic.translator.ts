import { backendMessage } from '../failover';
import { redactGeneric } from '../redact';
import { SseSplitter, sseErrorTail, type Usage } from '../sse';
import type { StreamRelay } from '../upstream-plan';
import {
  chatCompletion,
  ChatRequest,
  chunkEvent,
  completionId,
  contentPieces,
  openAiUsage,
  providerClientError,
  stopList,
  textOf,
} from './openai-chat';

/**
 * OpenAI chat completions ⇄ Anthropic Messages (`POST /v1/messages`, SSE event types
 * message_start, content_block_start/delta/stop, message_delta, message_stop, ping, error).
 * Text and inline (data URL) images are translated; tools are not.
 */

/** Anthropic requires max_tokens; used when the client gives none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

type AnthropicBlock =
  | { type: 'text'; text: string }
  | { type: 'image'; source: { type: 'base64'; media_type: string; data: string } };

interface AnthropicMessage {
  id?: string;
  content?: Array<{ type: string; text?: string }>;
  stop_reason?: string | null;
  usage?: { input_tokens?: number; output_tokens?: number };
}

export function toAnthropicRequest(req: ChatRequest, model: string): Record<string, unknown> {
  const system: string[] = [];
  const messages: Array<{ role: string; content: AnthropicBlock[] }> = [];
  for (const m of req.messages ?? []) {
    if (m.role === 'system' || m.role === 'developer') {
      system.push(textOf(m.content));
      continue;
    }
    const role = m.role === 'assistant' ? 'assistant' : 'user';
    const blocks: AnthropicBlock[] = contentPieces(m.content).map((p) =>
      p.kind === 'text'
        ? { type: 'text', text: p.text }
        : { type: 'image', source: { type: 'base64', media_type: p.mimeType, data: p.data } },
    );
    if (blocks.length === 0) continue;
    const prev = messages[messages.length - 1];
    if (prev && prev.role === role) prev.content.push(...blocks);
    else messages.push({ role, content: blocks });
  }
  const body: Record<string, unknown> = {
    model,
    max_tokens: req.max_completion_tokens ?? req.max_tokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    messages: messages.map((m) =>
      m.content.length === 1 && m.content[0].type === 'text'
        ? { role: m.role, content: m.content[0].text }
        : m,
    ),
  };
  if (system.length > 0) body.system = system.join('\n\n');
  if (req.temperature !== undefined) body.temperature = req.temperature;
  if (req.top_p !== undefined) body.top_p = req.top_p;
  const stop = stopList(req.stop);
  if (stop) body.stop_sequences = stop;
  if (req.user) body.metadata = { user_id: req.user };
  if (req.stream) body.stream = true;
  return body;
}

export function anthropicFinishReason(r: string | null | undefined): string | null {
  switch (r) {
    case null:
    case undefined:
      return null;
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return 'stop';
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

export function fromAnthropicResponse(
  body: Buffer,
  model: string,
): { body: Buffer; usage: Usage | null } {
  const r = JSON.parse(body.toString('utf8')) as AnthropicMessage;
  const usage: Usage | null = r.usage
    ? { promptTokens: r.usage.input_tokens ?? 0, completionTokens: r.usage.output_tokens ?? 0 }
    : null;
  const text = (r.content ?? [])
    .filter((b) => b.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text)
    .join('');
  const out = chatCompletion(
    completionId(r.id),
    model,
    [{ index: 0, content: text, finishReason: anthropicFinishReason(r.stop_reason) ?? 'stop' }],
    usage,
  );
  return { body: Buffer.from(JSON.stringify(out)), usage };
}

export function anthropicClientError(status: number, body: Buffer): Buffer {
  let code: string | null = null;
  try {
    const j = JSON.parse(body.toString('utf8')) as { error?: { type?: string } };
    if (typeof j.error?.type === 'string') code = j.error.type;
  } catch {
    /* not JSON */
  }
  return providerClientError(status, code, backendMessage(body));
}

/** Anthropic Messages SSE → OpenAI chunks + `[DONE]`. */
export class AnthropicStreamRelay implements StreamRelay {
  private prompt: number | null = null;
  private completion: number | null = null;
  private readonly splitter = new SseSplitter();
  private id = completionId();
  private readonly created = Math.floor(Date.now() / 1000);
  private failed = false;

  constructor(
    private readonly model: string,
    private readonly includeUsage: boolean,
  ) {}

  get usage(): Usage | null {
    return this.prompt === null && this.completion === null
      ? null
      : { promptTokens: this.prompt ?? 0, completionTokens: this.completion ?? 0 };
  }

  push(chunk: Buffer): string {
    let out = '';
    for (const ev of this.splitter.push(chunk)) out += this.event(ev.event, ev.data);
    return out;
  }

  end(): string {
    if (this.failed) return '';
    let out = '';
    if (this.includeUsage && this.usage) {
      out += chunkEvent(this.id, this.model, this.created, [], openAiUsage(this.usage));
    }
    return `${out}data: [DONE]\n\n`;
  }

  private chunk(delta: Record<string, unknown>, finish: string | null): string {
    return chunkEvent(
      this.id,
      this.model,
      this.created,
      [{ index: 0, delta, finish_reason: finish }],
      this.includeUsage ? null : undefined,
    );
  }

  private event(name: string | null, data: string): string {
    if (this.failed || !data.trim()) return '';
    let d: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    try {
      d = JSON.parse(data) as Record<string, unknown>;
    } catch {
      return '';
    }
    switch (name ?? d.type) {
      case 'message_start': {
        const m = d.message as AnthropicMessage | undefined;
        if (m?.id) this.id = completionId(m.id);
        if (typeof m?.usage?.input_tokens === 'number') this.prompt = m.usage.input_tokens;
        if (typeof m?.usage?.output_tokens === 'number') this.completion = m.usage.output_tokens;
        return this.chunk({ role: 'assistant', content: '' }, null);
      }
      case 'content_block_delta':
        if (d.delta?.type === 'text_delta' && typeof d.delta.text === 'string') {
          return this.chunk({ content: d.delta.text }, null);
        }
        return '';
      case 'message_delta':
        if (typeof d.usage?.output_tokens === 'number') this.completion = d.usage.output_tokens;
        if (typeof d.usage?.input_tokens === 'number') this.prompt = d.usage.input_tokens;
        return this.chunk({}, anthropicFinishReason(d.delta?.stop_reason) ?? 'stop');
      case 'error':
        this.failed = true;
        return sseErrorTail(
          502,
          'upstream_error',
          redactGeneric(String(d.error?.message ?? 'Anthropic API error')),
        );
      default:
        // content_block_start, content_block_stop, message_stop, ping
        return '';
    }
  }
}
