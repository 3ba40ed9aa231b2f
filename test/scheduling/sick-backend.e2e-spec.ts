import OpenAI from 'openai';
import { RoutingTable } from '../../src/routing/routing-table.service';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { createKey, feedBackend } from '../helpers/backends';
import { api, login, waitFor } from '../helpers/http';
import { FakeOpenAiBackend } from '../fakes/openai-backend';

describe('scheduling: sick backends', () => {
  let t: TestApp;
  let admin: string;
  let key: string;
  let client: OpenAI;
  const fakes: FakeOpenAiBackend[] = [];
  const table = () => t.app.get(RoutingTable);

  async function fake(name: string) {
    const f = await new FakeOpenAiBackend({ name, latencyMs: 2 }).start();
    fakes.push(f);
    return f;
  }

  beforeAll(async () => {
    t = await startApp({ LLMLB_OUTLIER_CONSECUTIVE_FAILURES: '5' });
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
    key = await createKey(t, admin, ['inference', 'metrics.read']);
    client = new OpenAI({ apiKey: key, baseURL: `${t.url}/v1`, maxRetries: 0 });
  });

  afterEach(async () => {
    for (const b of table().all()) {
      expect(b.load.inFlight).toBe(0);
      table().remove(b.id);
    }
    await Promise.all(fakes.splice(0).map((f) => f.stop()));
  });

  afterAll(() => t.cleanup());

  it('under load, a backend answering 500 at once costs no request and gets almost no traffic', async () => {
    const good1 = await fake('good1');
    const good2 = await fake('good2');
    const bad = await fake('bad');
    bad.fault = { kind: 'status', status: 500, message: 'boom' };
    feedBackend(t, good1.url);
    feedBackend(t, good2.url);
    const badInfo = feedBackend(t, bad.url);

    const perClient = 25;
    let failed = 0;
    let ok = 0;
    await Promise.all(
      Array.from({ length: 16 }, async (_, c) => {
        for (let i = 0; i < perClient; i++) {
          try {
            await client.chat.completions.create({
              model: 'test-model',
              messages: [{ role: 'user', content: `client ${c} request ${i}` }],
            });
            ok += 1;
          } catch {
            failed += 1;
          }
        }
      }),
    );
    const total = 16 * perClient;
    expect(failed).toBe(0);
    expect(ok).toBe(total);
    // 5 failures eject it; only requests already on their way when it crossed the line add up
    expect(bad.inference().length).toBeLessThan(total * 0.05);
    expect(good1.inference().length + good2.inference().length).toBe(total);

    // after its first failures it is a last resort (penalized) until it is ejected or heals
    expect(table().get(badInfo.id)!.health.consecutiveFailures).toBeGreaterThan(0);
  });

  it('retries 500 and 429 on another backend before the first byte', async () => {
    const bad = await fake('bad');
    const good = await fake('good');
    feedBackend(t, bad.url, { priority: 100 });
    feedBackend(t, good.url, { priority: 0 });
    for (const status of [500, 429, 504]) {
      bad.fault = { kind: 'status', status };
      const before = bad.inference().length;
      const r = await client.chat.completions
        .create({ model: 'test-model', messages: [{ role: 'user', content: String(status) }] })
        .withResponse();
      expect(r.response.headers.get('x-llmlb-backend')).not.toBeNull();
      expect(r.data.choices[0].message.content).toContain('fake');
      expect(good.inference().some((x) => x.json.messages[0].content === String(status))).toBe(
        true,
      );
      expect(bad.inference().length).toBeLessThanOrEqual(before + 1);
    }
  });

  it('never ejects the last backend of a model', async () => {
    const only = await fake('only');
    only.fault = { kind: 'status', status: 500 };
    const info = feedBackend(t, only.url);
    for (let i = 0; i < 8; i++) {
      const r = await fetch(`${t.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'test-model', messages: [{ role: 'user', content: 'x' }] }),
      });
      expect(r.status).toBe(502);
    }
    expect(only.inference()).toHaveLength(8);
    expect(table().get(info.id)!.health.ejected).toBe(false);
  });

  it('ejects a backend after consecutive failures: status event, stats and metrics', async () => {
    const good = await fake('good');
    const bad = await fake('bad');
    bad.fault = { kind: 'status', status: 503 };
    const ids: string[] = [];
    for (const [name, f, slots] of [
      ['ev-good', good, 1],
      ['ev-bad', bad, null],
    ] as const) {
      const r = await api(t.url).as(admin).post('/v0/endpoints', {
        name,
        base_url: f.url,
        endpoint_type: 'openai_compatible',
        max_concurrency: slots,
      });
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    const badId = ids[1];
    // The good backend's only slot is taken: each request tries the bad one first (a failed
    // last resort is better than waiting), then waits for the good one.
    const release = good.hold();
    const first = client.chat.completions.create({
      model: 'test-model',
      messages: [{ role: 'user', content: 'holder' }],
    });
    await waitFor(() => good.inFlight === 1);
    const rest = Array.from({ length: 6 }, (_, i) =>
      client.chat.completions.create({
        model: 'test-model',
        messages: [{ role: 'user', content: `ev ${i}` }],
      }),
    );
    await waitFor(() => table().get(badId)!.health.ejected, { what: 'ejection' });
    release();
    for (const r of await Promise.all([first, ...rest])) expect(r.choices).toHaveLength(1);
    expect(bad.inference().length).toBeGreaterThanOrEqual(5);

    const event = await waitFor(async () => {
      const h = await api(t.url).as(admin).get(`/v0/endpoints/${badId}/health`);
      return h.body.events.find((e: { cause: string }) => e.cause === 'ejected');
    });
    expect(event).toMatchObject({ from_status: 'online', to_status: 'online' });
    expect(event.error).toMatch(/5 consecutive failures/);
    const stats = await api(t.url).as(admin).get('/v0/stats');
    const row = stats.body.scheduling.backends.find((x: { id: string }) => x.id === badId);
    expect(row).toMatchObject({ ejected: true, ejections: 1 });
    expect(Date.parse(row.ejected_until)).toBeGreaterThan(Date.now());
    const metrics = await api(t.url).as(key).get('/metrics');
    expect(metrics.text).toMatch(
      new RegExp(`^llmlb_backend_ejections_total\\{backend="${badId}",name="ev-bad"\\} 1$`, 'm'),
    );
    expect(metrics.text).toMatch(
      new RegExp(`^llmlb_backend_ejected\\{backend="${badId}",name="ev-bad"\\} 1$`, 'm'),
    );
    for (const id of ids) await api(t.url).as(admin).delete(`/v0/endpoints/${id}`);
  });
});
