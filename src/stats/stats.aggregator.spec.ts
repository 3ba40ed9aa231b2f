import type { RequestRecord } from './request-record';
import { quantile, StatsAggregator } from './stats.aggregator';

const MIN = 60_000;

function rec(at: number, over: Partial<RequestRecord> = {}): RequestRecord {
  return {
    at,
    requestId: 'r',
    apiKeyId: null,
    userId: null,
    operation: 'chat/completions',
    model: 'm',
    modelKnown: true,
    backendId: 'b1',
    backendName: 'one',
    status: 200,
    errorCode: null,
    stream: false,
    latencyMs: 10,
    ttftMs: 5,
    overheadMs: 0.1,
    promptTokens: 3,
    completionTokens: 4,
    attempts: 1,
    requestBody: null,
    responseBody: null,
    ...over,
  };
}

describe('StatsAggregator', () => {
  it('counts totals, errors, tokens per backend and per model', () => {
    const a = new StatsAggregator();
    const now = Date.now();
    a.add(rec(now));
    a.add(rec(now, { status: 502, backendId: 'b2', backendName: 'two', promptTokens: null }));
    a.add(rec(now, { status: 404, modelKnown: false, model: 'junk', backendId: null }));
    expect(a.totals).toMatchObject({
      requests: 3,
      errors: 2,
      promptTokens: 6,
      completionTokens: 12,
    });
    expect(a.backendStats().map((b) => [b.id, b.requests, b.errors])).toEqual([
      ['b1', 1, 0],
      ['b2', 1, 1],
    ]);
    expect(a.modelStats().map((m) => m.id)).toEqual(['m']);
  });

  it('caps the per-model rows: new model names beyond the cap are counted under other', () => {
    const a = new StatsAggregator(2);
    const now = Date.now();
    for (const model of ['a', 'b', 'openai:junk-1', 'openai:junk-2', 'a'])
      a.add(rec(now, { model }));
    expect(a.modelStats().map((m) => [m.id, m.requests])).toEqual([
      ['a', 2],
      ['b', 1],
      ['other', 2],
    ]);
    expect(a.totals.requests).toBe(5);
  });

  it('keeps 60 one-minute buckets and forgets older minutes', () => {
    const a = new StatsAggregator();
    const now = Math.floor(Date.now() / MIN) * MIN + 30_000;
    a.add(rec(now - 90 * MIN));
    a.add(rec(now - 59 * MIN));
    a.add(rec(now - 2 * MIN, { latencyMs: 100 }));
    a.add(rec(now, { latencyMs: 300 }));
    const hour = a.lastHour(now);
    expect(hour).toHaveLength(60);
    expect(hour.reduce((n, m) => n + m.requests, 0)).toBe(3);
    expect(hour[59].requests).toBe(1);
    expect(hour[57].p50LatencyMs).toBe(100);
    expect(a.totals.requests).toBe(4);
  });

  it('computes latency percentiles over the last hour', () => {
    const a = new StatsAggregator();
    const now = Date.now();
    for (let i = 1; i <= 100; i++) a.add(rec(now - i, { latencyMs: i, ttftMs: i / 2 }));
    const p = a.percentiles(now);
    expect(p.p50).toBe(50);
    expect(p.p95).toBe(95);
    expect(p.ttftP50).toBe(25);
    expect(quantile([], 0.5)).toBeNull();
  });
});
