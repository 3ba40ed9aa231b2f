import { randomUUID } from 'node:crypto';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { Fleet } from '../helpers/fleet';
import { api, login, waitFor } from '../helpers/http';
import { nodeBody } from '../helpers/nodes';
import { FakeHfHub } from '../fakes/hf-hub';
import { PullingNode } from '../fakes/pulling-node';

const MODEL = 'org/tiny-gguf/tiny.q4_k_m';

describe('downloads to nodes', () => {
  let hub: FakeHfHub;
  let t: TestApp;
  let admin: ReturnType<typeof api>;
  let dir: Fleet;
  const nodes: PullingNode[] = [];

  async function addNode(opts: { status?: 'online' | 'offline' | 'pending'; auto?: boolean } = {}) {
    const n = await new PullingNode(t.url, '').start();
    n.auto = opts.auto ?? true;
    nodes.push(n);
    const { id, token } = await dir.addNode({ baseUrl: n.url, status: opts.status ?? 'online' });
    n.token = token;
    return { id, token, node: n };
  }

  const task = async (id: string) => (await admin.get(`/v0/tasks/${id}`)).body;

  /** Starts a download of MODEL to one node and returns its task id. */
  async function pullTo(nodeId: string): Promise<string> {
    const r = await admin.post('/v0/models/download', {
      model: MODEL,
      target: 'specific',
      node_ids: [nodeId],
    });
    expect(r.status).toBe(202);
    return r.body.task_ids[0] as string;
  }
  const taskCount = async () => (await admin.get('/v0/tasks')).body.total as number;

  beforeAll(async () => {
    hub = await new FakeHfHub([
      { id: 'org/tiny-GGUF', files: [{ path: 'tiny.Q4_K_M.gguf', size: 4_000_000 }] },
    ]).start();
    // short node timeout: the fleet keeps its nodes alive with heartbeats, a silent one goes
    // offline through the real scheduled offline monitor
    t = await startApp({
      HF_BASE_URL: hub.url,
      LLMLB_NODE_TIMEOUT_SECS: '2',
      LLMLB_NODE_MONITOR_INTERVAL_SECS: '1',
    });
    dir = new Fleet(t);
    admin = api(t.url).as(await login(t.url, 'admin', ADMIN_PASSWORD));
    const reg = await admin.post('/v0/models/register', {
      repo: 'org/tiny-GGUF',
      filename: 'tiny.Q4_K_M.gguf',
    });
    expect(reg.body.name).toBe(MODEL);
  });

  afterAll(async () => {
    dir.stop();
    await t.cleanup();
    for (const n of nodes) await n.stop();
    await hub.stop();
  });

  it('refuses "all" when no node is online, creating nothing', async () => {
    const r = await admin.post('/v0/models/download', { model: MODEL, target: 'all' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('node_not_online');
    expect(await taskCount()).toBe(0);
  });

  it('downloads to all online nodes: one task each, progress observed, then completed and loaded', async () => {
    const a = await addNode();
    const b = await addNode();
    await addNode({ status: 'pending' }); // not online: not a target
    const r = await admin.post('/v0/models/download', { model: MODEL, target: 'all' });
    expect(r.status).toBe(202);
    expect(r.body.task_ids).toHaveLength(2);

    // the node was told to pull, with a manifest URL it can fetch with its token
    await waitFor(() => a.node.pulls.length === 1 && b.node.pulls.length === 1, {
      what: 'pull calls',
    });
    const pull = a.node.pulls[0];
    expect(r.body.task_ids).toContain(pull.task_id);
    expect(pull.model).toBe(MODEL);
    // a path on the server the node registered with (no LLMLB_PUBLIC_URL in this test)
    expect(pull.manifest_url).toBe(`/v0/models/${encodeURIComponent(MODEL)}/manifest`);

    const seen = await waitFor(
      async () => {
        const x = await task(pull.task_id);
        return x.status === 'in_progress' && x.progress > 0 && x.progress < 1 ? x : null;
      },
      { what: 'intermediate progress', intervalMs: 20 },
    );
    expect(seen).toMatchObject({
      kind: 'node_pull',
      model: MODEL,
      node_id: a.id,
      endpoint_id: null,
      total_bytes: 4_000_000,
    });
    expect(seen.speed_bps).toBe(1_000_000);
    expect(seen.eta_seconds).toEqual(expect.any(Number));
    expect(a.node.manifests[0].files[0].size_bytes).toBe(4_000_000);

    for (const id of r.body.task_ids) {
      await waitFor(async () => (await task(id)).status === 'completed', { what: 'completion' });
    }
    const done = await task(pull.task_id);
    expect(done).toMatchObject({ progress: 1, downloaded_bytes: 4_000_000, error: null });
    expect(done.completed_at).toEqual(expect.any(String));
    expect(await dir.nodeModels(a.id)).toContain(MODEL);

    const models = await admin.get('/v0/models');
    const m = models.body.models.find((x: any) => x.name === MODEL);
    expect(m.nodes.map((n: any) => n.id).sort()).toEqual([a.id, b.id].sort());
    expect(m.tasks).toEqual([]);
    // the node's routing entry now serves it: /v1/models lists it
    const v1 = await admin.get('/v1/models');
    expect(v1.status).toBe(200);
    expect(v1.body.data.map((x: any) => x.id)).toContain(MODEL);
    // finished: further reports are refused
    const late = await a.node.report(pull.task_id, { progress: 0.5 });
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('task_finished');
    // all online nodes were set offline for the next tests
    await dir.takeOffline(a.id);
    await dir.takeOffline(b.id);
  });

  it('validates targets all-or-nothing', async () => {
    const ok = await addNode({ auto: false });
    const off = await addNode({ status: 'offline', auto: false });
    const before = await taskCount();
    const noIds = await admin.post('/v0/models/download', { model: MODEL, target: 'specific' });
    expect(noIds.status).toBe(400);
    const empty = await admin.post('/v0/models/download', {
      model: MODEL,
      target: 'specific',
      node_ids: [],
    });
    expect(empty.status).toBe(400);
    const unknown = await admin.post('/v0/models/download', {
      model: MODEL,
      target: 'specific',
      node_ids: [ok.id, randomUUID()],
    });
    expect(unknown.status).toBe(409);
    expect(unknown.body.error.code).toBe('node_not_online');
    const offline = await admin.post('/v0/models/download', {
      model: MODEL,
      target: 'specific',
      node_ids: [ok.id, off.id],
    });
    expect(offline.status).toBe(409);
    expect(await taskCount()).toBe(before);
    expect(ok.node.pulls).toHaveLength(0);
    const noModel = await admin.post('/v0/models/download', {
      model: 'not/registered',
      target: 'specific',
      node_ids: [ok.id],
    });
    expect(noModel.status).toBe(404);
    expect(noModel.body.error.code).toBe('model_not_found');
    const badTarget = await admin.post('/v0/models/download', { model: MODEL, target: 'some' });
    expect(badTarget.status).toBe(400);

    const r = await admin.post('/v0/models/download', {
      model: MODEL,
      target: 'specific',
      node_ids: [ok.id],
    });
    expect(r.status).toBe(202);
    expect(r.body.task_ids).toHaveLength(1);
    // asking again while it runs reuses the running task
    const again = await admin.post('/v0/models/download', {
      model: MODEL,
      target: 'specific',
      node_ids: [ok.id],
    });
    expect(again.body.task_ids).toEqual(r.body.task_ids);
    await waitFor(async () => (await task(r.body.task_ids[0])).status === 'in_progress', {
      what: 'pull accepted',
    });
    await dir.takeOffline(ok.id);
  });

  it('checks node tokens and progress values', async () => {
    const a = await addNode({ auto: false });
    const b = await addNode({ auto: false });
    const id = await pullTo(a.id);

    const other = await b.node.report(id, { progress: 0.5 });
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('task_not_owned');
    const invalid = await a.node.report(id, { progress: 0.5 }, 'nt_wrong');
    expect(invalid.status).toBe(401);
    expect(invalid.body.error.code).toBe('node_token_invalid');
    const noToken = await api(t.url).post(`/v0/tasks/${id}/progress`, { progress: 0.5 });
    expect(noToken.status).toBe(401);
    // a user JWT is not a node token
    expect((await admin.post(`/v0/tasks/${id}/progress`, { progress: 0.5 })).status).toBe(401);

    for (const progress of [-0.1, 1.5, 'half']) {
      const bad = await a.node.report(id, { progress });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('validation_failed');
    }
    const unknown = await a.node.report(randomUUID(), { progress: 0.5 });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('task_not_found');

    const ok = await a.node.report(id, {
      progress: 0.3,
      downloaded_bytes: 1_200_000,
      total_bytes: 4_000_000,
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id, status: 'in_progress', progress: 0.3 });

    // progress inside a heartbeat is applied too; another node's heartbeat is ignored
    expect((await dir.heartbeat(b, [{ task_id: id, progress: 0.9 }])).status).toBe(200);
    expect(
      (
        await dir.heartbeat(a, [
          { task_id: id, progress: 0.6, downloaded_bytes: 2_400_000, total_bytes: 4_000_000 },
        ])
      ).status,
    ).toBe(200);
    await waitFor(async () => (await task(id)).progress === 0.6, { what: 'heartbeat progress' });

    const failed = await a.node.report(id, { progress: 0.6, status: 'failed', error: 'disk full' });
    expect(failed.body).toMatchObject({ status: 'failed', error: 'disk full' });
    await dir.takeOffline(a.id);
    await dir.takeOffline(b.id);
  });

  it('cancels a running task; the node then gets 409 and a second cancel is 409', async () => {
    const a = await addNode({ auto: false });
    const id = await pullTo(a.id);
    await a.node.report(id, { progress: 0.2 });
    const c = await admin.post(`/v0/tasks/${id}/cancel`);
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({ status: 'cancelled' });
    expect((await task(id)).status).toBe('cancelled');
    const c2 = await admin.post(`/v0/tasks/${id}/cancel`);
    expect(c2.status).toBe(409);
    expect(c2.body.error.code).toBe('task_finished');
    const late = await a.node.report(id, { progress: 0.4 });
    expect(late.status).toBe(409);
    expect((await admin.post(`/v0/tasks/${randomUUID()}/cancel`)).status).toBe(404);
    await dir.takeOffline(a.id);
  });

  it('fails the running task of a node that goes offline with node_offline', async () => {
    const a = await addNode({ auto: false });
    const id = await pullTo(a.id);
    await a.node.report(id, { progress: 0.4 });
    // the node stops heartbeating: the scheduled offline monitor (2 s timeout) marks it offline
    dir.silence(a.id);
    await waitFor(async () => (await task(id)).status === 'failed', {
      what: 'offline failure',
      timeoutMs: 8000,
    });
    expect((await task(id)).error).toBe('node_offline');
    expect(await dir.nodeStatus(a.id)).toBe('offline');
  });

  it('fails the running task of a node deleted (rejected) while pulling with node_removed', async () => {
    const a = await addNode({ auto: false });
    const id = await pullTo(a.id);
    expect((await a.node.report(id, { progress: 0.3 })).status).toBe(200);
    await dir.removeNode(a.id);
    await waitFor(async () => (await task(id)).status === 'failed', { what: 'removal failure' });
    expect((await task(id)).error).toBe('node_removed');
    // its token is revoked: it cannot report any more
    const late = await a.node.report(id, { progress: 0.5 });
    expect(late.status).toBe(401);
  });

  it('fails the running task of a node re-registered by an admin (back to pending) with node_reregistered', async () => {
    const a = await addNode({ auto: false });
    const id = await pullTo(a.id);
    expect((await a.node.report(id, { progress: 0.3 })).status).toBe(200);
    dir.silence(a.id);
    const u = new URL(a.node.url);
    // anonymously this is refused (409 node_exists, test/security); nodes.manage may do it
    const again = await admin.post(
      '/v0/nodes',
      nodeBody({ ip_address: u.hostname, runtime_port: Number(u.port) }),
    );
    expect(again.body).toMatchObject({ node_id: a.id, status: 'updated' });
    await waitFor(async () => (await task(id)).status === 'failed', {
      what: 're-registration failure',
    });
    expect((await task(id)).error).toBe('node_reregistered');
    // the old token no longer works
    expect((await a.node.report(id, { progress: 0.5 })).status).toBe(401);
  });

  it('fails the task when the node refuses the pull', async () => {
    const a = await addNode({ auto: false });
    a.node.refusePulls = true;
    const id = await pullTo(a.id);
    await waitFor(async () => (await task(id)).status === 'failed', { what: 'pull failure' });
    expect((await task(id)).error).toMatch(/^node_pull_failed: node answered 500/);
    await dir.takeOffline(a.id);
  });

  it('shows the running task in GET /v0/models', async () => {
    const a = await addNode({ auto: false });
    const id = await pullTo(a.id);
    const m = (await admin.get('/v0/models')).body.models.find((x: any) => x.name === MODEL);
    expect(m.tasks.map((x: any) => x.id)).toEqual([id]);
    await dir.takeOffline(a.id);
  });
});
