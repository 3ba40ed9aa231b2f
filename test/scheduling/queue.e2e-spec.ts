import OpenAI from 'openai';
import { RoutingTable } from '../../src/routing/routing-table.service';
import { Scheduler } from '../../src/routing/scheduler.service';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { createKey, feedBackend } from '../helpers/backends';
import { api, login, waitFor } from '../helpers/http';
import { FakeOpenAiBackend } from '../fakes/openai-backend';

const chat = (label: string) => ({
  model: 'test-model',
  messages: [{ role: 'user', content: label }],
});

describe('scheduling: slots and the admission queue', () => {
  let t: TestApp;
  let admin: string;
  let key1: string;
  let key2: string;
  const fakes: FakeOpenAiBackend[] = [];

  async function fake(opts: ConstructorParameters<typeof FakeOpenAiBackend>[0] = {}) {
    const f = await new FakeOpenAiBackend(opts).start();
    fakes.push(f);
    return f;
  }
  const table = () => t.app.get(RoutingTable);
  const depth = () => t.app.get(Scheduler).queueDepths().get('test-model') ?? 0;
  const post = (key: string, body: unknown, signal?: AbortSignal) =>
    fetch(`${t.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal,
    });

  beforeAll(async () => {
    t = await startApp({ LLMLB_QUEUE_MAX: '50', LLMLB_QUEUE_TIMEOUT_SECS: '30' });
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
    key1 = await createKey(t, admin, ['inference', 'metrics.read']);
    key2 = await createKey(t, admin, ['inference']);
  });

  afterEach(async () => {
    for (const b of table().all()) {
      expect(b.load.inFlight).toBe(0);
      table().remove(b.id);
    }
    await Promise.all(fakes.splice(0).map((f) => f.stop()));
  });

  afterAll(() => t.cleanup());

  it('never sends a backend more requests than its slots under a burst', async () => {
    const a = await fake({ name: 'a' });
    const b = await fake({ name: 'b' });
    feedBackend(t, a.url, { maxConcurrency: 2 });
    feedBackend(t, b.url, { maxConcurrency: 3 });
    const releaseA = a.hold();
    const releaseB = b.hold();
    const client = new OpenAI({ apiKey: key1, baseURL: `${t.url}/v1`, maxRetries: 0 });
    const burst = Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        client.chat.completions.create(chat(`burst ${i}`) as never).withResponse(),
      ),
    );
    await waitFor(() => a.inFlight === 2 && b.inFlight === 3 && depth() === 35, {
      what: 'every slot taken and 35 waiting',
    });
    releaseA();
    releaseB();
    const answers = await burst;
    expect(answers).toHaveLength(40);
    expect(a.inference().length + b.inference().length).toBe(40);
    expect(a.maxInFlight).toBe(2);
    expect(b.maxInFlight).toBe(3);
    const waited = answers.filter((r) => r.response.headers.get('x-llmlb-queue-ms') !== null);
    expect(waited).toHaveLength(35);
    expect(Number(waited[0].response.headers.get('x-llmlb-queue-ms'))).toBeGreaterThan(0);
  });

  it('serves waiting requests round-robin across API keys', async () => {
    const a = await fake({ name: 'a' });
    feedBackend(t, a.url, { maxConcurrency: 1 });
    const release = a.hold();
    const done: Promise<Response>[] = [post(key1, chat('k1-0'))];
    await waitFor(() => a.inFlight === 1);
    for (let i = 1; i <= 3; i++) {
      done.push(post(key1, chat(`k1-${i}`)));
      await waitFor(() => depth() === i);
    }
    for (let i = 0; i < 2; i++) {
      done.push(post(key2, chat(`k2-${i}`)));
      await waitFor(() => depth() === 4 + i);
    }
    release();
    const statuses = await Promise.all(done.map(async (p) => (await p).status));
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    const order = a.inference().map((r) => r.json.messages[0].content as string);
    expect(order).toEqual(['k1-0', 'k1-1', 'k2-0', 'k1-2', 'k2-1', 'k1-3']);
  });

  it('drops a waiter whose client disconnects; it never reaches a backend', async () => {
    const a = await fake({ name: 'a' });
    feedBackend(t, a.url, { maxConcurrency: 1 });
    const release = a.hold();
    const first = post(key1, chat('first'));
    await waitFor(() => a.inFlight === 1);
    const ac = new AbortController();
    const gone = post(key1, chat('gone'), ac.signal).catch((e: Error) => e);
    await waitFor(() => depth() === 1);
    ac.abort();
    await waitFor(() => depth() === 0);
    expect(await gone).toMatchObject({ name: 'AbortError' });
    release();
    expect((await first).status).toBe(200);
    expect((await post(key1, chat('after'))).status).toBe(200);
    expect(a.inference().map((r) => r.json.messages[0].content)).toEqual(['first', 'after']);
  });

  it('shows slots and queues in GET /v0/stats and in /metrics', async () => {
    const a = await fake({ name: 'a' });
    const info = feedBackend(t, a.url, { maxConcurrency: 1 });
    const release = a.hold();
    const first = post(key1, chat('one'));
    await waitFor(() => a.inFlight === 1);
    const second = post(key2, chat('two'));
    await waitFor(() => depth() === 1);
    const stats = await api(t.url).as(admin).get('/v0/stats');
    expect(stats.status).toBe(200);
    expect(stats.body.scheduling.queues).toEqual([{ model: 'test-model', waiting: 1 }]);
    expect(stats.body.scheduling.waiting).toBe(1);
    const row = stats.body.scheduling.backends.find((b: { id: string }) => b.id === info.id);
    expect(row).toMatchObject({ in_flight: 1, max_concurrency: 1, ejected: false });
    const metrics = await api(t.url).as(key1).get('/metrics');
    expect(metrics.text).toMatch(/^llmlb_queue_depth\{model="test-model"\} 1$/m);
    expect(metrics.text).toMatch(
      new RegExp(`^llmlb_backend_slots\\{backend="${info.id}",name="[^"]+"\\} 1$`, 'm'),
    );
    expect(metrics.text).toMatch(
      new RegExp(`^llmlb_backend_slots_in_use\\{backend="${info.id}",name="[^"]+"\\} 1$`, 'm'),
    );
    release();
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    const after = await api(t.url).as(key1).get('/metrics');
    expect(after.text).toMatch(/^llmlb_queue_wait_seconds_count\{model="test-model"\} [1-9]/m);
    expect(after.text).toMatch(/^# TYPE llmlb_queue_rejections_total counter$/m);
    expect(after.text).toMatch(/^# TYPE llmlb_backend_ejections_total counter$/m);
    expect(after.text).toMatch(/^# TYPE llmlb_backend_ejected gauge$/m);
  });
});

describe('scheduling: a full queue and a long wait', () => {
  let t: TestApp;
  let key: string;
  let a: FakeOpenAiBackend;

  beforeAll(async () => {
    t = await startApp({ LLMLB_QUEUE_MAX: '1', LLMLB_QUEUE_TIMEOUT_SECS: '1' });
    const admin = await login(t.url, 'admin', ADMIN_PASSWORD);
    key = await createKey(t, admin, ['inference', 'metrics.read']);
    a = await new FakeOpenAiBackend({ name: 'slow' }).start();
    feedBackend(t, a.url, { maxConcurrency: 1 });
  });

  afterAll(async () => {
    await a.stop();
    await t.cleanup();
  });

  it('answers 429 queue_full and 503 queue_timeout, both with Retry-After', async () => {
    const post = () =>
      fetch(`${t.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify(chat('x')),
      });
    const depth = () => t.app.get(Scheduler).queueDepths().get('test-model') ?? 0;
    const release = a.hold();
    const running = post();
    await waitFor(() => a.inFlight === 1);
    const waiting = post();
    await waitFor(() => depth() === 1);

    const full = await post();
    expect(full.status).toBe(429);
    expect(Number(full.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await full.json()) as { error: { code: string } }).error.code).toBe('queue_full');

    const timedOut = await waiting;
    expect(timedOut.status).toBe(503);
    expect(Number(timedOut.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await timedOut.json()) as { error: { code: string } }).error.code).toBe(
      'queue_timeout',
    );
    release();
    expect((await running).status).toBe(200);
    expect(a.inference()).toHaveLength(1);

    const metrics = await api(t.url).as(key).get('/metrics');
    expect(metrics.text).toMatch(
      /^llmlb_queue_rejections_total\{model="test-model",reason="queue_full"\} 1$/m,
    );
    expect(metrics.text).toMatch(
      /^llmlb_queue_rejections_total\{model="test-model",reason="queue_timeout"\} 1$/m,
    );
  });
});
