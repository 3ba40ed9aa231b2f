import { extractUsageFromJson, OpenAiSseRelay, SseSplitter, sseErrorTail } from './sse';

const chunk = (content: string) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: null }] })}\n\n`;
const usageChunk = `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 } })}\n\n`;
const stream = chunk('Hel') + chunk('lo ✓ wörld') + usageChunk + 'data: [DONE]\n\n';

/** Feeds `text` to the relay in pieces cut at every `step` bytes. */
function relayIn(relay: OpenAiSseRelay, text: string, step: number): string {
  const bytes = Buffer.from(text, 'utf8');
  let out = '';
  for (let i = 0; i < bytes.length; i += step)
    out += relay.push(bytes.subarray(i, i + step)).toString();
  return out + relay.end();
}

describe('SseSplitter', () => {
  it('yields complete events only, whatever the chunk boundaries (incl. inside UTF-8)', () => {
    for (const step of [1, 2, 3, 5, 17, 1000]) {
      const s = new SseSplitter();
      const bytes = Buffer.from(stream, 'utf8');
      const events = [];
      for (let i = 0; i < bytes.length; i += step)
        events.push(...s.push(bytes.subarray(i, i + step)));
      expect(events.map((e) => e.raw).join('')).toBe(stream);
      expect(events).toHaveLength(4);
      expect(events[3].data).toBe('[DONE]');
      expect(JSON.parse(events[1].data).choices[0].delta.content).toBe('lo ✓ wörld');
    }
  });

  it('reads event names, multi-line data, comments and CRLF separators', () => {
    const s = new SseSplitter();
    const evs = s.push(
      ': keep-alive\r\n\r\nevent: message_start\r\ndata: {"a":\r\ndata: 1}\r\n\r\nevent: ping\ndata: {}\n\n',
    );
    expect(evs).toHaveLength(3);
    expect(evs[1].event).toBe('message_start');
    expect(evs[1].data).toBe('{"a":\n1}');
    expect(evs[2].event).toBe('ping');
  });
});

describe('OpenAiSseRelay', () => {
  it('forwards every event unchanged and reads usage from the final chunk', () => {
    for (const step of [1, 4, 64]) {
      const r = new OpenAiSseRelay(false);
      expect(relayIn(r, stream, step)).toBe(stream);
      expect(r.usage).toEqual({ promptTokens: 7, completionTokens: 3 });
      expect(r.sawDone).toBe(true);
    }
  });

  it('drops the usage-only chunk when the proxy asked for it on its own', () => {
    for (const step of [1, 7, 1000]) {
      const r = new OpenAiSseRelay(true);
      const out = relayIn(r, stream, step);
      expect(out).toBe(chunk('Hel') + chunk('lo ✓ wörld') + 'data: [DONE]\n\n');
      expect(r.usage).toEqual({ promptTokens: 7, completionTokens: 3 });
    }
  });

  it('keeps chunks with `usage: null` and content when dropping', () => {
    const c = `data: ${JSON.stringify({ choices: [{ delta: { content: 'x' } }], usage: null })}\n\n`;
    const r = new OpenAiSseRelay(true);
    expect(r.push(Buffer.from(c))).toBe(c);
    expect(r.usage).toBeNull();
  });

  it('reads usage from the Responses API completed event', () => {
    const ev = `event: response.completed\ndata: ${JSON.stringify({ type: 'response.completed', response: { id: 'r', usage: { input_tokens: 5, output_tokens: 9, total_tokens: 14 } } })}\n\n`;
    const r = new OpenAiSseRelay(false);
    expect(r.push(Buffer.from(ev))).toBe(ev);
    expect(r.usage).toEqual({ promptTokens: 5, completionTokens: 9 });
  });

  it('forwards chunks of complete events without usage as the same Buffer', () => {
    const r = new OpenAiSseRelay(true);
    const c = Buffer.from(chunk('a') + chunk('b'));
    expect(r.push(c)).toBe(c);
    const done = Buffer.from('data: [DONE]\r\n\r\n');
    expect(r.push(done)).toBe(done);
    expect(r.sawDone).toBe(true);
    // a chunk ending mid-event, or carrying usage, goes through the parser
    expect(r.push(Buffer.from('data: {"x":1}\n'))).toBe('');
    expect(r.push(Buffer.from('\n'))).toBe('data: {"x":1}\n\n');
    expect(r.push(Buffer.from(usageChunk))).toBe('');
    expect(r.usage).toEqual({ promptTokens: 7, completionTokens: 3 });
  });

  it('holds an unfinished event until its end arrives', () => {
    const r = new OpenAiSseRelay(false);
    expect(r.push(Buffer.from('data: {"a"'))).toBe('');
    expect(r.push(Buffer.from(':1}\n\n'))).toBe('data: {"a":1}\n\n');
  });
});

describe('extractUsageFromJson', () => {
  it('finds usage in chat and embeddings answers', () => {
    const chat = {
      id: 'x',
      choices: [{ message: { content: 'the "usage": {"prompt_tokens": 99} lies' } }],
      usage: { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 },
    };
    expect(extractUsageFromJson(Buffer.from(JSON.stringify(chat, null, 2)))).toEqual({
      promptTokens: 4,
      completionTokens: 2,
    });
    const emb = {
      data: [{ embedding: Array.from({ length: 1000 }, () => Math.random()) }],
      usage: { prompt_tokens: 8, total_tokens: 8 },
    };
    expect(extractUsageFromJson(Buffer.from(JSON.stringify(emb)))).toEqual({
      promptTokens: 8,
      completionTokens: null,
    });
  });

  it('returns null without usage or when it is null', () => {
    expect(extractUsageFromJson(Buffer.from('{"a":1}'))).toBeNull();
    expect(extractUsageFromJson(Buffer.from('{"usage":null}'))).toBeNull();
    expect(extractUsageFromJson(Buffer.from('{"usage":{"prompt_tokens":'))).toBeNull();
  });
});

describe('sseErrorTail', () => {
  it('is one error event followed by [DONE]', () => {
    const tail = sseErrorTail(502, 'upstream_error', 'backend died');
    const s = new SseSplitter();
    const evs = s.push(tail);
    expect(evs).toHaveLength(2);
    expect(JSON.parse(evs[0].data)).toEqual({
      error: {
        message: 'backend died',
        type: 'upstream_error',
        code: 'upstream_error',
        param: null,
      },
    });
    expect(evs[1].data).toBe('[DONE]');
  });
});
