import OpenAI from 'openai';
import { RoutingTable } from '../../src/routing/routing-table.service';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { createKey, feedBackend } from '../helpers/backends';
import { login, waitFor } from '../helpers/http';
import { FakeOpenAiBackend } from '../fakes/openai-backend';

type Msg = { role: 'system' | 'user' | 'assistant'; content: string };

describe('scheduling: conversation affinity', () => {
  const fakes: FakeOpenAiBackend[] = [];
  let t: TestApp;
  let client: OpenAI;
  let key: string;
  const table = () => t.app.get(RoutingTable);

  async function threeBackends(maxConcurrency: number | null = null) {
    const ids = new Map<string, FakeOpenAiBackend>();
    for (const name of ['a', 'b', 'c']) {
      const f = await new FakeOpenAiBackend({ name }).start();
      fakes.push(f);
      ids.set(feedBackend(t, f.url, { maxConcurrency }).id, f);
    }
    return ids;
  }

  async function turn(messages: Msg[], headers: Record<string, string> = {}) {
    const r = await client.chat.completions
      .create({ model: 'test-model', messages }, { headers })
      .withResponse();
    return { backend: r.response.headers.get('x-llmlb-backend')!, reply: r.data };
  }

  async function boot(env: Record<string, string> = {}) {
    t = await startApp(env);
    const admin = await login(t.url, 'admin', ADMIN_PASSWORD);
    key = await createKey(t, admin, ['inference']);
    client = new OpenAI({ apiKey: key, baseURL: `${t.url}/v1`, maxRetries: 0 });
  }

  afterEach(async () => {
    for (const b of table().all()) expect(b.load.inFlight).toBe(0);
    await Promise.all(fakes.splice(0).map((f) => f.stop()));
    await t.cleanup();
  });

  it('keeps each conversation on the backend of its previous turn', async () => {
    await boot();
    await threeBackends();
    const seen = new Map<number, Set<string>>();
    for (let c = 0; c < 6; c++) {
      const messages: Msg[] = [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: `conversation ${c} starts` },
      ];
      const backends = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const { backend, reply } = await turn(messages);
        backends.add(backend);
        messages.push({ role: 'assistant', content: reply.choices[0].message.content ?? '' });
        messages.push({ role: 'user', content: `turn ${i + 2}` });
      }
      seen.set(c, backends);
    }
    for (const backends of seen.values()) expect(backends.size).toBe(1);
    // and the conversations are still spread over the fleet
    const used = new Set([...seen.values()].map((s) => [...s][0]));
    expect(used.size).toBeGreaterThan(1);
  });

  it('uses x-session-id and the user field as the conversation key', async () => {
    await boot();
    await threeBackends();
    const first = await turn([{ role: 'user', content: 'one' }], { 'x-session-id': 'sess-1' });
    for (let i = 0; i < 4; i++) {
      const next = await turn([{ role: 'user', content: `different ${i}` }], {
        'x-session-id': 'sess-1',
      });
      expect(next.backend).toBe(first.backend);
    }
    const u = await client.chat.completions
      .create({ model: 'test-model', user: 'alice', messages: [{ role: 'user', content: 'a' }] })
      .withResponse();
    for (let i = 0; i < 4; i++) {
      const again = await client.chat.completions
        .create({
          model: 'test-model',
          user: 'alice',
          messages: [{ role: 'user', content: `${i}` }],
        })
        .withResponse();
      expect(again.response.headers.get('x-llmlb-backend')).toBe(
        u.response.headers.get('x-llmlb-backend'),
      );
    }
  });

  it('sends a turn to a free backend at once when its own backend is full', async () => {
    await boot();
    const byId = await threeBackends(1);
    const messages: Msg[] = [{ role: 'user', content: 'long conversation' }];
    const first = await turn(messages);
    const home = byId.get(first.backend)!;
    const release = home.hold();
    // a request of the same conversation takes the home backend's only slot…
    const busy = turn(messages);
    await waitFor(() => home.inFlight === 1);
    // …so the next turn goes elsewhere, without waiting
    const r = await client.chat.completions
      .create({ model: 'test-model', messages })
      .withResponse();
    expect(r.response.headers.get('x-llmlb-backend')).not.toBe(first.backend);
    expect(r.response.headers.get('x-llmlb-queue-ms')).toBeNull();
    release();
    expect((await busy).backend).toBe(first.backend);
  });

  it('LLMLB_AFFINITY=false spreads the turns of a conversation', async () => {
    await boot({ LLMLB_AFFINITY: 'false' });
    await threeBackends();
    const backends = new Set<string>();
    for (let i = 0; i < 9; i++) {
      backends.add((await turn([{ role: 'user', content: 'same conversation' }])).backend);
    }
    expect(backends.size).toBeGreaterThan(1);
  });
});
