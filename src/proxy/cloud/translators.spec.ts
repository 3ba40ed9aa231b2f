import { SseSplitter } from '../sse';
import {
  anthropicClientError,
  anthropicFinishReason,
  AnthropicStreamRelay,
  fromAnthropicResponse,
  toAnthropicRequest,
} from './anthropic.translator';
import {
  fromGeminiResponse,
  geminiClientError,
  geminiFinishReason,
  GeminiStreamRelay,
  toGeminiRequest,
} from './google.translator';

/** Feeds SSE text byte by byte and returns the parsed `data:` payloads the client would get. */
function run(relay: { push(b: Buffer): string; end(): string }, text: string): string[] {
  let out = '';
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += 3) out += relay.push(bytes.subarray(i, i + 3));
  out += relay.end();
  return new SseSplitter().push(out).map((e) => e.data);
}

const PNG = 'data:image/png;base64,iVBORw0KGgo=';

describe('Gemini translation', () => {
  it('maps roles, system prompt, images and generation settings', () => {
    const g = toGeminiRequest({
      model: 'x',
      messages: [
        { role: 'developer', content: 'rules' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: PNG } },
          ],
        },
        { role: 'user', content: 'and this' },
        { role: 'assistant', content: 'ok' },
      ],
      max_completion_tokens: 10,
      top_p: 0.9,
      stop: 'X',
      n: 2,
      response_format: { type: 'json_object' },
    });
    expect(g).toEqual({
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'look' },
            { inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } },
            { text: 'and this' },
          ],
        },
        { role: 'model', parts: [{ text: 'ok' }] },
      ],
      systemInstruction: { parts: [{ text: 'rules' }] },
      generationConfig: {
        topP: 0.9,
        maxOutputTokens: 10,
        stopSequences: ['X'],
        candidateCount: 2,
        responseMimeType: 'application/json',
      },
    });
  });

  it('maps finish reasons and answers (thought parts dropped)', () => {
    expect(geminiFinishReason('STOP')).toBe('stop');
    expect(geminiFinishReason('MAX_TOKENS')).toBe('length');
    expect(geminiFinishReason('SAFETY')).toBe('content_filter');
    expect(geminiFinishReason(undefined)).toBeNull();
    const { body, usage } = fromGeminiResponse(
      Buffer.from(
        JSON.stringify({
          candidates: [
            {
              content: {
                role: 'model',
                parts: [{ text: 'thinking…', thought: true }, { text: 'Answer' }],
              },
              finishReason: 'MAX_TOKENS',
            },
          ],
          usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1, totalTokenCount: 4 },
        }),
      ),
      'google:m',
    );
    const out = JSON.parse(body.toString());
    expect(out).toMatchObject({
      object: 'chat.completion',
      model: 'google:m',
      choices: [{ message: { content: 'Answer' }, finish_reason: 'length' }],
    });
    expect(usage).toEqual({ promptTokens: 3, completionTokens: 1 });
  });

  it('turns the SSE stream into chunks with role first, finish reason, usage and [DONE]', () => {
    const ev = (text: string, finish?: string, usage?: object) =>
      `data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text }], role: 'model' }, index: 0, ...(finish ? { finishReason: finish } : {}) }], ...(usage ? { usageMetadata: usage } : {}) })}\r\n\r\n`;
    const stream =
      ev('A') +
      ev('B', 'STOP', { promptTokenCount: 2, candidatesTokenCount: 2, totalTokenCount: 4 });
    const relay = new GeminiStreamRelay('google:m', true);
    const data = run(relay, stream);
    expect(data[data.length - 1]).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: 'A' });
    expect(chunks[1].choices[0]).toMatchObject({ delta: { content: 'B' }, finish_reason: 'stop' });
    expect(chunks[2]).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 2, completion_tokens: 2, total_tokens: 4 },
    });
    expect(relay.usage).toEqual({ promptTokens: 2, completionTokens: 2 });
    // without include_usage there is no usage chunk
    expect(run(new GeminiStreamRelay('m', false), stream)).toHaveLength(3);
  });

  it('puts Google errors in the OpenAI error shape', () => {
    const b = JSON.parse(
      geminiClientError(
        400,
        Buffer.from('{"error":{"code":400,"message":"bad key","status":"INVALID_ARGUMENT"}}'),
      ).toString(),
    );
    expect(b).toEqual({
      error: {
        message: 'bad key',
        type: 'invalid_request_error',
        code: 'invalid_argument',
        param: null,
      },
    });
  });
});

describe('Anthropic translation', () => {
  it('maps system, alternating roles, images, defaults max_tokens and stop sequences', () => {
    const a = toAnthropicRequest(
      {
        model: 'anthropic:c',
        messages: [
          { role: 'system', content: 'S1' },
          { role: 'system', content: 'S2' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'see' },
              { type: 'image_url', image_url: { url: PNG } },
            ],
          },
          { role: 'assistant', content: 'yes' },
        ],
        stop: ['a', 'b'],
        stream: true,
        user: 'u1',
      },
      'c',
    );
    expect(a).toEqual({
      model: 'c',
      max_tokens: 4096,
      system: 'S1\n\nS2',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'see' },
            {
              type: 'image',
              source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' },
            },
          ],
        },
        { role: 'assistant', content: 'yes' },
      ],
      stop_sequences: ['a', 'b'],
      metadata: { user_id: 'u1' },
      stream: true,
    });
  });

  it('maps stop reasons and answers', () => {
    expect(anthropicFinishReason('end_turn')).toBe('stop');
    expect(anthropicFinishReason('max_tokens')).toBe('length');
    expect(anthropicFinishReason('tool_use')).toBe('tool_calls');
    const { body, usage } = fromAnthropicResponse(
      Buffer.from(
        JSON.stringify({
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          content: [
            { type: 'text', text: 'a' },
            { type: 'text', text: 'b' },
          ],
          stop_reason: 'max_tokens',
          usage: { input_tokens: 5, output_tokens: 2 },
        }),
      ),
      'anthropic:c',
    );
    expect(JSON.parse(body.toString())).toMatchObject({
      id: 'chatcmpl-msg_1',
      choices: [{ message: { role: 'assistant', content: 'ab' }, finish_reason: 'length' }],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
    });
    expect(usage).toEqual({ promptTokens: 5, completionTokens: 2 });
  });

  it('translates every SSE event type, split anywhere', () => {
    const ev = (type: string, data: object) =>
      `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
    const stream =
      ev('message_start', {
        message: { id: 'msg_9', usage: { input_tokens: 7, output_tokens: 1 } },
      }) +
      ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }) +
      ev('ping', {}) +
      ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'Hé' } }) +
      ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: 'llo' } }) +
      ev('content_block_stop', { index: 0 }) +
      ev('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 2 } }) +
      ev('message_stop', {});
    const relay = new AnthropicStreamRelay('anthropic:c', true);
    const data = run(relay, stream);
    expect(data[data.length - 1]).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? null).join('|')).toBe('|Hé|llo||');
    expect(chunks[0]).toMatchObject({
      id: 'chatcmpl-msg_9',
      object: 'chat.completion.chunk',
      choices: [{ delta: { role: 'assistant' } }],
    });
    expect(chunks[3].choices[0].finish_reason).toBe('stop');
    expect(chunks[4]).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 },
    });
    expect(relay.usage).toEqual({ promptTokens: 7, completionTokens: 2 });
  });

  it('turns an error event into one error event and [DONE]', () => {
    const relay = new AnthropicStreamRelay('c', false);
    const data = run(
      relay,
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n',
    );
    expect(data).toHaveLength(2);
    expect(JSON.parse(data[0]).error).toMatchObject({
      code: 'upstream_error',
      message: 'Overloaded',
    });
    expect(data[1]).toBe('[DONE]');
  });

  it('scrubs addresses and keys from a provider error event', () => {
    const relay = new AnthropicStreamRelay('c', false);
    const data = run(
      relay,
      'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"edge 10.9.8.7:443 rejected x-api-key: ak-live-123456"}}\n\n',
    );
    const message = JSON.parse(data[0]).error.message as string;
    expect(message).toContain('rejected');
    expect(message).not.toContain('10.9.8.7');
    expect(message).not.toContain('ak-live-123456');
  });

  it('puts Anthropic errors in the OpenAI error shape', () => {
    const b = JSON.parse(
      anthropicClientError(
        400,
        Buffer.from(
          '{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"}}',
        ),
      ).toString(),
    );
    expect(b.error).toEqual({
      message: 'max_tokens: Field required',
      type: 'invalid_request_error',
      code: 'invalid_request_error',
      param: null,
    });
  });
});
