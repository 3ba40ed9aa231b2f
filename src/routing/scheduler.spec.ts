import { loadConfig } from '../config/load-config';
import type { Backend, BackendInfo } from './backend';
import { RoutingTable } from './routing-table.service';
import { QueueRejection, Scheduler, WaiterGone } from './scheduler.service';

function info(
  id: string,
  opts: Omit<Partial<BackendInfo>, 'models'> & { models?: string[] } = {},
): BackendInfo {
  const { models, ...rest } = opts;
  return {
    id,
    kind: 'endpoint',
    name: id,
    baseUrl: `http://127.0.0.1:1/${id}`,
    apiKey: null,
    priority: 50,
    online: true,
    models: (models ?? ['m']).map((m) => ({ id: m, maxTokens: null })),
    latencyMs: null,
    inferenceTimeoutMs: 1000,
    backendType: 'openai_compatible',
    maxConcurrency: null,
    ...rest,
  };
}

function setup(env: Record<string, string> = {}) {
  const config = loadConfig({ LLMLB_DATA_DIR: '/tmp/unused', ...env });
  const table = new RoutingTable(config);
  const scheduler = new Scheduler(table, config);
  return { table, scheduler };
}

const ac = () => new AbortController();

describe('Scheduler', () => {
  afterEach(() => jest.useRealTimers());

  it('never gives a backend more requests than its slots; a freed slot goes to a waiter', async () => {
    const { table, scheduler } = setup();
    table.upsert(info('a', { maxConcurrency: 2 }));
    const route = table.route('m')!;
    const req = { route, caller: 'k1', affinityKey: null, exclude: [], signal: ac().signal };
    const first = scheduler.acquire(req) as Backend;
    const second = scheduler.acquire(req) as Backend;
    expect(first.id).toBe('a');
    expect(second.id).toBe('a');
    const third = scheduler.acquire(req);
    expect(third).toBeInstanceOf(Promise);
    expect(first.load.inFlight).toBe(2);
    expect(scheduler.queueDepths().get('m')).toBe(1);
    scheduler.release(first, { result: 'ok' });
    await expect(third).resolves.toBe(first);
    expect(first.load.inFlight).toBe(2);
    expect(scheduler.totalWaiting).toBe(0);
  });

  it('serves waiters round-robin across callers', async () => {
    const { table, scheduler } = setup();
    table.upsert(info('a', { maxConcurrency: 1 }));
    const route = table.route('m')!;
    const mk = (caller: string) => ({
      route,
      caller,
      affinityKey: null,
      exclude: [],
      signal: ac().signal,
    });
    const held = scheduler.acquire(mk('k1')) as Backend;
    const order: string[] = [];
    const waits = ['k1#1', 'k1#2', 'k1#3', 'k2#1', 'k2#2'].map((label) => {
      const p = scheduler.acquire(mk(label.split('#')[0])) as Promise<Backend>;
      return p.then((b) => {
        order.push(label);
        scheduler.release(b, { result: 'ok' });
      });
    });
    scheduler.release(held, { result: 'ok' });
    await Promise.all(waits);
    expect(order).toEqual(['k1#1', 'k2#1', 'k1#2', 'k2#2', 'k1#3']);
  });

  it('answers queue_full beyond LLMLB_QUEUE_MAX and queue_timeout after the wait', async () => {
    jest.useFakeTimers();
    const { table, scheduler } = setup({ LLMLB_QUEUE_MAX: '1', LLMLB_QUEUE_TIMEOUT_SECS: '2' });
    table.upsert(info('a', { maxConcurrency: 1 }));
    const route = table.route('m')!;
    const req = { route, caller: 'k', affinityKey: null, exclude: [], signal: ac().signal };
    expect(scheduler.acquire(req)).not.toBeInstanceOf(Promise);
    const waiting = scheduler.acquire(req) as Promise<Backend>;
    let full: unknown;
    try {
      void scheduler.acquire(req);
    } catch (e) {
      full = e;
    }
    expect(full).toBeInstanceOf(QueueRejection);
    expect((full as QueueRejection).code).toBe('queue_full');
    expect((full as QueueRejection).status).toBe(429);
    expect((full as QueueRejection).retryAfterSecs).toBeGreaterThanOrEqual(1);
    const timedOut = expect(waiting).rejects.toMatchObject({ code: 'queue_timeout', status: 503 });
    jest.advanceTimersByTime(2001);
    await timedOut;
    expect(scheduler.totalWaiting).toBe(0);
  });

  it('drops a waiter whose client disconnects; it never gets a slot', async () => {
    const { table, scheduler } = setup();
    table.upsert(info('a', { maxConcurrency: 1 }));
    const route = table.route('m')!;
    const held = scheduler.acquire({
      route,
      caller: 'k',
      affinityKey: null,
      exclude: [],
      signal: ac().signal,
    }) as Backend;
    const c = ac();
    const p = scheduler.acquire({
      route,
      caller: 'k',
      affinityKey: null,
      exclude: [],
      signal: c.signal,
    });
    c.abort();
    await expect(p).rejects.toBeInstanceOf(WaiterGone);
    scheduler.release(held, { result: 'ok' });
    expect(held.load.inFlight).toBe(0);
  });

  it('keeps a conversation on its backend while it has a free slot, else takes a free one', () => {
    const { table, scheduler } = setup();
    table.upsert(info('a', { maxConcurrency: 1 }));
    table.upsert(info('b', { maxConcurrency: 1 }));
    const route = table.route('m')!;
    const req = (key: string | null) => ({
      route,
      caller: 'k',
      affinityKey: key,
      exclude: [],
      signal: ac().signal,
    });
    const first = scheduler.acquire(req('conv')) as Backend;
    scheduler.release(first, { result: 'ok' });
    for (let i = 0; i < 5; i++) {
      const again = scheduler.acquire(req('conv')) as Backend;
      expect(again.id).toBe(first.id);
      scheduler.release(again, { result: 'ok' });
    }
    const other = scheduler.acquire(req(null)) as Backend; // takes one of the two slots
    const next = scheduler.acquire(req('conv')) as Backend;
    expect(next).not.toBeNull();
    expect(next.id).not.toBe(other.id);
    expect(next.load.inFlight).toBe(1);
  });

  it('returns null when no routable backend is left (offline or all tried)', () => {
    const { table, scheduler } = setup();
    table.upsert(info('a'));
    table.upsert(info('b', { online: false }));
    const route = table.route('m')!;
    expect(
      scheduler.acquire({
        route,
        caller: 'k',
        affinityKey: null,
        exclude: ['a'],
        signal: ac().signal,
      }),
    ).toBeNull();
  });

  it('routes an alias to the backends of its targets', () => {
    const { table, scheduler } = setup();
    table.upsert(info('a', { models: ['x'] }));
    table.upsert(info('b', { models: ['y'] }));
    table.setAliases(new Map([['chat', ['x', 'y']]]));
    const route = table.route('chat')!;
    expect(route.alias).toBe(true);
    expect(route.backends.map((b) => b.id).sort()).toEqual(['a', 'b']);
    expect(route.upstreamModel?.get('a')).toBe('x');
    const b = scheduler.acquire({
      route,
      caller: 'k',
      affinityKey: null,
      exclude: [],
      signal: ac().signal,
    }) as Backend;
    expect(['a', 'b']).toContain(b.id);
    // a served model id wins over an alias of the same name
    table.setAliases(new Map([['x', ['y']]]));
    expect(table.route('x')!.alias).toBe(false);
  });
});

describe('RoutingTable outlier ejection', () => {
  it('ejects after consecutive failures, never the last backend, and restores after a probe', () => {
    const { table, scheduler } = setup({ LLMLB_OUTLIER_CONSECUTIVE_FAILURES: '3' });
    const events: string[] = [];
    table.onOutlier((b, ejected) => events.push(`${b.id}:${ejected ? 'out' : 'in'}`));
    table.upsert(info('a'));
    table.upsert(info('b'));
    const a = table.get('a')!;
    const b = table.get('b')!;
    for (let i = 0; i < 3; i++) {
      table.acquire(a);
      table.release(a, { result: 'failed' });
    }
    expect(a.health.ejected).toBe(true);
    expect(events).toEqual(['a:out']);
    // b is now the last backend in the rotation: failures never eject it
    for (let i = 0; i < 5; i++) {
      table.acquire(b);
      table.release(b, { result: 'failed' });
    }
    expect(b.health.ejected).toBe(false);
    // while ejected, a gets no traffic
    const route = table.route('m')!;
    const req = { route, caller: 'k', affinityKey: null, exclude: [], signal: ac().signal };
    for (let i = 0; i < 5; i++) {
      const got = scheduler.acquire(req) as Backend;
      expect(got.id).toBe('b');
      scheduler.release(got, { result: 'ok' });
    }
    // after the backoff one request probes it; a failed probe doubles the backoff
    a.health.ejectedUntil = Date.now() - 1;
    table.acquire(a);
    expect(a.health.probing).toBe(true);
    table.release(a, { result: 'failed' });
    expect(a.health.ejected).toBe(true);
    expect(a.health.backoffMs).toBe(60_000);
    a.health.ejectedUntil = Date.now() - 1;
    table.acquire(a);
    table.release(a, { result: 'ok' });
    expect(a.health.ejected).toBe(false);
    expect(events).toEqual(['a:out', 'a:out', 'a:in']);
  });
});

describe('RoutingTable outlier ejection with requests in flight', () => {
  it('counts only the probing request, not requests sent before the ejection', () => {
    const { table } = setup({ LLMLB_OUTLIER_CONSECUTIVE_FAILURES: '2' });
    table.upsert(info('a'));
    table.upsert(info('b'));
    const a = table.get('a')!;
    for (let i = 0; i < 4; i++) table.acquire(a);
    table.release(a, { result: 'failed' });
    table.release(a, { result: 'failed' });
    expect(a.health.ejected).toBe(true);
    const until = a.health.ejectedUntil;
    table.release(a, { result: 'failed' });
    table.release(a, { result: 'ok' });
    expect(a.health).toMatchObject({ ejected: true, ejections: 1, backoffMs: 30_000 });
    expect(a.health.ejectedUntil).toBe(until);
  });
});
