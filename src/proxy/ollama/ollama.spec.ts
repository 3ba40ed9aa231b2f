import {
  OllamaNdjsonRelay,
  OllamaPassthroughRelay,
  ollamaClientError,
  toOllamaAnswer,
} from './ollama.response';
import { imageDataUrl, ollamaStreams, parseOllamaRequest, toOpenAi } from './ollama.request';

const start = process.hrtime.bigint();

describe('Ollama request → OpenAI', () => {
  it('maps options, format, images and tools for chat', () => {
    const out = toOpenAi(
      'chat',
      parseOllamaRequest({
        model: 'm',
        messages: [
          { role: 'system', content: 's' },
          { role: 'user', content: 'look', images: ['/9j/abc'] },
        ],
        options: {
          temperature: 0.1,
          top_p: 0.2,
          num_predict: 30,
          stop: 'END',
          seed: 3,
          presence_penalty: 0.4,
          frequency_penalty: 0.5,
          num_ctx: 8192,
        },
        format: 'json',
        tools: [{ type: 'function', function: { name: 'f', parameters: {} } }],
        keep_alive: '5m',
      }),
      'm:latest',
    );
    expect(out).toEqual({
      model: 'm:latest',
      messages: [
        { role: 'system', content: 's' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'look' },
            { type: 'image_url', image_url: { url: 'data:image/jpeg;base64,/9j/abc' } },
          ],
        },
      ],
      temperature: 0.1,
      top_p: 0.2,
      max_tokens: 30,
      stop: ['END'],
      seed: 3,
      presence_penalty: 0.4,
      frequency_penalty: 0.5,
      response_format: { type: 'json_object' },
      tools: [{ type: 'function', function: { name: 'f', parameters: {} } }],
      stream: true,
      stream_options: { include_usage: true },
    });
  });

  it('maps a schema format, num_predict -1, and stream:false', () => {
    const out = toOpenAi(
      'generate',
      {
        model: 'm',
        prompt: 'p',
        system: 'sys',
        format: { type: 'object' },
        options: { num_predict: -1 },
        stream: false,
      },
      'm',
    );
    expect(out).toEqual({
      model: 'm',
      messages: [
        { role: 'system', content: 'sys' },
        { role: 'user', content: 'p' },
      ],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'response', schema: { type: 'object' }, strict: true },
      },
    });
  });

  it('pairs tool results with the assistant tool calls by name', () => {
    const out = toOpenAi(
      'chat',
      {
        model: 'm',
        messages: [
          {
            role: 'assistant',
            content: '',
            tool_calls: [
              { function: { name: 'a', arguments: { x: 1 } } },
              { function: { name: 'b', arguments: {} } },
            ],
          },
          { role: 'tool', tool_name: 'b', content: 'rb' },
          { role: 'tool', tool_name: 'a', content: 'ra' },
        ],
      },
      'm',
    );
    expect(out.messages).toEqual([
      {
        role: 'assistant',
        content: '',
        tool_calls: [
          { id: 'call_0', type: 'function', function: { name: 'a', arguments: '{"x":1}' } },
          { id: 'call_1', type: 'function', function: { name: 'b', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'rb' },
      { role: 'tool', tool_call_id: 'call_0', content: 'ra' },
    ]);
  });

  it('maps embed and legacy embeddings', () => {
    expect(toOpenAi('embed', { model: 'e', input: ['a'], dimensions: 8 }, 'e')).toEqual({
      model: 'e',
      input: ['a'],
      encoding_format: 'float',
      dimensions: 8,
    });
    expect(toOpenAi('embeddings', { model: 'e', prompt: 'p' }, 'e')).toEqual({
      model: 'e',
      input: 'p',
      encoding_format: 'float',
    });
  });

  it('streams chat and generate by default, never embeddings; needs a model', () => {
    expect(ollamaStreams('chat', { model: 'm' })).toBe(true);
    expect(ollamaStreams('generate', { model: 'm', stream: false })).toBe(false);
    expect(ollamaStreams('embed', { model: 'm' })).toBe(false);
    expect(parseOllamaRequest({ name: 'old' }).model).toBe('old');
    expect(() => parseOllamaRequest({})).toThrow('model is required');
  });

  it('guesses image types from base64 magic', () => {
    expect(imageDataUrl('iVBORw0')).toBe('data:image/png;base64,iVBORw0');
    expect(imageDataUrl('R0lGODlh')).toMatch(/^data:image\/gif/);
    expect(imageDataUrl('UklGRh')).toMatch(/^data:image\/webp/);
  });
});

describe('OpenAI answer → Ollama', () => {
  it('builds a chat answer with tool calls, counts and durations', () => {
    const out = toOllamaAnswer(
      'chat',
      Buffer.from(
        JSON.stringify({
          choices: [
            {
              message: {
                content: 'hi',
                tool_calls: [{ function: { name: 'f', arguments: '{"a":1}' } }],
              },
              finish_reason: 'length',
            },
          ],
          usage: { prompt_tokens: 5, completion_tokens: 2 },
        }),
      ),
      'm',
      start,
    );
    const j = JSON.parse(out.body.toString());
    expect(j).toMatchObject({
      model: 'm',
      message: {
        role: 'assistant',
        content: 'hi',
        tool_calls: [{ function: { name: 'f', arguments: { a: 1 } } }],
      },
      done: true,
      done_reason: 'length',
      prompt_eval_count: 5,
      eval_count: 2,
      load_duration: 0,
    });
    expect(j.total_duration).toBeGreaterThan(0);
    expect(typeof j.created_at).toBe('string');
  });

  it('builds embed answers (floats or base64 from the backend) and the legacy shape', () => {
    const body = Buffer.from(
      JSON.stringify({
        data: [{ embedding: [1, 2] }, { embedding: 'AACAPwAAAEA=' }],
        usage: { prompt_tokens: 3 },
      }),
    );
    expect(JSON.parse(toOllamaAnswer('embed', body, 'e', start).body.toString())).toMatchObject({
      model: 'e',
      embeddings: [
        [1, 2],
        [1, 2],
      ],
      prompt_eval_count: 3,
    });
    expect(JSON.parse(toOllamaAnswer('embeddings', body, 'e', start).body.toString())).toEqual({
      embedding: [1, 2],
    });
  });

  it('renders errors as {"error": …}', () => {
    const b = ollamaClientError(400, Buffer.from('{"error":{"message":"nope"}}'));
    expect(JSON.parse(b.toString())).toEqual({ error: 'nope' });
  });

  it('relays SSE chunks as NDJSON, tool calls assembled, done line last', () => {
    const r = new OllamaNdjsonRelay('chat', 'm', start);
    const ev = (o: unknown) => Buffer.from(`data: ${JSON.stringify(o)}\n\n`);
    let out = r.push(ev({ choices: [{ delta: { content: 'He' } }] }));
    out += r.push(
      ev({
        choices: [
          { delta: { tool_calls: [{ index: 0, function: { name: 'f', arguments: '{"a"' } }] } },
        ],
      }),
    );
    out += r.push(
      ev({
        choices: [
          {
            delta: { tool_calls: [{ index: 0, function: { arguments: ':2}' } }] },
            finish_reason: 'tool_calls',
          },
        ],
      }),
    );
    out += r.push(ev({ choices: [], usage: { prompt_tokens: 4, completion_tokens: 6 } }));
    out += r.push(Buffer.from('data: [DONE]\n\n'));
    out += r.end();
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ message: { content: 'He' }, done: false });
    expect(lines[1].message.tool_calls).toEqual([{ function: { name: 'f', arguments: { a: 2 } } }]);
    expect(lines[2]).toMatchObject({
      done: true,
      done_reason: 'stop',
      prompt_eval_count: 4,
      eval_count: 6,
    });
    expect(r.usage).toEqual({ promptTokens: 4, completionTokens: 6 });
  });

  it('passes native NDJSON through and reads counts from a done line cut across chunks', () => {
    const r = new OllamaPassthroughRelay();
    const a = Buffer.from('{"response":"x","done":false}\n{"done":tr');
    const b = Buffer.from('ue,"prompt_eval_count":3,"eval_count":9}\n');
    expect(r.push(a)).toBe(a);
    expect(r.push(b)).toBe(b);
    expect(r.end()).toBe('');
    expect(r.usage).toEqual({ promptTokens: 3, completionTokens: 9 });
  });
});
