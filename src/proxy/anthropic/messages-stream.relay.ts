import { SseSplitter, normalizeUsage, type Usage } from '../sse';
import type { StreamRelay } from '../upstream-plan';
import {
  anthropicEvent,
  anthropicStopReason,
  anthropicStreamErrorTail,
  anthropicUsage,
  messageId,
  toolUseId,
} from './messages.response';

interface OpenAiChunk {
  id?: string;
  choices?: Array<{
    delta?: {
      content?: string | null;
      tool_calls?: Array<{
        index?: number;
        id?: string;
        function?: { name?: string; arguments?: string };
      }>;
    };
    finish_reason?: string | null;
  }>;
  usage?: unknown;
  error?: { message?: string; code?: string };
}

type Block = { kind: 'text' } | { kind: 'tool'; openAiIndex: number };

/**
 * OpenAI chat completion chunks → Anthropic's event sequence: `message_start`, then per
 * content block `content_block_start` / `content_block_delta` (`text_delta` or
 * `input_json_delta`) / `content_block_stop`, then `message_delta` (stop_reason, usage) and
 * `message_stop`. An error event from upstream becomes Anthropic's `error` event.
 */
export class AnthropicMessagesRelay implements StreamRelay {
  usage: Usage | null = null;
  private readonly splitter = new SseSplitter();
  private started = false;
  private failed = false;
  private block: Block | null = null;
  private index = -1;
  private finish: string | null = null;
  private id: string | null = null;

  constructor(
    private readonly model: string,
    private readonly inputTokensEstimate: number,
  ) {}

  push(chunk: Buffer): string {
    let out = '';
    for (const ev of this.splitter.push(chunk)) out += this.event(ev.data);
    return out;
  }

  end(): string {
    const rest = this.splitter.rest();
    let out = rest.trim() ? this.event(rest.replace(/^data:\s?/, '').trim()) : '';
    if (this.failed) return out;
    out += this.start();
    out += this.closeBlock();
    const usage = anthropicUsage(this.usage);
    out += anthropicEvent('message_delta', {
      delta: { stop_reason: anthropicStopReason(this.finish), stop_sequence: null },
      usage: {
        output_tokens: usage.output_tokens,
        ...(this.usage?.promptTokens != null ? { input_tokens: usage.input_tokens } : {}),
      },
    });
    return out + anthropicEvent('message_stop', {});
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    return anthropicEvent('message_start', {
      message: {
        id: messageId(this.id),
        type: 'message',
        role: 'assistant',
        model: this.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: this.inputTokensEstimate, output_tokens: 0 },
      },
    });
  }

  private closeBlock(): string {
    if (!this.block) return '';
    this.block = null;
    return anthropicEvent('content_block_stop', { index: this.index });
  }

  private openBlock(block: Block, contentBlock: Record<string, unknown>): string {
    const out = this.closeBlock();
    this.block = block;
    this.index += 1;
    return (
      out +
      anthropicEvent('content_block_start', { index: this.index, content_block: contentBlock })
    );
  }

  private event(data: string): string {
    if (this.failed || !data.trim() || data === '[DONE]') return '';
    let c: OpenAiChunk;
    try {
      c = JSON.parse(data) as OpenAiChunk;
    } catch {
      return '';
    }
    if (c.error) {
      this.failed = true;
      return (
        this.start() +
        anthropicStreamErrorTail(502, 'upstream_error', c.error.message ?? 'Backend error')
      );
    }
    if (!this.id && typeof c.id === 'string') this.id = c.id;
    const usage = normalizeUsage(c.usage);
    if (usage) this.usage = usage;
    let out = this.start();
    const choice = c.choices?.[0];
    if (!choice) return out;
    const delta = choice.delta ?? {};
    if (typeof delta.content === 'string' && delta.content.length > 0) {
      if (this.block?.kind !== 'text') {
        out += this.openBlock({ kind: 'text' }, { type: 'text', text: '' });
      }
      out += anthropicEvent('content_block_delta', {
        index: this.index,
        delta: { type: 'text_delta', text: delta.content },
      });
    }
    for (const tc of delta.tool_calls ?? []) {
      const i = tc.index ?? 0;
      if (this.block?.kind !== 'tool' || this.block.openAiIndex !== i) {
        out += this.openBlock(
          { kind: 'tool', openAiIndex: i },
          { type: 'tool_use', id: toolUseId(tc.id), name: tc.function?.name ?? '', input: {} },
        );
      }
      const args = tc.function?.arguments;
      if (typeof args === 'string' && args.length > 0) {
        out += anthropicEvent('content_block_delta', {
          index: this.index,
          delta: { type: 'input_json_delta', partial_json: args },
        });
      }
    }
    if (choice.finish_reason) this.finish = choice.finish_reason;
    return out;
  }
}
