import Anthropic from '@anthropic-ai/sdk';
import { RoutingTable } from '../../src/routing/routing-table.service';
import { StatsService } from '../../src/stats/stats.service';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { createKey, feedBackend } from '../helpers/backends';
import { api, login } from '../helpers/http';
import { FakeOpenAiBackend } from '../fakes/openai-backend';

/** `/v1/messages` driven by the real `@anthropic-ai/sdk` against OpenAI-speaking backends. */
describe('Anthropic Messages ingress', () => {
  let t: TestApp;
  let key: string;
  let a: FakeOpenAiBackend;
  let b: FakeOpenAiBackend | null = null;
  let client: Anthropic;

  beforeAll(async () => {
    t = await startApp({ LLMLB_PROXY_CONNECT_TIMEOUT_MS: '500' });
    const admin = await login(t.url, 'admin', ADMIN_PASSWORD);
    key = await createKey(t, admin, ['inference']);
    client = new Anthropic({ apiKey: key, baseURL: t.url, maxRetries: 0, timeout: 10_000 });
  });

  beforeEach(async () => {
    const table = t.app.get(RoutingTable);
    for (const bk of table.all()) table.remove(bk.id);
    a = await new FakeOpenAiBackend({ name: 'a', models: ['claude-local'] }).start();
    feedBackend(t, a.url, { models: ['claude-local'] });
  });

  afterEach(async () => {
    for (const bk of t.app.get(RoutingTable).all()) expect(bk.load.inFlight).toBe(0);
    await a.stop();
    await b?.stop();
    b = null;
  });

  afterAll(() => t.cleanup());

  it('creates a message: request translated to OpenAI chat, answer back in Anthropic shape', async () => {
    // this SDK version no longer types the sampling fields; older clients still send them
    const sampling: Record<string, number> = { temperature: 0.2, top_p: 0.9 };
    const msg = await client.messages.create({
      model: 'claude-local',
      max_tokens: 64,
      system: 'Be brief.',
      ...sampling,
      stop_sequences: ['END'],
      metadata: { user_id: 'conversation-42' },
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(msg).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-local',
      content: [{ type: 'text', text: 'Hello from the fake' }],
      stop_reason: 'end_turn',
    });
    expect(msg.id).toMatch(/^msg_/);
    expect(msg.usage.output_tokens).toBe(4);
    expect(msg.usage.input_tokens).toBeGreaterThan(0);
    const sent = a.inference('/v1/chat/completions')[0].json;
    expect(sent).toEqual({
      model: 'claude-local',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      max_tokens: 64,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
      user: 'conversation-42',
    });
  });

  it('streams Anthropic events and records usage in history', async () => {
    const events: string[] = [];
    const stream = client.messages.stream({
      model: 'claude-local',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    let text = '';
    stream.on('streamEvent', (e) => events.push(e.type));
    stream.on('text', (d) => (text += d));
    const final = await stream.finalMessage();
    expect(text).toBe('Hello from the fake');
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBe(4);
    expect(events[0]).toBe('message_start');
    expect(events[1]).toBe('content_block_start');
    expect(events.filter((e) => e === 'content_block_delta')).toHaveLength(4);
    expect(events.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    expect(a.inference('/v1/chat/completions')[0].json.stream_options).toEqual({
      include_usage: true,
    });
    const stats = t.app.get(StatsService);
    await stats.flush();
    const res = await api(t.url)
      .as(await login(t.url, 'admin', ADMIN_PASSWORD))
      .get('/v0/requests?model=claude-local');
    const rec = res.body.requests.find((r: any) => r.stream === true);
    expect(rec).toMatchObject({ status: 200, completion_tokens: 4 });
  });

  it('round-trips a tool use (create and stream) with tool_result sent back as a tool message', async () => {
    a.toolCall = { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' };
    const tools: Anthropic.Tool[] = [
      {
        name: 'get_weather',
        description: 'Weather of a city',
        input_schema: { type: 'object', properties: { city: { type: 'string' } } },
      },
    ];
    const first = await client.messages.create({
      model: 'claude-local',
      max_tokens: 64,
      tools,
      tool_choice: { type: 'any' },
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
    });
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content).toEqual([
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
    ]);
    const sent = a.inference('/v1/chat/completions')[0].json;
    expect(sent.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather of a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      },
    ]);
    expect(sent.tool_choice).toBe('required');

    const streamed = await client.messages
      .stream({
        model: 'claude-local',
        max_tokens: 64,
        tools,
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
      })
      .finalMessage();
    expect(streamed.stop_reason).toBe('tool_use');
    expect(streamed.content).toEqual([
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
    ]);

    const second = await client.messages.create({
      model: 'claude-local',
      max_tokens: 64,
      tools,
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'Sunny, 21°C' }],
        },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'Hello from the fake' }]);
    const last = a.inference('/v1/chat/completions').at(-1)!.json;
    expect(last.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_1',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'Sunny, 21°C' },
    ]);
  });

  it('fails over like chat completions and accepts x-api-key and bearer auth', async () => {
    a.fault = { kind: 'status', status: 503 };
    b = await new FakeOpenAiBackend({ name: 'b', models: ['claude-local'] }).start();
    feedBackend(t, b.url, { models: ['claude-local'] });
    const bearer = new Anthropic({ authToken: key, apiKey: null, baseURL: t.url, maxRetries: 0 });
    const msg = await bearer.messages.create({
      model: 'claude-local',
      max_tokens: 8,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(msg.content[0]).toEqual({ type: 'text', text: 'Hello from the fake' });
    expect(b.inference('/v1/chat/completions')).toHaveLength(1);
  });

  it('answers errors in Anthropic shape (auth, unknown model, backend 4xx, count_tokens)', async () => {
    const bad = new Anthropic({ apiKey: 'sk_wrong', baseURL: t.url, maxRetries: 0 });
    await expect(
      bad.messages.create({ model: 'claude-local', max_tokens: 8, messages: [] }),
    ).rejects.toMatchObject({
      status: 401,
      error: { type: 'error', error: { type: 'authentication_error' } },
    });

    const res = await fetch(`${t.url}/v1/messages?beta=true`, {
      method: 'POST',
      headers: {
        'x-api-key': key,
        'anthropic-version': '2023-06-01',
        'content-type': 'application/json',
      },
      body: JSON.stringify({ model: 'nope', max_tokens: 8, messages: [] }),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      type: 'error',
      error: { type: 'not_found_error', message: 'Model "nope" is not served by any backend' },
    });

    a.fault = { kind: 'status', status: 400, message: 'context too long' };
    await expect(
      client.messages.create({
        model: 'claude-local',
        max_tokens: 8,
        messages: [{ role: 'user', content: 'x' }],
      }),
    ).rejects.toMatchObject({
      status: 400,
      error: {
        type: 'error',
        error: { type: 'invalid_request_error', message: 'context too long' },
      },
    });

    const count = await client.messages.countTokens({
      model: 'claude-local',
      system: 'x'.repeat(400),
      messages: [{ role: 'user', content: 'y'.repeat(400) }],
    });
    expect(count.input_tokens).toBeGreaterThanOrEqual(200);
    expect(count.input_tokens).toBeLessThan(220);
    await expect(client.messages.countTokens({ model: '', messages: [] })).rejects.toMatchObject({
      status: 400,
      error: { type: 'error', error: { type: 'invalid_request_error' } },
    });
  });
});
