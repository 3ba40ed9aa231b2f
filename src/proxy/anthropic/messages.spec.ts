import { SseSplitter } from '../sse';
import { AnthropicMessagesRelay } from './messages-stream.relay';
import { estimateInputTokens, parseAnthropicRequest, toOpenAiChat } from './messages.request';
import { anthropicClientError, anthropicStopReason, toAnthropicMessage } from './messages.response';
import type { AnthropicRequest } from './messages.types';

const req = (r: Partial<AnthropicRequest>): AnthropicRequest => ({
  model: 'm',
  messages: [],
  ...r,
});

describe('Anthropic request → OpenAI chat', () => {
  it('maps system (string or blocks), sampling fields, stop sequences and metadata.user_id', () => {
    expect(
      toOpenAiChat(
        req({
          system: [
            { type: 'text', text: 'a' },
            { type: 'text', text: 'b' },
          ],
          max_tokens: 10,
          temperature: 0.5,
          top_p: 0.8,
          stop_sequences: ['X', 'Y'],
          metadata: { user_id: 'u1' },
          messages: [{ role: 'user', content: 'hi' }],
        }),
      ),
    ).toEqual({
      model: 'm',
      messages: [
        { role: 'system', content: 'a\n\nb' },
        { role: 'user', content: 'hi' },
      ],
      max_tokens: 10,
      temperature: 0.5,
      top_p: 0.8,
      stop: ['X', 'Y'],
      user: 'u1',
    });
  });

  it('asks for the usage chunk on streams', () => {
    const out = toOpenAiChat(req({ stream: true }));
    expect(out.stream).toBe(true);
    expect(out.stream_options).toEqual({ include_usage: true });
  });

  it('maps text and image blocks (base64 and url) to content parts', () => {
    const out = toOpenAiChat(
      req({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'look' },
              { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'AAA' } },
              { type: 'image', source: { type: 'url', url: 'https://x/y.png' } },
            ],
          },
        ],
      }),
    );
    expect(out.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,AAA' } },
          { type: 'image_url', image_url: { url: 'https://x/y.png' } },
        ],
      },
    ]);
  });

  it('maps tools, tool_choice, tool_use and tool_result (errors and images included)', () => {
    const base = {
      tools: [{ name: 't', description: 'd', input_schema: { type: 'object' } }],
      messages: [
        {
          role: 'assistant' as const,
          content: [
            { type: 'text', text: 'calling' },
            { type: 'tool_use', id: 'tu1', name: 't', input: { a: 1 } },
          ],
        },
        {
          role: 'user' as const,
          content: [
            {
              type: 'tool_result',
              tool_use_id: 'tu1',
              is_error: true,
              content: [
                { type: 'text', text: 'boom' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'QQ' } },
              ],
            },
            { type: 'text', text: 'and?' },
          ],
        },
      ],
    };
    const out = toOpenAiChat(
      req({ ...base, tool_choice: { type: 'tool', name: 't', disable_parallel_tool_use: true } }),
    );
    expect(out.tools).toEqual([
      {
        type: 'function',
        function: { name: 't', description: 'd', parameters: { type: 'object' } },
      },
    ]);
    expect(out.tool_choice).toEqual({ type: 'function', function: { name: 't' } });
    expect(out.parallel_tool_calls).toBe(false);
    expect(out.messages).toEqual([
      {
        role: 'assistant',
        content: 'calling',
        tool_calls: [
          { id: 'tu1', type: 'function', function: { name: 't', arguments: '{"a":1}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'tu1', content: 'Error: boom' },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/png;base64,QQ' } },
          { type: 'text', text: 'and?' },
        ],
      },
    ]);
    expect(toOpenAiChat(req({ ...base, tool_choice: { type: 'auto' } })).tool_choice).toBe('auto');
    expect(toOpenAiChat(req({ ...base, tool_choice: { type: 'any' } })).tool_choice).toBe(
      'required',
    );
    expect(toOpenAiChat(req({ ...base, tool_choice: { type: 'none' } })).tool_choice).toBe('none');
  });

  it('rejects a body without model or messages', () => {
    expect(() => parseAnthropicRequest({ messages: [] })).toThrow(/model/);
    expect(() => parseAnthropicRequest({ model: 'm' })).toThrow(/messages/);
    expect(() => parseAnthropicRequest([])).toThrow();
  });

  it('estimates input tokens from text, images and tools', () => {
    const small = estimateInputTokens(req({ messages: [{ role: 'user', content: 'abcd' }] }));
    expect(small).toBe(5);
    const withImage = estimateInputTokens(
      req({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'A' } },
            ],
          },
        ],
      }),
    );
    expect(withImage).toBe(1004);
    expect(
      estimateInputTokens(req({ tools: [{ name: 'x'.repeat(400), input_schema: {} }] })),
    ).toBeGreaterThan(100);
  });
});

describe('OpenAI answer → Anthropic', () => {
  it('maps finish reasons to stop reasons', () => {
    expect(anthropicStopReason('stop')).toBe('end_turn');
    expect(anthropicStopReason('length')).toBe('max_tokens');
    expect(anthropicStopReason('tool_calls')).toBe('tool_use');
    expect(anthropicStopReason('content_filter')).toBe('refusal');
  });

  it('builds a message with text, tool_use blocks and usage', () => {
    const out = toAnthropicMessage(
      Buffer.from(
        JSON.stringify({
          id: 'chatcmpl-1',
          choices: [
            {
              message: {
                content: 'ok',
                tool_calls: [{ id: 'c1', function: { name: 'f', arguments: '{"x":2}' } }],
              },
              finish_reason: 'tool_calls',
            },
          ],
          usage: { prompt_tokens: 7, completion_tokens: 3 },
        }),
      ),
      'client-model',
    );
    expect(JSON.parse(out.body.toString())).toEqual({
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'client-model',
      content: [
        { type: 'text', text: 'ok' },
        { type: 'tool_use', id: 'c1', name: 'f', input: { x: 2 } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 7, output_tokens: 3 },
    });
    expect(out.usage).toEqual({ promptTokens: 7, completionTokens: 3 });
  });

  it('renders backend 4xx in Anthropic error shape', () => {
    const b = anthropicClientError(
      400,
      Buffer.from(JSON.stringify({ error: { message: 'bad', type: 'invalid_request_error' } })),
    );
    expect(JSON.parse(b.toString())).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'bad' },
    });
  });
});

describe('AnthropicMessagesRelay', () => {
  const chunk = (o: unknown) => Buffer.from(`data: ${JSON.stringify(o)}\n\n`);
  const events = (s: string) =>
    new SseSplitter().push(s).map((e) => ({ event: e.event, data: JSON.parse(e.data) }));

  it('emits the Anthropic event sequence for text then a tool call, with usage', () => {
    const r = new AnthropicMessagesRelay('m', 12);
    let out = '';
    out += r.push(chunk({ id: 'x', choices: [{ delta: { role: 'assistant', content: 'Hi' } }] }));
    out += r.push(
      chunk({
        choices: [
          {
            delta: {
              tool_calls: [{ index: 0, id: 'c1', function: { name: 'f', arguments: '{"a"' } }],
            },
          },
        ],
      }),
    );
    out += r.push(
      chunk({
        choices: [{ delta: { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] } }],
      }),
    );
    out += r.push(chunk({ choices: [{ delta: {}, finish_reason: 'tool_calls' }] }));
    out += r.push(chunk({ choices: [], usage: { prompt_tokens: 9, completion_tokens: 4 } }));
    out += r.push(Buffer.from('data: [DONE]\n\n'));
    out += r.end();
    const ev = events(out);
    expect(ev.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(ev.every((e) => e.event === e.data.type)).toBe(true);
    expect(ev[0].data.message).toMatchObject({
      id: 'msg_x',
      model: 'm',
      usage: { input_tokens: 12 },
    });
    expect(ev[2].data).toMatchObject({ index: 0, delta: { type: 'text_delta', text: 'Hi' } });
    expect(ev[4].data).toMatchObject({
      index: 1,
      content_block: { type: 'tool_use', id: 'c1', name: 'f', input: {} },
    });
    expect(ev[6].data.delta).toEqual({ type: 'input_json_delta', partial_json: ':1}' });
    expect(ev[8].data).toMatchObject({
      delta: { stop_reason: 'tool_use' },
      usage: { output_tokens: 4, input_tokens: 9 },
    });
    expect(r.usage).toEqual({ promptTokens: 9, completionTokens: 4 });
  });

  it('turns an upstream error event into an Anthropic error event and stops', () => {
    const r = new AnthropicMessagesRelay('m', 1);
    const out = r.push(chunk({ error: { message: 'oops' } })) + r.end();
    const ev = events(out);
    expect(ev.map((e) => e.event)).toEqual(['message_start', 'error']);
    expect(ev[1].data.error).toEqual({ type: 'api_error', message: 'oops' });
  });
});
