import OpenAI from 'openai';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { createKey } from '../helpers/backends';
import { api, login, waitFor } from '../helpers/http';
import { FakeAnthropicApi } from '../fakes/anthropic-api';
import { FakeGoogleApi } from '../fakes/google-api';
import { FakeOpenAiBackend } from '../fakes/openai-backend';

describe('cloud prefixes openai:, google:, anthropic:', () => {
  let t: TestApp;
  let key: string;
  let admin: string;
  let client: OpenAI;
  let openai: FakeOpenAiBackend;
  let google: FakeGoogleApi;
  let anthropic: FakeAnthropicApi;

  beforeAll(async () => {
    openai = await new FakeOpenAiBackend({
      name: 'openai',
      models: ['gpt-4o', 'text-embedding-3-small'],
    }).start();
    google = await new FakeGoogleApi().start();
    anthropic = await new FakeAnthropicApi().start();
    t = await startApp({
      LLMLB_STATS_FLUSH_MS: '50',
      OPENAI_BASE_URL: openai.url,
      OPENAI_API_KEY: 'sk-openai-upstream',
      GOOGLE_API_BASE_URL: google.url,
      GOOGLE_API_KEY: google.apiKey,
      ANTHROPIC_API_BASE_URL: anthropic.url,
      ANTHROPIC_API_KEY: anthropic.apiKey,
    });
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
    key = await createKey(t, admin, ['inference']);
    client = new OpenAI({ apiKey: key, baseURL: `${t.url}/v1`, maxRetries: 0 });
  });

  afterAll(async () => {
    await t.cleanup();
    await Promise.all([openai.stop(), google.stop(), anthropic.stop()]);
  });

  it('passes openai:<model> through to OpenAI with the provider key and the bare model id', async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: 'openai:gpt-4o',
        messages: [{ role: 'user', content: 'hi' }],
        tools: [] as any,
      })
      .withResponse();
    expect(data.choices[0].message.content).toBe('Hello from the fake');
    expect(response.headers.get('x-llmlb-backend')).toBe('openai');
    const got = openai.inference('/v1/chat/completions')[0];
    expect(got.json.model).toBe('gpt-4o');
    expect(got.json.tools).toEqual([]);
    expect(got.headers.authorization).toBe('Bearer sk-openai-upstream');

    const stream = await client.chat.completions.create({
      model: 'openai:gpt-4o',
      messages: [],
      stream: true,
    });
    let text = '';
    for await (const c of stream) text += c.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Hello from the fake');

    const emb = await client.embeddings.create({
      model: 'openai:text-embedding-3-small',
      input: 'x',
    });
    expect(emb.data).toHaveLength(1);
  });

  it('translates chat completions to Gemini generateContent and back', async () => {
    const r = await client.chat.completions.create({
      model: 'google:gemini-2.0-flash',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'Hi!' },
        { role: 'user', content: [{ type: 'text', text: 'Again' }] },
      ],
      max_tokens: 50,
      temperature: 0.2,
      stop: ['END'],
    });
    expect(r.object).toBe('chat.completion');
    expect(r.model).toBe('google:gemini-2.0-flash');
    expect(r.choices[0]).toMatchObject({
      index: 0,
      message: { role: 'assistant', content: 'Hi there!' },
      finish_reason: 'stop',
    });
    expect(r.usage).toEqual({ prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 });
    const sent = google.received[0];
    expect(sent.path).toBe('/v1beta/models/gemini-2.0-flash:generateContent');
    expect(sent.headers['x-goog-api-key']).toBe(google.apiKey);
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.json).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'Hello' }] },
        { role: 'model', parts: [{ text: 'Hi!' }] },
        { role: 'user', parts: [{ text: 'Again' }] },
      ],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: { temperature: 0.2, maxOutputTokens: 50, stopSequences: ['END'] },
    });
  });

  it('streams Gemini SSE as OpenAI chunks, with usage when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'google:gemini-2.0-flash',
      messages: [{ role: 'user', content: 'Hello' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: any = null;
    for await (const c of stream) {
      text += c.choices[0]?.delta?.content ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
      if (c.usage) usage = c.usage;
    }
    expect(text).toBe('Hi there!');
    expect(finish).toBe('stop');
    expect(usage).toEqual({ prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 });
    expect(google.received[google.received.length - 1]).toMatchObject({
      path: '/v1beta/models/gemini-2.0-flash:streamGenerateContent',
      query: 'alt=sse',
    });
  });

  it('translates chat completions to Anthropic Messages and back', async () => {
    const r = await client.chat.completions.create({
      model: 'anthropic:claude-sonnet-4-5',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Hello' },
      ],
      temperature: 0.5,
    });
    expect(r.choices[0]).toMatchObject({
      message: { role: 'assistant', content: 'Hi there!' },
      finish_reason: 'stop',
    });
    expect(r.usage).toEqual({ prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 });
    expect(r.id).toBe('chatcmpl-msg_01FakeAnthropic');
    const sent = anthropic.received[0];
    expect(sent.headers['x-api-key']).toBe(anthropic.apiKey);
    expect(sent.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.json).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 4096,
      system: 'You are terse.',
      messages: [{ role: 'user', content: 'Hello' }],
      temperature: 0.5,
    });
  });

  it('streams Anthropic events as OpenAI chunks and records usage without showing it', async () => {
    const stream = await client.chat.completions.create({
      model: 'anthropic:claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'Hello' }],
      stream: true,
    });
    let text = '';
    let finish: string | null = null;
    let sawUsage = false;
    let role: string | undefined;
    for await (const c of stream) {
      role ??= c.choices[0]?.delta?.role;
      text += c.choices[0]?.delta?.content ?? '';
      finish = c.choices[0]?.finish_reason ?? finish;
      if (c.usage) sawUsage = true;
    }
    expect(role).toBe('assistant');
    expect(text).toBe('Hi there!');
    expect(finish).toBe('stop');
    expect(sawUsage).toBe(false);
    expect(anthropic.received[anthropic.received.length - 1].json.stream).toBe(true);
    await waitFor(async () => {
      const h = await api(t.url).as(admin).get('/v0/requests?backend_id=anthropic');
      return h.body.requests.find((r: any) => r.stream && r.completion_tokens === 3);
    });
  });

  it('ends an Anthropic stream that reports an error with an error event and [DONE]', async () => {
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({
        model: 'anthropic:dies-midway',
        messages: [{ role: 'user', content: 'x' }],
        stream: true,
      }),
    });
    const events = (await res.text()).split('\n\n').filter(Boolean);
    expect(events[events.length - 1]).toBe('data: [DONE]');
    const err = JSON.parse(events[events.length - 2].slice(6));
    expect(err.error).toMatchObject({ code: 'upstream_error', message: 'Overloaded' });
  });

  it('maps provider errors: 4xx in the OpenAI shape, 5xx to upstream_error', async () => {
    const nf = await api(t.url)
      .as(key)
      .post('/v1/chat/completions', {
        model: 'google:missing',
        messages: [{ role: 'user', content: 'x' }],
      });
    expect(nf.status).toBe(404);
    expect(nf.body.error).toMatchObject({ type: 'not_found_error', code: 'not_found' });
    expect(nf.body.error.message).toContain('is not found');
    const over = await api(t.url)
      .as(key)
      .post('/v1/chat/completions', {
        model: 'anthropic:overloaded',
        messages: [{ role: 'user', content: 'x' }],
      });
    expect(over.status).toBe(502);
    expect(over.body.error.code).toBe('upstream_error');
    expect(over.body.error.message).toContain('Overloaded');
    const garbled = await api(t.url)
      .as(key)
      .post('/v1/chat/completions', {
        model: 'google:garbled',
        messages: [{ role: 'user', content: 'x' }],
      });
    expect(garbled.status).toBe(502);
    expect(garbled.body.error.code).toBe('upstream_error');
    const emb = await api(t.url)
      .as(key)
      .post('/v1/embeddings', { model: 'anthropic:claude', input: 'x' });
    expect(emb.status).toBe(400);
    expect(emb.body.error.code).toBe('unsupported_for_type');
  });

  it('answers 401 provider_key_missing when the provider has no key', async () => {
    const saved = t.config.proxy.providers.google.apiKey;
    t.config.proxy.providers.google.apiKey = null;
    try {
      const res = await api(t.url)
        .as(key)
        .post('/v1/chat/completions', { model: 'google:gemini-2.0-flash', messages: [] });
      expect(res.status).toBe(401);
      expect(res.body.error).toMatchObject({
        code: 'provider_key_missing',
        type: 'authentication_error',
      });
    } finally {
      t.config.proxy.providers.google.apiKey = saved;
    }
    // an unknown prefix is just an unknown model
    const other = await api(t.url)
      .as(key)
      .post('/v1/chat/completions', { model: 'mistral:large', messages: [] });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('model_not_found');
  });
});
