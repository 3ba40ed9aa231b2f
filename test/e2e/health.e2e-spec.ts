import { api, login, waitFor } from '../helpers/http';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import {
  closeAll,
  FakeKind,
  FakeLlmServer,
  FakeServerOptions,
  startFakes,
} from '../fakes/llm-server';
import { RoutingTable } from '../../src/routing/routing-table.service';
import { EndpointHealthService } from '../../src/health/endpoint-health.service';
import { EndpointHealthScheduler } from '../../src/health/endpoint-health.scheduler';
import { EndpointStatusEventsRepository } from '../../src/endpoints/endpoint-status-events.repository';

const ENV = {
  LLMLB_HEALTH_TIMEOUT_SECS: '1',
  LLMLB_HEALTH_CONCURRENCY: '4',
  LLMLB_HEALTH_FAILURES_FOR_OFFLINE: '2',
  LLMLB_HEALTH_OFFLINE_BACKOFF_MAX_SECS: '60',
  LLMLB_MODEL_SYNC_INTERVAL_SECS: '2',
  LLMLB_HEALTH_TICK_MS: '100',
};

const REAL_TIMERS: FakeableAPI[] = [
  'hrtime',
  'nextTick',
  'performance',
  'queueMicrotask',
  'setImmediate',
  'clearImmediate',
  'setInterval',
  'clearInterval',
  'setTimeout',
  'clearTimeout',
];

describe('health: scheduled pull probes and the endpoint state machine', () => {
  let t: TestApp;
  let token: string;
  const fakes: FakeLlmServer[] = [];
  const admin = () => api(t.url).as(token);
  const health = () => t.app.get(EndpointHealthService);
  const scheduler = () => t.app.get(EndpointHealthScheduler);
  const routing = () => t.app.get(RoutingTable);
  const events = async (id: string) =>
    (await t.app.get(EndpointStatusEventsRepository).forEndpoint(id))
      .reverse()
      .map((e) => `${e.fromStatus}->${e.toStatus}:${e.cause}`);
  let n = 0;

  beforeAll(async () => {
    t = await startApp(ENV);
    token = await login(t.url, 'admin', ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await t.cleanup();
    await closeAll(fakes);
  });

  async function fake(kind: FakeKind, opts: FakeServerOptions = {}): Promise<FakeLlmServer> {
    const [f] = await startFakes([kind], opts);
    fakes.push(f);
    return f;
  }

  async function register(f: FakeLlmServer, body: Record<string, unknown> = {}) {
    const res = await admin().post('/v0/endpoints', { name: `h-${++n}`, base_url: f.url, ...body });
    expect([res.status, res.body.error]).toEqual([201, undefined]);
    registered.push(res.body.id);
    return res.body;
  }

  // A stopped fake frees its port and a later fake may get the same one: an endpoint left
  // registered on that URL would make the next registration a 409. Each test removes its own.
  const registered: string[] = [];
  afterEach(async () => {
    for (const id of registered.splice(0)) {
      const res = await admin().delete(`/v0/endpoints/${id}`);
      expect([204, 404]).toContain(res.status);
    }
  });

  const get = async (id: string) => (await admin().get(`/v0/endpoints/${id}`)).body;

  it('online → error → offline after the failure budget; only transitions are stored', async () => {
    const f = await fake('vllm');
    const ep = await register(f);
    expect(ep.status).toBe('online');
    expect(routing().get(ep.id)!.online).toBe(true);
    await f.stop();

    const first = await health().probe(ep.id);
    expect(first).toMatchObject({ success: false, status: 'error' });
    let cur = await get(ep.id);
    expect(cur).toMatchObject({ status: 'error', consecutive_failures: 1 });
    expect(cur.last_error).toMatch(/refused/);
    expect(routing().get(ep.id)!.online).toBe(false);
    // Still listed with its models, so the proxy can tell "no healthy backend" from "unknown model".
    expect(
      routing()
        .backendsFor('meta-llama/Llama-3.1-8B-Instruct')
        .map((b) => b.id),
    ).toContain(ep.id);

    expect((await health().probe(ep.id)).status).toBe('offline');
    cur = await get(ep.id);
    expect(cur).toMatchObject({ status: 'offline', consecutive_failures: 2 });
    await health().probe(ep.id);
    expect(await get(ep.id)).toMatchObject({ status: 'offline', consecutive_failures: 3 });

    expect(await events(ep.id)).toEqual([
      'pending->online:registration',
      'online->error:schedule',
      'error->offline:schedule',
    ]);
    expect(
      health()
        .recentProbes(ep.id)
        .map((p) => p.success),
    ).toEqual([true, false, false, false]);
    const history = await admin().get(`/v0/endpoints/${ep.id}/health`);
    expect(history.status).toBe(200);
    expect(history.body).toMatchObject({ endpoint_id: ep.id, status: 'offline' });
    expect(history.body.events.map((e: any) => `${e.from_status}->${e.to_status}`)).toEqual([
      'error->offline',
      'online->error',
      'pending->online',
    ]);
    expect(history.body.events[0]).toMatchObject({
      cause: 'schedule',
      error: expect.stringMatching(/refused/),
    });
    expect(history.body.recent_probes.map((p: any) => p.success)).toEqual([
      false,
      false,
      false,
      true,
    ]);
    expect(history.body.recent_probes[0].duration_ms).toEqual(expect.any(Number));
    expect((await admin().get('/v0/endpoints/nope/health')).status).toBe(400);
  });

  it('a 500 or a timeout is a failed probe too', async () => {
    const f = await fake('llama_cpp');
    const ep = await register(f);
    f.fail('500');
    expect(await health().probe(ep.id)).toMatchObject({
      success: false,
      error: expect.stringMatching(/HTTP 500/),
    });
    f.fail('hang');
    const started = Date.now();
    const res = await health().probe(ep.id);
    expect(res).toMatchObject({
      success: false,
      status: 'offline',
      error: expect.stringMatching(/timed out/),
    });
    expect(Date.now() - started).toBeLessThan(2500);
    f.heal();
    expect((await health().probe(ep.id)).status).toBe('online');
  });

  it('recovery from offline re-detects the type and re-syncs the models', async () => {
    const f = await fake('ollama');
    const ep = await register(f);
    expect(ep.endpoint_type).toBe('ollama');
    await f.stop();
    await health().probe(ep.id);
    await health().probe(ep.id);
    expect((await get(ep.id)).status).toBe('offline');

    // Something else now answers on the same port.
    const replacement = await fake('vllm', { port: f.port, models: ['org/replacement-model'] });
    expect(replacement.port).toBe(f.port);
    const res = await health().probe(ep.id);
    expect(res.status).toBe('online');
    const cur = await get(ep.id);
    expect(cur).toMatchObject({
      status: 'online',
      endpoint_type: 'vllm',
      type_source: 'detected',
      consecutive_failures: 0,
    });
    expect(cur.last_error).toBeNull();
    expect(cur.models.map((m: any) => m.id)).toEqual(['org/replacement-model']);
    expect(routing().get(ep.id)).toMatchObject({ online: true, backendType: 'vllm' });
    expect(
      routing()
        .onlineFor('org/replacement-model')
        .map((b) => b.id),
    ).toEqual([ep.id]);
    expect(
      routing()
        .backendsFor('llama3.2:latest')
        .map((b) => b.id),
    ).not.toContain(ep.id);
    expect(await events(ep.id)).toEqual([
      'pending->online:registration',
      'online->error:schedule',
      'error->offline:schedule',
      'offline->online:schedule',
    ]);
    await replacement.close();
  });

  it('a manual type is kept on recovery', async () => {
    const f = await fake('ollama');
    const ep = await register(f, { endpoint_type: 'openai_compatible' });
    await f.stop();
    await health().probe(ep.id);
    await f.start();
    await health().probe(ep.id);
    expect(await get(ep.id)).toMatchObject({
      status: 'online',
      endpoint_type: 'openai_compatible',
      type_source: 'manual',
    });
  });

  it('an unreachable registration is detected and synced by the scheduler when it comes up', async () => {
    const f = await fake('lm_studio');
    await f.stop();
    const ep = await register(f);
    expect(ep).toMatchObject({ status: 'offline', endpoint_type: 'unknown' });
    expect(await events(ep.id)).toEqual(['pending->offline:registration']);
    await f.start();
    // Not due yet at its own interval…
    expect(await scheduler().tick(Date.now() + 1000)).not.toContain(ep.id);
    // …but due once the interval has passed.
    expect(await scheduler().tick(Date.now() + 31_000)).toContain(ep.id);
    await scheduler().idle();
    const cur = await get(ep.id);
    expect(cur).toMatchObject({ status: 'online', endpoint_type: 'lm_studio' });
    expect(cur.models.map((m: any) => m.id).sort()).toEqual(f.models.map((m) => m.id).sort());
    expect(cur.models.every((m: any) => typeof m.max_tokens === 'number')).toBe(true);
  });

  it('offline endpoints back off (interval × 2^k, capped)', async () => {
    const f = await fake('vllm');
    const ep = await register(f, { health_check_interval_secs: 20 });
    await f.stop();
    for (let i = 0; i < 3; i++) await health().probe(ep.id);
    expect(await get(ep.id)).toMatchObject({ status: 'offline', consecutive_failures: 3 });
    // 3 failures with a budget of 2 → 20 s × 2 = 40 s.
    expect(await scheduler().tick(Date.now() + 21_000)).not.toContain(ep.id);
    expect(await scheduler().tick(Date.now() + 41_000)).toContain(ep.id);
    await scheduler().idle();
    expect((await get(ep.id)).consecutive_failures).toBe(4);
    // 4 failures → 80 s, capped at 60 s.
    expect(await scheduler().tick(Date.now() + 59_000)).not.toContain(ep.id);
    expect(await scheduler().tick(Date.now() + 61_000)).toContain(ep.id);
    await scheduler().idle();
  });

  it('probes of one endpoint never overlap', async () => {
    const f = await fake('vllm');
    const ep = await register(f);
    const before = f.hits('/v1/models').length;
    f.delayMs = 200;
    const [a, b] = await Promise.all([health().probe(ep.id), health().probe(ep.id)]);
    expect(a).toBe(b);
    expect(health().isProbing(ep.id)).toBe(false);
    expect(f.hits('/v1/models').length - before).toBe(1);
    // A tick skips an endpoint whose probe is still running.
    const slow = health().probe(ep.id);
    expect(await scheduler().tick(Date.now() + 60_000)).not.toContain(ep.id);
    await slow;
    f.heal();
  });

  it('dead and slow endpoints do not delay healthy ones; concurrency is bounded', async () => {
    // Other endpoints of this file are offline: keep them out of the round.
    for (const e of (await admin().get('/v0/endpoints')).body.endpoints) {
      await admin().put(`/v0/endpoints/${e.id}`, { enabled: false });
    }
    let inFlight = 0;
    let peak = 0;
    const track = (f: FakeLlmServer) => {
      const orig = f.delayMs;
      f.route('GET', '/v1/models', async ({ res, server }) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, orig));
        inFlight--;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            object: 'list',
            data: server.models.map((m) => ({ id: m.id, object: 'model', owned_by: 'vllm' })),
          }),
        );
      });
    };
    // More dead endpoints than probe slots (4), queued first: the worst case.
    const dead: FakeLlmServer[] = [];
    for (let i = 0; i < 6; i++) dead.push(await fake('vllm'));
    const healthy: FakeLlmServer[] = [];
    for (let i = 0; i < 8; i++) healthy.push(await fake('vllm', { delayMs: 50 }));
    const deadEps = [];
    for (const f of dead) deadEps.push(await register(f));
    const healthyEps = [];
    for (const f of healthy) healthyEps.push(await register(f));
    for (const f of dead) f.fail('hang');
    for (const f of healthy) track(f);

    const started = Date.now();
    await scheduler().runRound();
    const took = Date.now() - started;
    const doneAt = (id: string) => health().lastProbedAt(id)! - started;
    const healthyDone = Math.max(...healthyEps.map((e) => doneAt(e.id)));
    const deadDone = Math.min(...deadEps.map((e) => doneAt(e.id)));
    expect(deadDone).toBeGreaterThanOrEqual(950); // the 1 s probe timeout
    expect(healthyDone).toBeLessThan(deadDone);
    expect(took).toBeLessThan(2500);
    // Healthy probes never ran more than `concurrency` at once.
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1);
    for (const e of healthyEps) expect((await get(e.id)).status).toBe('online');
    for (const e of deadEps) expect((await get(e.id)).status).toBe('error');
    for (const e of [...deadEps, ...healthyEps]) await admin().delete(`/v0/endpoints/${e.id}`);
  });

  it('passive failure counts as a failed probe at once and triggers an immediate re-probe', async () => {
    const f = await fake('openai_compatible');
    const ep = await register(f);
    const backend = routing().get(ep.id)!;
    const hits = f.hits('/v1/models').length;
    routing().reportFailure(backend, 'connect ECONNREFUSED');
    // The re-probe finds the backend healthy again.
    await waitFor(async () => (await events(ep.id)).length === 3, {
      what: 'error and recovery events',
    });
    expect(await events(ep.id)).toEqual([
      'pending->online:registration',
      'online->error:passive',
      'error->online:schedule',
    ]);
    expect(f.hits('/v1/models').length).toBeGreaterThan(hits);
    expect((await get(ep.id)).status).toBe('online');

    // A dead backend: passive failure → error at once, the re-probe → offline.
    await f.stop();
    routing().reportFailure(routing().get(ep.id)!, 'socket hang up');
    await waitFor(async () => (await get(ep.id)).status === 'offline', { what: 'offline' });
    expect(routing().get(ep.id)!.online).toBe(false);
    expect((await events(ep.id)).slice(-2)).toEqual([
      'online->error:passive',
      'error->offline:schedule',
    ]);
  });

  it('healthy probes re-sync the models at most every sync interval', async () => {
    const f = await fake('vllm', { models: ['one'] });
    const ep = await register(f);
    f.setModels(['one', 'two']);
    // Only the wall clock (Date) is replaced: timers, I/O and performance.now stay real, and the
    // fake clock keeps running with real time until the test moves it on.
    jest.useFakeTimers({ now: Date.now(), advanceTimers: true, doNotFake: REAL_TIMERS });
    try {
      await health().probe(ep.id);
      expect((await get(ep.id)).model_count).toBe(1);
      jest.setSystemTime(Date.now() + 1500); // inside the 2 s sync interval: no re-sync
      await health().probe(ep.id);
      expect((await get(ep.id)).model_count).toBe(1);
      jest.setSystemTime(Date.now() + 600); // past it
      await health().probe(ep.id);
      expect((await get(ep.id)).model_count).toBe(2);
    } finally {
      jest.useRealTimers();
    }
    expect(
      routing()
        .onlineFor('two')
        .map((b) => b.id),
    ).toEqual([ep.id]);
  });

  it('the routing table is loaded from the database at start-up', async () => {
    const f = await fake('ollama');
    const ep = await register(f, { api_key: 'restart-key', priority: 77 });
    f.apiKey = 'restart-key';
    await t.close();
    t = await startApp(ENV, t.dataDir);
    const b = t.app.get(RoutingTable).get(ep.id);
    expect(b).toMatchObject({
      kind: 'endpoint',
      name: ep.name,
      baseUrl: f.url,
      apiKey: 'restart-key',
      priority: 77,
      online: true,
      backendType: 'ollama',
      inferenceTimeoutMs: 120_000,
    });
    expect(b!.models).toEqual(
      expect.arrayContaining([
        { id: 'llama3.2:latest', maxTokens: 131072, capabilities: ['chat'] },
        { id: 'nomic-embed-text:latest', maxTokens: 8192, capabilities: ['embeddings'] },
      ]),
    );
    // The scheduler probes everything after a restart at its first tick.
    const hits = f.hits('/v1/models').length;
    await waitFor(() => f.hits('/v1/models').length > hits, { what: 'first probe after restart' });
  });
});
