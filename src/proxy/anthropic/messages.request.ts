import { AppError } from '../../common/app-error';
import type {
  AnthropicBlock,
  AnthropicImageSource,
  AnthropicMessageParam,
  AnthropicRequest,
} from './messages.types';

/** Anthropic Messages request → OpenAI chat completions request (for any local backend). */

type OpenAiPart =
  { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string } };

interface OpenAiToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

type OpenAiMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | OpenAiPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: OpenAiToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

/** Validates the little routing needs (model, messages); the rest is translated leniently. */
export function parseAnthropicRequest(body: unknown): AnthropicRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new AppError('model_required', 'The request body must be a JSON object naming a model', {
      param: 'model',
    });
  }
  const b = body as Record<string, unknown>;
  if (typeof b.model !== 'string' || b.model.trim().length === 0) {
    throw new AppError('model_required', undefined, { param: 'model' });
  }
  if (!Array.isArray(b.messages)) {
    throw new AppError('validation_failed', 'messages: Field required', {
      param: 'messages',
      details: [{ field: 'messages', message: 'must be an array' }],
    });
  }
  return b as unknown as AnthropicRequest;
}

export function imageUrl(source: AnthropicImageSource): string | null {
  if (source?.type === 'base64' && typeof source.data === 'string') {
    return `data:${source.media_type ?? 'image/png'};base64,${source.data}`;
  }
  if (source?.type === 'url' && typeof source.url === 'string') return source.url;
  return null;
}

function blocks(content: string | AnthropicBlock[] | undefined): AnthropicBlock[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content : [];
}

function toParts(list: AnthropicBlock[]): OpenAiPart[] {
  const parts: OpenAiPart[] = [];
  for (const b of list) {
    if (b.type === 'text' && typeof b.text === 'string') parts.push({ type: 'text', text: b.text });
    else if (b.type === 'image') {
      const url = imageUrl(b.source as AnthropicImageSource);
      if (url) parts.push({ type: 'image_url', image_url: { url } });
    }
  }
  return parts;
}

/** Plain text when the parts are only text (what every backend understands), else parts. */
function compact(parts: OpenAiPart[]): string | OpenAiPart[] {
  return parts.every((p) => p.type === 'text')
    ? parts.map((p) => (p as { text: string }).text).join('')
    : parts;
}

function toolResultText(content: string | AnthropicBlock[] | undefined): string {
  return blocks(content)
    .filter((b) => b.type === 'text')
    .map((b) => (b as { text: string }).text)
    .join('');
}

function userMessages(m: AnthropicMessageParam): OpenAiMessage[] {
  const out: OpenAiMessage[] = [];
  const rest: AnthropicBlock[] = [];
  for (const b of blocks(m.content)) {
    if (b.type === 'tool_result') {
      const r = b as Extract<AnthropicBlock, { type: 'tool_result' }>;
      const text = toolResultText(r.content);
      out.push({
        role: 'tool',
        tool_call_id: r.tool_use_id,
        content: r.is_error ? `Error: ${text}` : text,
      });
      // images returned by a tool go to the model as a user message after the tool results
      rest.push(...blocks(r.content).filter((x) => x.type === 'image'));
    } else rest.push(b);
  }
  const parts = toParts(rest);
  if (parts.length > 0) out.push({ role: 'user', content: compact(parts) });
  return out;
}

function assistantMessage(m: AnthropicMessageParam): OpenAiMessage | null {
  let text = '';
  const calls: OpenAiToolCall[] = [];
  for (const b of blocks(m.content)) {
    if (b.type === 'text' && typeof b.text === 'string') text += b.text;
    else if (b.type === 'tool_use') {
      const t = b as Extract<AnthropicBlock, { type: 'tool_use' }>;
      calls.push({
        id: t.id,
        type: 'function',
        function: { name: t.name, arguments: JSON.stringify(t.input ?? {}) },
      });
    }
  }
  if (calls.length === 0 && text.length === 0) return null;
  const msg: OpenAiMessage = { role: 'assistant', content: text.length > 0 ? text : null };
  if (calls.length > 0) msg.tool_calls = calls;
  return msg;
}

function systemText(system: AnthropicRequest['system']): string {
  if (typeof system === 'string') return system;
  if (!Array.isArray(system)) return '';
  return system
    .filter((b) => b?.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text)
    .join('\n\n');
}

function toolChoice(tc: AnthropicRequest['tool_choice']): unknown {
  switch (tc?.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: tc.name } };
    default:
      return undefined;
  }
}

/**
 * The OpenAI chat body for an Anthropic request. Streams ask for the final usage chunk
 * (`stream_options.include_usage`) so the answer can carry Anthropic's usage.
 */
export function toOpenAiChat(req: AnthropicRequest): Record<string, unknown> {
  const messages: OpenAiMessage[] = [];
  const system = systemText(req.system);
  if (system.length > 0) messages.push({ role: 'system', content: system });
  for (const m of req.messages) {
    if (m.role === 'assistant') {
      const a = assistantMessage(m);
      if (a) messages.push(a);
    } else messages.push(...userMessages(m));
  }
  const body: Record<string, unknown> = { model: req.model, messages };
  if (typeof req.max_tokens === 'number') body.max_tokens = req.max_tokens;
  if (typeof req.temperature === 'number') body.temperature = req.temperature;
  if (typeof req.top_p === 'number') body.top_p = req.top_p;
  if (Array.isArray(req.stop_sequences) && req.stop_sequences.length > 0) {
    body.stop = req.stop_sequences;
  }
  if (typeof req.metadata?.user_id === 'string') body.user = req.metadata.user_id;
  const tools = (req.tools ?? []).filter((t) => t && typeof t.name === 'string' && t.input_schema);
  if (tools.length > 0) {
    body.tools = tools.map((t) => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        parameters: t.input_schema,
      },
    }));
    const choice = toolChoice(req.tool_choice);
    if (choice !== undefined) body.tool_choice = choice;
    if (req.tool_choice?.disable_parallel_tool_use) body.parallel_tool_calls = false;
  }
  if (req.stream === true) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}

/**
 * `POST /v1/messages/count_tokens`: an estimate (about four characters per token, a fixed
 * cost per message, per image and for the tool definitions); no backend is asked.
 */
export function estimateInputTokens(req: AnthropicRequest): number {
  let chars = systemText(req.system).length;
  let tokens = 0;
  const count = (list: AnthropicBlock[]) => {
    for (const b of list) {
      if (b.type === 'text' && typeof b.text === 'string') chars += b.text.length;
      else if (b.type === 'image') tokens += 1_000;
      else if (b.type === 'tool_use') chars += JSON.stringify(b.input ?? {}).length + 16;
      else if (b.type === 'tool_result') count(blocks(b.content as string | AnthropicBlock[]));
    }
  };
  for (const m of req.messages) {
    tokens += 4;
    count(blocks(m.content));
  }
  if (Array.isArray(req.tools) && req.tools.length > 0) chars += JSON.stringify(req.tools).length;
  return tokens + Math.ceil(chars / 4);
}
