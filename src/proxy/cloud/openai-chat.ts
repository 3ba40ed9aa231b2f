import { randomUUID } from 'node:crypto';
import { errorBody } from '../../common/app-error';
import { errorTypeForStatus } from '../../common/error-codes';
import type { Usage } from '../sse';

/** The parts of an OpenAI chat completions request the translators understand. */
export interface ChatMessage {
  role: string;
  content?: unknown;
  name?: string;
}

export interface ChatRequest {
  model: string;
  messages?: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean } | null;
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  stop?: string | string[] | null;
  n?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  seed?: number;
  response_format?: { type?: string } | null;
  user?: string;
}

/** A content part we can translate: text, or an image given as a data URL. */
export type ContentPiece =
  { kind: 'text'; text: string } | { kind: 'image'; mimeType: string; data: string };

/** Flattens OpenAI message content (string or parts array) into text and inline images. */
export function contentPieces(content: unknown): ContentPiece[] {
  if (typeof content === 'string') return [{ kind: 'text', text: content }];
  if (!Array.isArray(content)) return [];
  const out: ContentPiece[] = [];
  for (const p of content as Array<Record<string, unknown>>) {
    if (p?.type === 'text' && typeof p.text === 'string') out.push({ kind: 'text', text: p.text });
    else if (p?.type === 'image_url') {
      const url =
        typeof p.image_url === 'string' ? p.image_url : (p.image_url as { url?: string })?.url;
      const m = typeof url === 'string' ? /^data:([^;,]+);base64,(.*)$/s.exec(url) : null;
      if (m) out.push({ kind: 'image', mimeType: m[1], data: m[2] });
    }
  }
  return out;
}

export function textOf(content: unknown): string {
  return contentPieces(content)
    .filter((p): p is { kind: 'text'; text: string } => p.kind === 'text')
    .map((p) => p.text)
    .join('');
}

export function stopList(stop: ChatRequest['stop']): string[] | undefined {
  if (typeof stop === 'string') return [stop];
  if (Array.isArray(stop) && stop.length > 0) return stop;
  return undefined;
}

export function openAiUsage(u: Usage | null): Record<string, number> | undefined {
  if (!u) return undefined;
  const p = u.promptTokens ?? 0;
  const c = u.completionTokens ?? 0;
  return { prompt_tokens: p, completion_tokens: c, total_tokens: p + c };
}

export function completionId(upstreamId?: unknown): string {
  return typeof upstreamId === 'string' && upstreamId
    ? `chatcmpl-${upstreamId}`
    : `chatcmpl-${randomUUID()}`;
}

/** A `chat.completion` object. */
export function chatCompletion(
  id: string,
  model: string,
  choices: Array<{ index: number; content: string; finishReason: string | null }>,
  usage: Usage | null,
): Record<string, unknown> {
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: choices.map((c) => ({
      index: c.index,
      message: { role: 'assistant', content: c.content },
      logprobs: null,
      finish_reason: c.finishReason,
    })),
    usage: openAiUsage(usage) ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
  };
}

/** One `data: {chat.completion.chunk}` SSE event. */
export function chunkEvent(
  id: string,
  model: string,
  created: number,
  choices: Array<{ index: number; delta: Record<string, unknown>; finish_reason: string | null }>,
  usage?: Record<string, number> | null,
): string {
  const obj: Record<string, unknown> = {
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices,
  };
  if (usage !== undefined) obj.usage = usage;
  return `data: ${JSON.stringify(obj)}\n\n`;
}

/** A provider's 4xx body in the OpenAI error shape (code = the provider's own error type). */
export function providerClientError(
  status: number,
  providerCode: string | null,
  message: string,
): Buffer {
  const b = errorBody(status, providerCode ?? 'upstream_error', message);
  b.error.type = errorTypeForStatus(status);
  return Buffer.from(JSON.stringify(b));
}
