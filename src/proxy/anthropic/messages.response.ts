import { randomUUID } from 'node:crypto';
import { anthropicErrorBody } from '../../common/error-dialects';
import { backendMessage } from '../failover';
import type { Usage } from '../sse';
import type { AnthropicStopReason } from './messages.types';

/** OpenAI chat completions answer → Anthropic Messages answer. */

export function messageId(upstreamId?: unknown): string {
  const id = typeof upstreamId === 'string' && upstreamId ? upstreamId : randomUUID();
  return id.startsWith('msg_') ? id : `msg_${id.replace(/^chatcmpl-/, '')}`;
}

export function toolUseId(upstreamId?: unknown): string {
  return typeof upstreamId === 'string' && upstreamId
    ? upstreamId
    : `toolu_${randomUUID().replace(/-/g, '')}`;
}

export function anthropicStopReason(finish: string | null | undefined): AnthropicStopReason {
  switch (finish) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/** A tool call's `arguments` (a JSON string) as the object Anthropic's `input` is. */
export function parseToolInput(args: unknown): unknown {
  if (args && typeof args === 'object') return args;
  if (typeof args !== 'string' || args.trim() === '') return {};
  try {
    return JSON.parse(args) as unknown;
  } catch {
    return { _raw: args };
  }
}

export function anthropicUsage(u: Usage | null): { input_tokens: number; output_tokens: number } {
  return { input_tokens: u?.promptTokens ?? 0, output_tokens: u?.completionTokens ?? 0 };
}

interface OpenAiCompletion {
  id?: string;
  choices?: Array<{
    message?: {
      content?: string | null;
      tool_calls?: Array<{ id?: string; function?: { name?: string; arguments?: unknown } }>;
    };
    finish_reason?: string | null;
  }>;
  usage?: { prompt_tokens?: number; completion_tokens?: number };
}

export function toAnthropicMessage(
  body: Buffer,
  model: string,
): { body: Buffer; usage: Usage | null } {
  const r = JSON.parse(body.toString('utf8')) as OpenAiCompletion;
  const choice = r.choices?.[0];
  const content: Array<Record<string, unknown>> = [];
  const text = choice?.message?.content;
  if (typeof text === 'string' && text.length > 0) content.push({ type: 'text', text });
  for (const c of choice?.message?.tool_calls ?? []) {
    content.push({
      type: 'tool_use',
      id: toolUseId(c.id),
      name: c.function?.name ?? '',
      input: parseToolInput(c.function?.arguments),
    });
  }
  const usage: Usage | null = r.usage
    ? {
        promptTokens: r.usage.prompt_tokens ?? null,
        completionTokens: r.usage.completion_tokens ?? null,
      }
    : null;
  const out = {
    id: messageId(r.id),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: anthropicStopReason(choice?.finish_reason),
    stop_sequence: null,
    usage: anthropicUsage(usage),
  };
  return { body: Buffer.from(JSON.stringify(out)), usage };
}

/** A backend's 4xx (OpenAI shape or anything) in Anthropic's error shape. */
export function anthropicClientError(status: number, body: Buffer): Buffer {
  return Buffer.from(JSON.stringify(anthropicErrorBody(status, backendMessage(body))));
}

/** An Anthropic SSE event. */
export function anthropicEvent(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/** The end of a stream that failed after the first byte: Anthropic's `error` event. */
export function anthropicStreamErrorTail(status: number, _code: string, message: string): string {
  const body = anthropicErrorBody(status, message);
  return anthropicEvent('error', { error: body.error });
}
