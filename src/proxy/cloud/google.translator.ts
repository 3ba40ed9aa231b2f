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
 * OpenAI chat completions ⇄ Google Gemini `generateContent` / `streamGenerateContent?alt=sse`.
 * Text and inline (data URL) images are translated; tools are not.
 */

interface GeminiPart {
  text?: string;
  thought?: boolean;
  inlineData?: { mimeType: string; data: string };
}
interface GeminiCandidate {
  content?: { role?: string; parts?: GeminiPart[] };
  finishReason?: string;
  index?: number;
}
interface GeminiResponse {
  candidates?: GeminiCandidate[];
  usageMetadata?: {
    promptTokenCount?: number;
    candidatesTokenCount?: number;
    totalTokenCount?: number;
  };
  responseId?: string;
  modelVersion?: string;
}

export function toGeminiRequest(req: ChatRequest): Record<string, unknown> {
  const system: string[] = [];
  const contents: Array<{ role: string; parts: GeminiPart[] }> = [];
  for (const m of req.messages ?? []) {
    if (m.role === 'system' || m.role === 'developer') {
      system.push(textOf(m.content));
      continue;
    }
    const role = m.role === 'assistant' ? 'model' : 'user';
    const parts: GeminiPart[] = contentPieces(m.content).map((p) =>
      p.kind === 'text' ? { text: p.text } : { inlineData: { mimeType: p.mimeType, data: p.data } },
    );
    if (parts.length === 0) continue;
    const prev = contents[contents.length - 1];
    if (prev && prev.role === role) prev.parts.push(...parts);
    else contents.push({ role, parts });
  }
  const gen: Record<string, unknown> = {};
  if (req.temperature !== undefined) gen.temperature = req.temperature;
  if (req.top_p !== undefined) gen.topP = req.top_p;
  const max = req.max_completion_tokens ?? req.max_tokens;
  if (max !== undefined) gen.maxOutputTokens = max;
  const stop = stopList(req.stop);
  if (stop) gen.stopSequences = stop;
  if (req.n !== undefined) gen.candidateCount = req.n;
  if (req.presence_penalty !== undefined) gen.presencePenalty = req.presence_penalty;
  if (req.frequency_penalty !== undefined) gen.frequencyPenalty = req.frequency_penalty;
  if (req.seed !== undefined) gen.seed = req.seed;
  if (req.response_format?.type === 'json_object' || req.response_format?.type === 'json_schema') {
    gen.responseMimeType = 'application/json';
  }
  const body: Record<string, unknown> = { contents };
  if (system.length > 0) body.systemInstruction = { parts: [{ text: system.join('\n\n') }] };
  if (Object.keys(gen).length > 0) body.generationConfig = gen;
  return body;
}

export function geminiFinishReason(r: string | undefined): string | null {
  switch (r) {
    case undefined:
    case null:
    case '':
    case 'FINISH_REASON_UNSPECIFIED':
      return null;
    case 'STOP':
      return 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'MALFORMED_FUNCTION_CALL':
      return 'tool_calls';
    default:
      // SAFETY, RECITATION, BLOCKLIST, PROHIBITED_CONTENT, SPII, OTHER, …
      return 'content_filter';
  }
}

function geminiUsage(r: GeminiResponse): Usage | null {
  const u = r.usageMetadata;
  if (!u) return null;
  return { promptTokens: u.promptTokenCount ?? 0, completionTokens: u.candidatesTokenCount ?? 0 };
}

function candidateText(c: GeminiCandidate): string {
  return (c.content?.parts ?? [])
    .filter((p) => typeof p.text === 'string' && !p.thought)
    .map((p) => p.text)
    .join('');
}

export function fromGeminiResponse(
  body: Buffer,
  model: string,
): { body: Buffer; usage: Usage | null } {
  const r = JSON.parse(body.toString('utf8')) as GeminiResponse;
  const usage = geminiUsage(r);
  const out = chatCompletion(
    completionId(r.responseId),
    model,
    (r.candidates ?? []).map((c, i) => ({
      index: c.index ?? i,
      content: candidateText(c),
      finishReason: geminiFinishReason(c.finishReason) ?? 'stop',
    })),
    usage,
  );
  return { body: Buffer.from(JSON.stringify(out)), usage };
}

export function geminiClientError(status: number, body: Buffer): Buffer {
  let code: string | null = null;
  try {
    const j = JSON.parse(body.toString('utf8')) as { error?: { status?: string } };
    if (typeof j.error?.status === 'string') code = j.error.status.toLowerCase();
  } catch {
    /* not JSON */
  }
  return providerClientError(status, code, backendMessage(body));
}

/** Gemini SSE (`data: GenerateContentResponse`, no [DONE]) → OpenAI chunks + `[DONE]`. */
export class GeminiStreamRelay implements StreamRelay {
  usage: Usage | null = null;
  private readonly splitter = new SseSplitter();
  private readonly id = completionId();
  private readonly created = Math.floor(Date.now() / 1000);
  private readonly started = new Set<number>();

  constructor(
    private readonly model: string,
    private readonly includeUsage: boolean,
  ) {}

  push(chunk: Buffer): string {
    let out = '';
    for (const ev of this.splitter.push(chunk)) out += this.event(ev.data);
    return out;
  }

  end(): string {
    const rest = this.splitter.rest();
    let out = rest.trim() ? this.event(rest.replace(/^data:\s?/, '')) : '';
    if (this.includeUsage && this.usage) {
      out += chunkEvent(this.id, this.model, this.created, [], openAiUsage(this.usage));
    }
    return `${out}data: [DONE]\n\n`;
  }

  private event(data: string): string {
    if (!data.trim()) return '';
    let r: GeminiResponse & { error?: { message?: string } };
    try {
      r = JSON.parse(data) as typeof r;
    } catch {
      return '';
    }
    if (r.error)
      return sseErrorTail(
        502,
        'upstream_error',
        redactGeneric(r.error.message ?? 'Google API error'),
      ).replace(/data: \[DONE\]\n\n$/, '');
    const u = geminiUsage(r);
    if (u) this.usage = u;
    let out = '';
    (r.candidates ?? []).forEach((c, i) => {
      const index = c.index ?? i;
      const delta: Record<string, unknown> = {};
      if (!this.started.has(index)) {
        this.started.add(index);
        delta.role = 'assistant';
      }
      const text = candidateText(c);
      if (text) delta.content = text;
      const finish = geminiFinishReason(c.finishReason);
      if (Object.keys(delta).length === 0 && finish === null) return;
      out += chunkEvent(
        this.id,
        this.model,
        this.created,
        [{ index, delta, finish_reason: finish }],
        this.includeUsage ? null : undefined,
      );
    });
    return out;
  }
}
