import { Logger } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import OpenAI from 'openai';
import { DataSource } from 'typeorm';
import { Clock } from '../../src/common/clock';
import { NodesScheduler } from '../../src/nodes/nodes.scheduler';
import { NodesService } from '../../src/nodes/nodes.service';
import { RoutingTable } from '../../src/routing/routing-table.service';
import { FakeOpenAiBackend } from '../fakes/openai-backend';
import { createKey } from '../helpers/backends';
import { api, login } from '../helpers/http';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { approveNode, nodeBody, registerNode, sendHeartbeat } from '../helpers/nodes';

/** Pending nodes are inert, bounded in number and expire (issue 10 §1, spec §4.1). */
describe('security: a pending node cannot shadow a route', () => {
  let t: TestApp;
  let openai: FakeOpenAiBackend;

  beforeAll(async () => {
    openai = await new FakeOpenAiBackend({ name: 'openai', models: ['gpt-4o'] }).start();
    t = await startApp({ OPENAI_BASE_URL: openai.url, OPENAI_API_KEY: 'sk-openai-upstream' });
  });
  afterAll(async () => {
    await t.cleanup();
    await openai.stop();
  });

  it('a pending node listing openai:gpt-4o does not turn that route into 503', async () => {
    const admin = await login(t.url, 'admin', ADMIN_PASSWORD);
    const client = new OpenAI({
      apiKey: await createKey(t, admin, ['inference']),
      baseURL: `${t.url}/v1`,
      maxRetries: 0,
    });
    const n = await registerNode(t.url);
    const hb = await sendHeartbeat(t.url, n.token, {
      loaded_models: ['openai:gpt-4o', 'squatted-model'],
    });
    expect(hb.body.status).toBe('pending');
    expect(t.app.get(RoutingTable).get(n.nodeId)).toBeUndefined();

    const res = await client.chat.completions.create({
      model: 'openai:gpt-4o',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.choices[0].message.content).toBe('Hello from the fake');
    // and a model only the pending node claims is unknown, not "no healthy backend"
    const models = (await api(t.url).as(admin).get('/v1/models')).body.data.map(
      (m: { id: string }) => m.id,
    );
    expect(models).not.toContain('squatted-model');
  });
});

describe('security: pending nodes are bounded and expire', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startApp({ LLMLB_MAX_PENDING_NODES: '2', LLMLB_PENDING_NODE_TTL_HOURS: '1' });
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
  });
  afterAll(() => t.cleanup());
  afterEach(() => jest.restoreAllMocks());

  const ids = async () =>
    (await api(t.url).as(admin).get('/v0/nodes')).body.nodes.map((n: { id: string }) => n.id);

  it('at most LLMLB_MAX_PENDING_NODES wait for approval (429 too_many_pending_nodes)', async () => {
    const a = await registerNode(t.url);
    const b = await registerNode(t.url);
    const third = await api(t.url).post('/v0/nodes', nodeBody());
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('too_many_pending_nodes');
    expect(await ids()).toHaveLength(2);
    // a pending node may still re-register (it does not add one)
    const again = await api(t.url).post('/v0/nodes', nodeBody({ runtime_port: portOf(t, a) }));
    expect(again.status).toBe(200);
    // approving one makes room
    await approveNode(t.url, b.nodeId, admin);
    expect((await api(t.url).post('/v0/nodes', nodeBody())).status).toBe(201);
    for (const id of await ids()) await api(t.url).as(admin).delete(`/v0/nodes/${id}`);
  });

  it('a burst of concurrent registrations cannot overshoot the cap', async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => api(t.url).post('/v0/nodes', nodeBody())),
    );
    const codes = results.map((r) => r.status).sort();
    expect(codes).toEqual([201, 201, 429, 429, 429, 429, 429, 429]);
    for (const id of await ids()) await api(t.url).as(admin).delete(`/v0/nodes/${id}`);
  });

  it('a node still pending after LLMLB_PENDING_NODE_TTL_HOURS is removed by the scheduled job', async () => {
    expect(t.app.get(SchedulerRegistry).doesExist('interval', 'nodes-pending-expiry')).toBe(true);
    const stale = await registerNode(t.url);
    const approved = await registerNode(t.url);
    await approveNode(t.url, approved.nodeId, admin);
    const clock = t.app.get(Clock);
    const start = Date.now();
    const now = jest.spyOn(clock, 'now');

    now.mockReturnValue(start + 59 * 60_000);
    const fresh = await registerNode(t.url); // registered 59 minutes "later"
    await t.app.get(NodesScheduler).pendingExpiryTick();
    expect(await ids()).toEqual(expect.arrayContaining([stale.nodeId, fresh.nodeId]));

    now.mockReturnValue(start + 61 * 60_000);
    await t.app.get(NodesScheduler).pendingExpiryTick();
    const left = await ids();
    expect(left).not.toContain(stale.nodeId);
    expect(left).toEqual(expect.arrayContaining([approved.nodeId, fresh.nodeId]));
    expect((await sendHeartbeat(t.url, stale.token)).status).toBe(401);
    const row = await t.app
      .get(DataSource)
      .query('SELECT COUNT(*) AS c FROM nodes WHERE id = ?', [stale.nodeId]);
    expect(row).toEqual([{ c: 0 }]);
  });
});

describe('security: node-supplied text in log lines', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.cleanup());
  afterEach(() => jest.restoreAllMocks());

  it('control characters in a machine name never reach a log line raw', async () => {
    const lines: string[] = [];
    for (const level of ['log', 'warn', 'error', 'debug'] as const)
      jest.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => {
        lines.push(String(args[0]));
      });
    const evil =
      'gpu\n[Nest] 1  - LOG [Auth] admin logged in\r\u001b[2K\u001b[31mowned\u0007\u2028x';
    const n = await registerNode(t.url, { machine_name: evil });
    const admin = await login(t.url, 'admin', ADMIN_PASSWORD);
    await approveNode(t.url, n.nodeId, admin);
    await api(t.url).as(admin).delete(`/v0/nodes/${n.nodeId}`);
    const mine = lines.filter((l) => l.includes(n.nodeId));
    expect(mine.length).toBeGreaterThanOrEqual(3);
    for (const l of mine) {
      // eslint-disable-next-line no-control-regex
      expect(l).not.toMatch(/[\u0000-\u001f\u007f\u2028]/);
      expect(l).toContain('gpu\\u000a[Nest]');
    }
  });
});

function portOf(t: TestApp, n: { nodeId: string }): number {
  return t.app.get(NodesService).getNode(n.nodeId)!.runtimePort;
}
