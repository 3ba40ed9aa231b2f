import OpenAI from 'openai';
import { MetricsService } from '../../src/stats/metrics.service';
import { RequestRecordsRepository } from '../../src/stats/request-records.repository';
import { StatsScheduler } from '../../src/stats/stats.scheduler';
import { StatsService } from '../../src/stats/stats.service';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { createKey, feedBackend } from '../helpers/backends';
import { api, login, waitFor } from '../helpers/http';
import { FakeOpenAiBackend } from '../fakes/openai-backend';

describe('request history, /v0/stats and /metrics', () => {
  let t: TestApp;
  let admin: string;
  let key: string;
  let viewer: string;
  let good: FakeOpenAiBackend;
  let broken: FakeOpenAiBackend;
  let goodId: string;
  let brokenId: string;

  beforeAll(async () => {
    t = await startApp({ LLMLB_STATS_FLUSH_MS: '50' });
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
    key = await createKey(t, admin, ['inference']);
    const created = await api(t.url)
      .as(admin)
      .post('/v0/users', { username: 'watcher', password: 'watcher-pass-1', role: 'viewer' });
    expect(created.status).toBe(201);
    viewer = await login(t.url, 'watcher', 'watcher-pass-1');
    good = await new FakeOpenAiBackend({ name: 'good', models: ['test-model'] }).start();
    broken = await new FakeOpenAiBackend({ name: 'broken', models: ['broken-model'] }).start();
    broken.fault = { kind: 'status', status: 503, message: 'no capacity' };
    goodId = feedBackend(t, good.url, { name: 'good' }).id;
    brokenId = feedBackend(t, broken.url, { name: 'broken', models: ['broken-model'] }).id;

    const client = new OpenAI({ apiKey: key, baseURL: `${t.url}/v1`, maxRetries: 0 });
    for (let i = 0; i < 3; i++)
      await client.chat.completions.create({ model: 'test-model', messages: [] });
    const stream = await client.chat.completions.create({
      model: 'test-model',
      messages: [],
      stream: true,
    });
    for await (const _ of stream) void _;
    await api(t.url).as(key).post('/v1/chat/completions', { model: 'missing-model', messages: [] });
    await api(t.url).as(key).post('/v1/chat/completions', { model: 'broken-model', messages: [] });
    await api(t.url).as(admin).post('/v1/chat/completions', { model: 'test-model', messages: [] });
    await waitFor(async () => (await api(t.url).as(admin).get('/v0/requests')).body.total === 7, {
      what: 'history flush',
    });
  });

  afterAll(async () => {
    await t.cleanup();
    await good.stop();
    await broken.stop();
  });

  it('records every request with backend, status, latency, TTFT and usage (streams included)', async () => {
    const res = await api(t.url).as(admin).get('/v0/requests?per_page=100');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 7, page: 1, per_page: 100 });
    const rows: any[] = res.body.requests;
    const streamRow = rows.find((r) => r.stream);
    expect(streamRow).toMatchObject({
      model: 'test-model',
      backend_id: goodId,
      backend_name: 'good',
      status: 200,
      operation: 'chat/completions',
      completion_tokens: 4,
      attempts: 1,
    });
    expect(streamRow.prompt_tokens).toBeGreaterThan(0);
    expect(streamRow.ttft_ms).toBeGreaterThan(0);
    expect(streamRow.latency_ms).toBeGreaterThanOrEqual(streamRow.ttft_ms);
    expect(streamRow.api_key_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(streamRow.request_body).toBeUndefined();
    const missing = rows.find((r) => r.model === 'missing-model');
    expect(missing).toMatchObject({ status: 404, error_code: 'model_not_found', backend_id: null });
    const failed = rows.find((r) => r.model === 'broken-model');
    expect(failed).toMatchObject({
      status: 502,
      error_code: 'upstream_error',
      backend_id: brokenId,
    });
    const jwtRow = rows.find((r) => r.user_id !== null);
    expect(jwtRow).toMatchObject({ api_key_id: null, status: 200 });
    // newest first
    const times = rows.map((r) => Date.parse(r.created_at));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
  });

  it('filters and pages the history', async () => {
    const byModel = await api(t.url).as(admin).get('/v0/requests?model=test-model');
    expect(byModel.body.total).toBe(5);
    const byStatus = await api(t.url).as(admin).get('/v0/requests?status=502');
    expect(byStatus.body.requests.map((r: any) => r.model)).toEqual(['broken-model']);
    const byBackend = await api(t.url).as(admin).get(`/v0/requests?backend_id=${brokenId}`);
    expect(byBackend.body.total).toBe(1);
    const page2 = await api(t.url).as(admin).get('/v0/requests?per_page=3&page=2');
    expect(page2.body).toMatchObject({ total: 7, page: 2, per_page: 3 });
    expect(page2.body.requests).toHaveLength(3);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await api(t.url).as(admin).get(`/v0/requests?from=${future}`)).body.total).toBe(0);
    expect((await api(t.url).as(admin).get(`/v0/requests?to=${future}`)).body.total).toBe(7);
    const bad = await api(t.url).as(admin).get('/v0/requests?status=abc&per_page=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
  });

  it('summarises totals, backends, models, the last hour per minute and latency percentiles', async () => {
    const res = await api(t.url).as(viewer).get('/v0/stats');
    expect(res.status).toBe(200);
    const s = res.body;
    expect(s.totals).toMatchObject({ requests: 7, errors: 2 });
    expect(s.totals.error_rate).toBeCloseTo(2 / 7, 3);
    expect(s.totals.completion_tokens).toBeGreaterThanOrEqual(20);
    expect(s.last_hour.requests).toBe(7);
    expect(s.last_hour.p50_latency_ms).toBeGreaterThan(0);
    expect(s.last_hour.p95_latency_ms).toBeGreaterThanOrEqual(s.last_hour.p50_latency_ms);
    expect(s.per_minute).toHaveLength(60);
    expect(s.per_minute.reduce((n: number, m: any) => n + m.requests, 0)).toBe(7);
    expect(s.backends.find((b: any) => b.id === goodId)).toMatchObject({
      name: 'good',
      requests: 5,
      errors: 0,
    });
    expect(s.backends.find((b: any) => b.id === brokenId)).toMatchObject({
      requests: 1,
      errors: 1,
    });
    expect(s.models.map((m: any) => m.id).sort()).toEqual(['broken-model', 'test-model']);
    expect(s.in_flight).toBe(0);
  });

  it('exposes Prometheus metrics, including the hooks other modules call', async () => {
    const metrics = t.app.get(MetricsService);
    metrics.observeProbe(12, true);
    // Collectors run in order before each scrape; these run after the fleet's own ones.
    metrics.addCollector(() => metrics.setNodeCounts({ online: 2, pending: 1 }));
    metrics.addCollector(() => metrics.setTaskCounts({ running: 3 }));
    const res = await api(t.url).as(viewer).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = res.text;
    expect(text).toContain(
      `llmlb_requests_total{model="test-model",backend="${goodId}",status="200"} 5`,
    );
    expect(text).toContain(
      `llmlb_requests_total{model="(unknown)",backend="(none)",status="404"} 1`,
    );
    expect(text).toContain(
      `llmlb_requests_total{model="broken-model",backend="${brokenId}",status="502"} 1`,
    );
    expect(text).toMatch(
      /llmlb_request_duration_seconds_count\{model="test-model",backend="[^"]+"\} 5/,
    );
    expect(text).toMatch(
      /llmlb_time_to_first_token_seconds_count\{model="test-model",backend="[^"]+"\} 5/,
    );
    expect(text).toMatch(/llmlb_proxy_overhead_seconds_count 7/);
    expect(text).toContain('llmlb_requests_in_flight 0');
    expect(text).toContain(
      `llmlb_backend_up{backend="${goodId}",name="good",kind="endpoint",type="openai_compatible"} 1`,
    );
    expect(text).toContain('llmlb_backends{kind="endpoint",status="online"} 2');
    expect(text).toContain('llmlb_health_probe_duration_seconds_count{result="ok"} 1');
    expect(text).toContain('llmlb_nodes{status="online"} 2');
    expect(text).toContain('llmlb_tasks{status="running"} 3');
    expect(text).toMatch(
      /llmlb_tokens_total\{model="test-model",backend="[^"]+",kind="completion"\} 20/,
    );
    expect(text).toContain('llmlb_process_resident_memory_bytes');
  });

  it('guards history, stats and metrics with metrics.read', async () => {
    for (const path of ['/v0/requests', '/v0/stats', '/metrics']) {
      expect((await api(t.url).get(path)).status).toBe(401);
      expect((await api(t.url).as(key).get(path)).status).toBe(403);
      expect((await api(t.url).as(viewer).get(path)).status).toBe(200);
    }
    const metricsKey = await createKey(t, admin, ['metrics.read']);
    expect((await api(t.url).as(metricsKey).get('/metrics')).status).toBe(200);
  });

  it('writes history in batches, never one write per request', async () => {
    const repo = t.app.get(RequestRecordsRepository);
    const spy = jest.spyOn(repo, 'insertBatch');
    try {
      await Promise.all(
        Array.from({ length: 20 }, () =>
          api(t.url).as(key).post('/v1/chat/completions', { model: 'test-model', messages: [] }),
        ),
      );
      await waitFor(async () => (await api(t.url).as(admin).get('/v0/requests')).body.total === 27);
      const rows = spy.mock.calls.reduce((n, c) => n + c[0].length, 0);
      expect(rows).toBe(20);
      expect(spy.mock.calls.length).toBeLessThan(10);
    } finally {
      spy.mockRestore();
    }
  });

  it('deletes history older than the retention period', async () => {
    const stats = t.app.get(StatsService);
    stats.record({
      at: Date.now() - 8 * 86_400_000,
      requestId: 'old',
      apiKeyId: null,
      userId: null,
      operation: 'chat/completions',
      model: 'ancient-model',
      modelKnown: true,
      backendId: null,
      backendName: null,
      status: 200,
      errorCode: null,
      stream: false,
      latencyMs: 1,
      ttftMs: null,
      overheadMs: 0.1,
      promptTokens: null,
      completionTokens: null,
      attempts: 1,
      requestBody: null,
      responseBody: null,
    });
    await stats.flush();
    expect((await api(t.url).as(admin).get('/v0/requests?model=ancient-model')).body.total).toBe(1);
    await t.app.get(StatsScheduler).purge();
    expect((await api(t.url).as(admin).get('/v0/requests?model=ancient-model')).body.total).toBe(0);
    expect(
      (await api(t.url).as(admin).get('/v0/requests?model=test-model')).body.total,
    ).toBeGreaterThan(0);
  });
});

describe('request history with LLMLB_HISTORY_BODIES=true', () => {
  it('stores request and response bodies, and flushes pending rows on shutdown', async () => {
    const t = await startApp({ LLMLB_HISTORY_BODIES: 'true', LLMLB_STATS_FLUSH_MS: '1000' });
    const fake = await new FakeOpenAiBackend().start();
    try {
      const admin = await login(t.url, 'admin', ADMIN_PASSWORD);
      feedBackend(t, fake.url);
      const body = { model: 'test-model', messages: [{ role: 'user', content: 'keep me' }] };
      await api(t.url).as(admin).post('/v1/chat/completions', body);
      await api(t.url)
        .as(admin)
        .post('/v1/chat/completions', { ...body, stream: true });
      await waitFor(async () => (await api(t.url).as(admin).get('/v0/requests')).body.total === 2, {
        timeoutMs: 5000,
      });
      const rows = (await api(t.url).as(admin).get('/v0/requests')).body.requests;
      const plain = rows.find((r: any) => !r.stream);
      expect(JSON.parse(plain.request_body)).toEqual(body);
      expect(JSON.parse(plain.response_body).choices[0].message.content).toBe(
        'Hello from the fake',
      );
      const streamed = rows.find((r: any) => r.stream);
      expect(streamed.response_body).toContain('data: [DONE]');

      // a row still pending at shutdown is written by the last flush
      await api(t.url).as(admin).post('/v1/chat/completions', body);
      await t.close();
      const t2 = await startApp({}, t.dataDir);
      try {
        const admin2 = await login(t2.url, 'admin', ADMIN_PASSWORD);
        expect((await api(t2.url).as(admin2).get('/v0/requests')).body.total).toBe(3);
      } finally {
        await t2.close();
      }
    } finally {
      await t.cleanup();
      await fake.stop();
    }
  });
});
