import OpenAI from 'openai';
import { UpstreamPools } from '../../src/proxy/upstream-pools';
import { RoutingTable } from '../../src/routing/routing-table.service';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { createKey, feedBackend } from '../helpers/backends';
import { api, login, waitFor } from '../helpers/http';
import { FakeOpenAiBackend } from '../fakes/openai-backend';

/** Reads an SSE response body fully and returns its `data:` payloads. */
async function sseData(res: Response): Promise<string[]> {
  const text = await res.text();
  return text
    .split(/\n\n/)
    .map((e) =>
      e
        .split('\n')
        .filter((l) => l.startsWith('data: '))
        .map((l) => l.slice(6))
        .join('\n'),
    )
    .filter((d) => d.length > 0);
}

describe('/v1 proxy', () => {
  let t: TestApp;
  let admin: string;
  let key: string;
  let a: FakeOpenAiBackend;
  let b: FakeOpenAiBackend;
  let client: OpenAI;
  const fakes: FakeOpenAiBackend[] = [];

  async function fake(
    opts: ConstructorParameters<typeof FakeOpenAiBackend>[0] = {},
  ): Promise<FakeOpenAiBackend> {
    const f = await new FakeOpenAiBackend(opts).start();
    fakes.push(f);
    return f;
  }

  function table(): RoutingTable {
    return t.app.get(RoutingTable);
  }

  beforeAll(async () => {
    t = await startApp({
      LLMLB_PROXY_CONNECT_TIMEOUT_MS: '500',
      LLMLB_PROXY_IDLE_TIMEOUT_SECS: '2',
    });
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
    key = await createKey(t, admin, ['inference', 'models.read']);
    client = new OpenAI({ apiKey: key, baseURL: `${t.url}/v1`, maxRetries: 0, timeout: 10_000 });
  });

  beforeEach(async () => {
    for (const bk of table().all()) table().remove(bk.id);
    a = await fake({ name: 'a', models: ['test-model', 'org/model:7b', 'embed-model'] });
    b = await fake({ name: 'b', models: ['test-model'] });
  });

  afterEach(async () => {
    for (const bk of table().all()) expect(bk.load.inFlight).toBe(0);
    await Promise.all(fakes.splice(0).map((f) => f.stop()));
  });

  afterAll(() => t.cleanup());

  it('lists the models of online backends with endpoints count and max_tokens', async () => {
    feedBackend(t, a.url, { models: ['test-model', 'org/model:7b'], maxTokens: 8192 });
    feedBackend(t, b.url, { models: ['test-model'], maxTokens: 32768 });
    feedBackend(t, 'http://127.0.0.1:1', { models: ['offline-only'], online: false });

    const list = await client.models.list();
    const byId = new Map(list.data.map((m) => [m.id, m as any]));
    expect([...byId.keys()].sort()).toEqual(['org/model:7b', 'test-model']);
    expect(byId.get('test-model')).toMatchObject({
      object: 'model',
      owned_by: 'llmlb',
      endpoints: 2,
      max_tokens: 32768,
    });
    expect(typeof byId.get('test-model').created).toBe('number');

    const one = await client.models.retrieve('org/model:7b');
    expect(one).toMatchObject({ id: 'org/model:7b', endpoints: 1, max_tokens: 8192 });
    const raw = await api(t.url).as(key).get('/v1/models/org/model:7b');
    expect(raw.status).toBe(200);
    expect(raw.body.id).toBe('org/model:7b');

    const missing = await api(t.url).as(key).get('/v1/models/offline-only');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('model_not_found');
  });

  it('finds model ids with slashes, colons and percent signs, encoded or not', async () => {
    feedBackend(t, a.url, { models: ['org/model:7b', '50%off', 'with space'] });
    for (const [path, id] of [
      ['org/model:7b', 'org/model:7b'],
      ['org%2Fmodel%3A7b', 'org/model:7b'],
      ['50%25off', '50%off'],
      ['with%20space', 'with space'],
    ]) {
      const res = await api(t.url).as(key).get(`/v1/models/${path}`);
      expect([path, res.status, res.body.id]).toEqual([path, 200, id]);
    }
  });

  it('proxies chat completions with the openai client and reports the backend and overhead', async () => {
    const info = feedBackend(t, a.url);
    const { data, response } = await client.chat.completions
      .create({ model: 'test-model', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    expect(data.choices[0].message.content).toBe('Hello from the fake');
    expect(data.usage?.completion_tokens).toBe(4);
    expect(response.headers.get('x-llmlb-backend')).toBe(info.id);
    // A number of milliseconds (a missing header would be Number(null) = 0 and pass a `>= 0`).
    expect(response.headers.get('x-llmlb-overhead-ms')).toMatch(/^\d+(\.\d+)?$/);
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('forwards unknown fields byte for byte and never the client credentials', async () => {
    feedBackend(t, a.url, { apiKey: 'backend-secret' });
    const body =
      '{"model":"test-model","messages":[{"role":"user","content":"héllo \\u00e9"}],' +
      '"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{}}}}],' +
      '"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object"}}},' +
      '"temperature":1.0,"seed":12345678901234567890,"x_vendor":{"nested":[1,2,{"k":null}]}}';
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key, cookie: 'session=1' },
      body,
    });
    expect(res.status).toBe(200);
    const got = a.inference('/v1/chat/completions')[0];
    expect(got.raw).toBe(body);
    expect(got.headers.authorization).toBe('Bearer backend-secret');
    expect(got.headers['x-api-key']).toBeUndefined();
    expect(got.headers.cookie).toBeUndefined();

    // a stream request: the same bytes, with only stream_options.include_usage spliced in
    const streamBody = body.replace('"temperature":1.0', '"stream":true,"temperature":1.0');
    const sres = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: streamBody,
    });
    await sres.text();
    expect(a.inference('/v1/chat/completions')[1].raw).toBe(
      `{"stream_options":{"include_usage":true},${streamBody.slice(1)}`,
    );

    // Authorization of the client is replaced, not forwarded; no key at all when the backend has none
    table().remove(table().all()[0].id);
    feedBackend(t, a.url);
    await client.chat.completions.create({
      model: 'test-model',
      messages: [{ role: 'user', content: 'x' }],
    });
    const second = a.inference('/v1/chat/completions')[2];
    expect(second.headers.authorization).toBeUndefined();
    expect(JSON.stringify(second.headers)).not.toContain(key);
  });

  it('streams chunk by chunk with SSE headers, asking the backend for usage without showing it', async () => {
    feedBackend(t, a.url);
    const stream = await client.chat.completions.create({
      model: 'test-model',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
    });
    let text = '';
    let usageChunks = 0;
    for await (const chunk of stream) {
      if (chunk.usage) usageChunks += 1;
      text += chunk.choices[0]?.delta?.content ?? '';
    }
    expect(text).toBe('Hello from the fake');
    expect(usageChunks).toBe(0);
    expect(a.inference()[0].json.stream_options).toEqual({ include_usage: true });

    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({
        model: 'test-model',
        messages: [],
        stream: true,
        stream_options: { include_usage: true },
      }),
    });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    const data = await sseData(res);
    expect(data[data.length - 1]).toBe('[DONE]');
    const usage = data
      .slice(0, -1)
      .map((d) => JSON.parse(d))
      .filter((c) => c.usage);
    expect(usage).toHaveLength(1);
    expect(usage[0].usage.completion_tokens).toBe(4);
  });

  it('relays each chunk as soon as the backend sends it', async () => {
    const slow = await fake({ name: 'slow', chunks: ['one', 'two', 'three'], chunkDelayMs: 300 });
    feedBackend(t, slow.url);
    const t0 = Date.now();
    const stream = await client.chat.completions.create({
      model: 'test-model',
      messages: [],
      stream: true,
    });
    const arrivals: number[] = [];
    for await (const c of stream) if (c.choices[0]?.delta?.content) arrivals.push(Date.now() - t0);
    expect(arrivals).toHaveLength(3);
    // the first chunk arrives long before the stream ends (no buffering)
    expect(arrivals[2] - arrivals[0]).toBeGreaterThanOrEqual(450);
  });

  it('proxies completions, embeddings and responses (plain and streamed)', async () => {
    feedBackend(t, a.url, { models: ['test-model', 'embed-model'] });
    const c = await client.completions.create({ model: 'test-model', prompt: 'Say' });
    expect(c.choices[0].text).toBe('Hello from the fake');

    const e = await client.embeddings.create({
      model: 'embed-model',
      input: ['a', 'b'],
      encoding_format: 'float',
    });
    expect(e.data).toHaveLength(2);
    expect(e.data[1].embedding[0]).toBeCloseTo(0.2);

    const r = await client.responses.create({ model: 'test-model', input: 'hi' });
    expect(r.output_text).toBe('Hello from the fake');

    const rs = await client.responses.create({ model: 'test-model', input: 'hi', stream: true });
    let deltas = '';
    let completed = false;
    for await (const ev of rs) {
      if (ev.type === 'response.output_text.delta') deltas += ev.delta;
      if (ev.type === 'response.completed') completed = true;
    }
    expect(deltas).toBe('Hello from the fake');
    expect(completed).toBe(true);
    // the Responses API has no stream_options: the body went untouched
    const sent = a.inference('/v1/responses')[1];
    expect(sent.json.stream_options).toBeUndefined();
  });

  it('spreads load over two backends', async () => {
    a.latencyMs = 20;
    b.latencyMs = 20;
    feedBackend(t, a.url);
    feedBackend(t, b.url);
    await Promise.all(
      Array.from({ length: 40 }, () =>
        client.chat.completions.create({ model: 'test-model', messages: [] }),
      ),
    );
    const na = a.inference().length;
    const nb = b.inference().length;
    expect(na + nb).toBe(40);
    expect(na).toBeGreaterThanOrEqual(12);
    expect(nb).toBeGreaterThanOrEqual(12);
  });

  it('loses no non-streaming request when one of two backends dies under load', async () => {
    a.latencyMs = 15;
    b.latencyMs = 15;
    feedBackend(t, a.url);
    feedBackend(t, b.url);
    const failures: string[] = [];
    table().onPassiveFailure((bk, err) => failures.push(`${bk.name}: ${err}`));
    let done = 0;
    const worker = async () => {
      for (let i = 0; i < 15; i++) {
        const r = await client.chat.completions.create({ model: 'test-model', messages: [] });
        expect(r.choices[0].message.content).toBe('Hello from the fake');
        done += 1;
      }
    };
    const all = Promise.all(Array.from({ length: 8 }, worker));
    await waitFor(() => done >= 30);
    await a.stop();
    await all;
    expect(done).toBe(120);
    expect(failures.length).toBeGreaterThan(0);
  });

  it('fails over on connect errors, timeouts and 502/503 before the first byte', async () => {
    const reported: string[] = [];
    table().onPassiveFailure((bk) => reported.push(bk.name));
    // priorities make the order of attempts deterministic: dead, busy, slow, good
    const dead = feedBackend(t, 'http://127.0.0.1:1', { name: 'dead', priority: 100 });
    b.fault = { kind: 'status', status: 503, message: 'loading' };
    feedBackend(t, b.url, { name: 'busy', priority: 90 });
    const slow = await fake({ name: 'slow' });
    slow.fault = { kind: 'slow_first_byte', ms: 1500 };
    feedBackend(t, slow.url, { name: 'slow', inferenceTimeoutMs: 200, priority: 80 });
    const good = feedBackend(t, a.url, { name: 'good', priority: 0 });
    t.config.proxy.maxAttempts = 4;
    try {
      const { response } = await client.chat.completions
        .create({ model: 'test-model', messages: [] })
        .withResponse();
      expect(response.headers.get('x-llmlb-backend')).toBe(good.id);
      expect(b.inference()).toHaveLength(1);
      expect(slow.inference()).toHaveLength(1);
      // connect error and timeout go to passive health; a 503 does not
      expect(reported).toEqual(['dead', 'slow']);
      expect(table().get(dead.id)!.load.failures).toBe(1);

      // the next request avoids the backends that just failed on real traffic
      const again = await client.chat.completions
        .create({ model: 'test-model', messages: [] })
        .withResponse();
      expect(again.response.headers.get('x-llmlb-backend')).toBe(good.id);
      expect(reported).toEqual(['dead', 'slow']);
      expect(slow.inference()).toHaveLength(1);
    } finally {
      t.config.proxy.maxAttempts = 3;
    }
  });

  it('gives up after LLMLB_PROXY_MAX_ATTEMPTS backends', async () => {
    const bad = await Promise.all([fake(), fake(), fake()]);
    for (const f of [a, b, ...bad]) {
      f.fault = { kind: 'status', status: 503 };
      feedBackend(t, f.url);
    }
    const res = await api(t.url)
      .as(key)
      .post('/v1/chat/completions', { model: 'test-model', messages: [] });
    expect(res.status).toBe(502);
    const tried = [a, b, ...bad].reduce((n, f) => n + f.inference().length, 0);
    expect(tried).toBe(3);
  });

  it('answers 502 upstream_error with the backend message when every backend fails', async () => {
    a.fault = { kind: 'status', status: 503, message: 'a is overloaded' };
    b.fault = { kind: 'status', status: 502, message: 'b bad gateway' };
    feedBackend(t, a.url);
    feedBackend(t, b.url);
    const res = await api(t.url)
      .as(key)
      .post('/v1/chat/completions', { model: 'test-model', messages: [] });
    expect(res.status).toBe(502);
    expect(res.body.error).toMatchObject({
      type: 'upstream_error',
      code: 'upstream_error',
      param: null,
    });
    expect(res.body.error.message).toMatch(/overloaded|bad gateway/);
    expect(a.inference().length + b.inference().length).toBe(2);

    // 500 is not retried but reported the same way
    a.fault = { kind: 'status', status: 500, message: 'kaboom' };
    for (const bk of table().all()) table().remove(bk.id);
    feedBackend(t, a.url);
    const r500 = await api(t.url)
      .as(key)
      .post('/v1/chat/completions', { model: 'test-model', messages: [] });
    expect(r500.status).toBe(502);
    expect(r500.body.error.message).toContain('kaboom');
  });

  it('answers 504 upstream_timeout when the first byte does not come in time', async () => {
    a.fault = { kind: 'slow_first_byte', ms: 1500 };
    feedBackend(t, a.url, { inferenceTimeoutMs: 200 });
    const res = await api(t.url)
      .as(key)
      .post('/v1/chat/completions', { model: 'test-model', messages: [] });
    expect(res.status).toBe(504);
    expect(res.body.error.code).toBe('upstream_timeout');
  });

  it('passes backend 4xx through as is', async () => {
    feedBackend(t, a.url, { models: ['not-on-the-fake'] });
    const res = await api(t.url)
      .as(key)
      .post('/v1/chat/completions', { model: 'not-on-the-fake', messages: [] });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: {
        message: 'The model `not-on-the-fake` does not exist.',
        type: 'invalid_request_error',
        param: 'model',
        code: 'model_not_found',
      },
    });
  });

  it('ends a stream whose backend dies midway with one error event and [DONE]', async () => {
    a.fault = { kind: 'die_mid_stream', afterChunks: 2 };
    feedBackend(t, a.url);
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'test-model', messages: [], stream: true }),
    });
    expect(res.status).toBe(200);
    const data = await sseData(res);
    expect(data.slice(-1)).toEqual(['[DONE]']);
    const parsed = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(parsed.filter((p) => p.choices)).toHaveLength(2);
    const errors = parsed.filter((p) => p.error);
    expect(errors).toHaveLength(1);
    expect(errors[0].error).toMatchObject({ type: 'upstream_error', code: 'upstream_error' });
  });

  it('applies backpressure: a client that stops reading pauses the backend', async () => {
    a.models.push('firehose');
    feedBackend(t, a.url, { models: ['firehose'] });
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'firehose', messages: [], stream: true }),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read();
    // the client reads nothing for a while: the backend must be held back, not drained into memory
    await new Promise((r) => setTimeout(r, 1000));
    const sentWhilePaused = a.firehoseSent;
    expect(a.firehoseDone).toBe(false);
    expect(sentWhilePaused).toBeLessThan(a.firehoseChunks);
    let bytes = 0;
    let tail = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.length;
      tail = (tail + Buffer.from(value).toString()).slice(-64);
    }
    expect(a.firehoseDone).toBe(true);
    expect(bytes).toBeGreaterThan(30 * 1024 * 1024);
    expect(tail.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('ends a stream that stays silent longer than the idle timeout with upstream_timeout', async () => {
    const stalling = await fake({ name: 'stalling', chunks: ['a', 'b'], chunkDelayMs: 3500 });
    feedBackend(t, stalling.url);
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'test-model', messages: [], stream: true }),
    });
    const data = await sseData(res);
    expect(data).toHaveLength(3);
    expect(JSON.parse(data[0]).choices[0].delta.content).toBe('a');
    expect(JSON.parse(data[1]).error.code).toBe('upstream_timeout');
    expect(data[2]).toBe('[DONE]');
  });

  it('aborts the upstream request as soon as the client goes away', async () => {
    const slow = await fake({
      name: 'slow',
      chunks: Array.from({ length: 50 }, (_, i) => `c${i}`),
      chunkDelayMs: 100,
    });
    feedBackend(t, slow.url);
    const ac = new AbortController();
    const res = await fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'test-model', messages: [], stream: true }),
      signal: ac.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    ac.abort();
    await waitFor(() => slow.abortedByClient === 1, { timeoutMs: 2000, what: 'upstream abort' });
    await waitFor(() => table().all()[0].load.inFlight === 0, { timeoutMs: 2000 });

    // also while waiting for the first byte of a non-streaming answer
    slow.fault = { kind: 'slow_first_byte', ms: 3000 };
    const ac2 = new AbortController();
    const p = fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'test-model', messages: [] }),
      signal: ac2.signal,
    }).catch(() => null);
    await waitFor(() => slow.inFlight === 1, { timeoutMs: 2000 });
    ac2.abort();
    await p;
    await waitFor(() => slow.abortedByClient === 2, {
      timeoutMs: 2000,
      what: 'upstream abort (first byte)',
    });
    await waitFor(() => table().all()[0].load.inFlight === 0, { timeoutMs: 2000 });
  });

  it('keeps one keep-alive pool per backend origin and closes it when the backend leaves', async () => {
    const pools = t.app.get(UpstreamPools);
    pools.sweep(true);
    const before = pools.openPools;
    const info = feedBackend(t, a.url);
    for (let i = 0; i < 5; i++)
      await client.chat.completions.create({ model: 'test-model', messages: [] });
    expect(pools.openPools).toBe(before + 1);
    // five sequential requests over one kept-alive connection
    expect(a.connections).toBe(1);
    table().remove(info.id);
    pools.sweep();
    expect(pools.openPools).toBe(before);
  });

  it('tells model_required, model_not_found and no_healthy_backend apart', async () => {
    feedBackend(t, a.url, { models: ['sleepy'], online: false });
    const none = await api(t.url).as(key).post('/v1/chat/completions', { messages: [] });
    expect(none.status).toBe(400);
    expect(none.body.error.code).toBe('model_required');
    const unknown = await api(t.url)
      .as(key)
      .post('/v1/chat/completions', { model: 'nope', messages: [] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'model_not_found', type: 'not_found_error' });
    const sleepy = await api(t.url).as(key).post('/v1/embeddings', { model: 'sleepy', input: 'x' });
    expect(sleepy.status).toBe(503);
    expect(sleepy.body.error).toMatchObject({ code: 'no_healthy_backend', type: 'upstream_error' });
    const badJson = await api(t.url)
      .as(key)
      .request<any>('POST', '/v1/chat/completions', undefined, '{"model":');
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.code).toBe('invalid_json');
    expect(a.inference()).toHaveLength(0);
  });

  it('enforces permissions: inference for calls, models.read or inference for listing, credentials required', async () => {
    feedBackend(t, a.url);
    const inferOnly = await createKey(t, admin, ['inference']);
    const readOnly = await createKey(t, admin, ['models.read']);
    const unrelated = await createKey(t, admin, ['nodes.read']);
    const body = { model: 'test-model', messages: [] };
    expect((await api(t.url).post('/v1/chat/completions', body)).status).toBe(401);
    expect((await api(t.url).get('/v1/models')).status).toBe(401);
    expect((await api(t.url).as(inferOnly).post('/v1/chat/completions', body)).status).toBe(200);
    // OpenAI SDKs list models with the key they infer with
    expect((await api(t.url).as(inferOnly).get('/v1/models')).status).toBe(200);
    expect((await api(t.url).as(unrelated).get('/v1/models')).status).toBe(403);
    expect((await api(t.url).as(readOnly).get('/v1/models')).status).toBe(200);
    const denied = await api(t.url).as(readOnly).post('/v1/chat/completions', body);
    expect(denied.status).toBe(403);
    expect(denied.body.error.code).toBe('forbidden');
    expect((await api(t.url).as('sk_notakey').post('/v1/chat/completions', body)).status).toBe(401);
    // a JWT works too
    expect((await api(t.url).as(admin).post('/v1/chat/completions', body)).status).toBe(200);
    expect(a.inference()).toHaveLength(2);
  });
});
