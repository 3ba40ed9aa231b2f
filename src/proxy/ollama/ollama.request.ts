import { AppError } from '../../common/app-error';

/** Ollama API requests (https://github.com/ollama/ollama/blob/main/docs/api.md) → OpenAI. */

export type OllamaKind = 'chat' | 'generate' | 'embed' | 'embeddings';

export interface OllamaToolCall {
  id?: string;
  function: { name: string; arguments?: unknown };
}

export interface OllamaMessage {
  role: string;
  content?: string;
  images?: string[];
  tool_calls?: OllamaToolCall[];
  tool_name?: string;
}

export interface OllamaOptions {
  temperature?: number;
  top_p?: number;
  num_predict?: number;
  stop?: string[] | string;
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  [k: string]: unknown;
}

export interface OllamaRequest {
  model: string;
  stream?: boolean;
  options?: OllamaOptions;
  format?: string | Record<string, unknown>;
  messages?: OllamaMessage[];
  tools?: unknown[];
  prompt?: string;
  system?: string;
  images?: string[];
  input?: string | string[];
  dimensions?: number;
}

export function parseOllamaRequest(body: unknown): OllamaRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError('model_required', 'model is required', { param: 'model' });
  }
  const b = body as Record<string, unknown>;
  // `name` is the older spelling some clients still send
  const model = typeof b.model === 'string' ? b.model : b.name;
  if (typeof model !== 'string' || model.trim().length === 0) {
    throw new AppError('model_required', 'model is required', { param: 'model' });
  }
  return { ...(b as unknown as OllamaRequest), model };
}

/** Streaming is on by default in Ollama's chat and generate. */
export function ollamaStreams(kind: OllamaKind, req: OllamaRequest): boolean {
  return (kind === 'chat' || kind === 'generate') && req.stream !== false;
}

/** Ollama images are bare base64; the type is guessed from the magic bytes. */
export function imageDataUrl(b64: string): string {
  if (b64.startsWith('data:')) return b64;
  const mime = b64.startsWith('/9j/')
    ? 'image/jpeg'
    : b64.startsWith('R0lGOD')
      ? 'image/gif'
      : b64.startsWith('UklGR')
        ? 'image/webp'
        : 'image/png';
  return `data:${mime};base64,${b64}`;
}

function userContent(text: string, images: string[] | undefined): unknown {
  if (!images || images.length === 0) return text;
  return [
    ...(text ? [{ type: 'text', text }] : []),
    ...images.map((i) => ({ type: 'image_url', image_url: { url: imageDataUrl(i) } })),
  ];
}

function toolArguments(args: unknown): string {
  if (typeof args === 'string') return args;
  return JSON.stringify(args ?? {});
}

function chatMessages(messages: OllamaMessage[]): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  let callSeq = 0;
  /** Tool calls of the last assistant turn not yet answered: [id, name]. */
  let pending: Array<[string, string]> = [];
  for (const m of messages) {
    const text = typeof m.content === 'string' ? m.content : '';
    if (m.role === 'assistant') {
      const msg: Record<string, unknown> = { role: 'assistant', content: text };
      if (Array.isArray(m.tool_calls) && m.tool_calls.length > 0) {
        pending = [];
        msg.tool_calls = m.tool_calls.map((c) => {
          const id = c.id ?? `call_${callSeq++}`;
          pending.push([id, c.function?.name ?? '']);
          return {
            id,
            type: 'function',
            function: {
              name: c.function?.name ?? '',
              arguments: toolArguments(c.function?.arguments),
            },
          };
        });
      }
      out.push(msg);
    } else if (m.role === 'tool') {
      const i = pending.findIndex(([, name]) => name === m.tool_name);
      const [id] = pending.splice(i === -1 ? 0 : i, 1)[0] ?? [`call_${callSeq++}`];
      out.push({ role: 'tool', tool_call_id: id, content: text });
    } else if (m.role === 'system') {
      out.push({ role: 'system', content: text });
    } else {
      out.push({ role: 'user', content: userContent(text, m.images) });
    }
  }
  return out;
}

/** `options` and `format` → OpenAI sampling fields and `response_format`. */
export function samplingFields(req: OllamaRequest): Record<string, unknown> {
  const o = req.options ?? {};
  const out: Record<string, unknown> = {};
  if (typeof o.temperature === 'number') out.temperature = o.temperature;
  if (typeof o.top_p === 'number') out.top_p = o.top_p;
  if (typeof o.num_predict === 'number' && o.num_predict > 0) out.max_tokens = o.num_predict;
  if (typeof o.stop === 'string') out.stop = [o.stop];
  else if (Array.isArray(o.stop) && o.stop.length > 0) out.stop = o.stop;
  if (typeof o.seed === 'number') out.seed = o.seed;
  if (typeof o.presence_penalty === 'number') out.presence_penalty = o.presence_penalty;
  if (typeof o.frequency_penalty === 'number') out.frequency_penalty = o.frequency_penalty;
  if (req.format === 'json') out.response_format = { type: 'json_object' };
  else if (req.format && typeof req.format === 'object') {
    out.response_format = {
      type: 'json_schema',
      json_schema: { name: 'response', schema: req.format, strict: true },
    };
  }
  return out;
}

/** The OpenAI request (chat completions or embeddings) for an Ollama request. */
export function toOpenAi(
  kind: OllamaKind,
  req: OllamaRequest,
  model: string,
): Record<string, unknown> {
  if (kind === 'embed' || kind === 'embeddings') {
    const input = kind === 'embeddings' ? (req.prompt ?? '') : (req.input ?? '');
    const body: Record<string, unknown> = { model, input, encoding_format: 'float' };
    if (typeof req.dimensions === 'number') body.dimensions = req.dimensions;
    return body;
  }
  const messages =
    kind === 'chat'
      ? chatMessages(req.messages ?? [])
      : [
          ...(req.system ? [{ role: 'system', content: req.system }] : []),
          { role: 'user', content: userContent(req.prompt ?? '', req.images) },
        ];
  const body: Record<string, unknown> = { model, messages, ...samplingFields(req) };
  if (kind === 'chat' && Array.isArray(req.tools) && req.tools.length > 0) body.tools = req.tools;
  if (ollamaStreams(kind, req)) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}
