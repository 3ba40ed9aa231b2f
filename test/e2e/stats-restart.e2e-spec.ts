import { randomUUID } from 'node:crypto';
import type { RequestRecord } from '../../src/stats/request-record';
import { StatsService } from '../../src/stats/stats.service';
import { ADMIN_PASSWORD, makeDataDir, startApp } from '../helpers/app';
import { api, login } from '../helpers/http';

function record(overrides: Partial<RequestRecord>): RequestRecord {
  return {
    at: Date.now(),
    requestId: randomUUID(),
    apiKeyId: null,
    userId: null,
    operation: 'chat/completions',
    model: 'llama3.2:3b',
    modelKnown: true,
    backendId: 'b-1',
    backendName: 'lab-ollama',
    status: 200,
    errorCode: null,
    stream: false,
    latencyMs: 40,
    ttftMs: 10,
    overheadMs: 0.05,
    promptTokens: 5,
    completionTokens: 7,
    attempts: 1,
    requestBody: null,
    responseBody: null,
    ...overrides,
  };
}

describe('statistics across a restart', () => {
  it('replays the last hour of history, and only that hour', async () => {
    const dataDir = makeDataDir();
    const first = await startApp({}, dataDir);
    const stats = first.app.get(StatsService);
    const now = Date.now();
    for (let i = 0; i < 4; i++) stats.record(record({ at: now - 5 * 60_000, latencyMs: 40 + i }));
    stats.record(record({ at: now - 2 * 60_000, status: 502, errorCode: 'upstream_error' }));
    stats.record(
      record({
        at: now - 60_000,
        model: 'ghost',
        modelKnown: false,
        backendId: null,
        backendName: null,
        status: 404,
        errorCode: 'model_not_found',
      }),
    );
    stats.record(record({ at: now - 3 * 3_600_000 })); // older than the hour: not replayed
    await first.close();

    const second = await startApp({}, dataDir);
    try {
      const admin = await login(second.url, 'admin', ADMIN_PASSWORD);
      const body = (await api(second.url).as(admin).get('/v0/stats')).body;
      expect(body.totals).toMatchObject({
        requests: 6,
        errors: 2,
        prompt_tokens: 30,
        completion_tokens: 42,
      });
      expect(body.last_hour).toMatchObject({ requests: 6, errors: 2 });
      expect(body.last_hour.p50_latency_ms).toBeGreaterThanOrEqual(40);
      expect(
        body.per_minute.reduce((n: number, m: { requests: number }) => n + m.requests, 0),
      ).toBe(6);
      expect(body.backends).toEqual([
        expect.objectContaining({ id: 'b-1', name: 'lab-ollama', requests: 5, errors: 1 }),
      ]);
      expect(body.models.map((m: { id: string }) => m.id)).toEqual(['llama3.2:3b']);
      expect(new Date(body.since).getTime()).toBeLessThanOrEqual(now - 5 * 60_000 + 1000);
      // history itself keeps all seven rows
      expect((await api(second.url).as(admin).get('/v0/requests')).body.total).toBe(7);
    } finally {
      await second.cleanup();
    }
  });
});
