import { NodePullsService } from '../../src/downloads/node-pulls.service';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { api, login } from '../helpers/http';
import { approveNode, registerNode, sendHeartbeat } from '../helpers/nodes';
import { FakeHfHub } from '../fakes/hf-hub';
import { FakeNodeRuntime } from '../fakes/node-runtime';

const MODEL = 'org/tiny-gguf/tiny.q4_k_m';
const ENV = { LLMLB_NODE_ALLOWED_NETWORKS: '127.0.0.0/8' };

describe('downloads to poll-mode nodes (heartbeat answers)', () => {
  let hub: FakeHfHub;
  let t: TestApp;
  let jwt: string;
  const runtimes: FakeNodeRuntime[] = [];

  async function node(pullMode?: 'poll' | 'push') {
    const rt = await new FakeNodeRuntime().start();
    rt.route('POST', '/v0/models/pull', (_req, res) => {
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{"accepted":true}');
    });
    runtimes.push(rt);
    const n = await registerNode(t.url, {
      ip_address: '127.0.0.1',
      runtime_port: rt.port,
      ...(pullMode ? { pull_mode: pullMode } : {}),
    });
    await approveNode(t.url, n.nodeId, jwt);
    return { ...n, rt };
  }

  async function pullTo(nodeId: string): Promise<string> {
    const r = await api(t.url)
      .as(jwt)
      .post('/v0/models/download', { model: MODEL, target: 'specific', node_ids: [nodeId] });
    expect(r.status).toBe(202);
    return r.body.task_ids[0] as string;
  }

  beforeAll(async () => {
    hub = await new FakeHfHub([
      { id: 'org/tiny-GGUF', files: [{ path: 'tiny.Q4_K_M.gguf', size: 4_000_000 }] },
    ]).start();
    t = await startApp({ ...ENV, HF_BASE_URL: hub.url });
    jwt = await login(t.url, 'admin', ADMIN_PASSWORD);
    const reg = await api(t.url)
      .as(jwt)
      .post('/v0/models/register', { repo: 'org/tiny-GGUF', filename: 'tiny.Q4_K_M.gguf' });
    expect(reg.status).toBe(201);
  });

  afterAll(async () => {
    await t.cleanup();
    for (const r of runtimes) await r.stop();
    await hub.stop();
  });

  it('lists a poll-mode node its pending pull in heartbeat answers, never POSTs it, until progress', async () => {
    const n = await node('poll');
    const id = await pullTo(n.nodeId);
    // no LLMLB_PUBLIC_URL: a path the node resolves against its server URL
    const manifest = `/v0/models/${encodeURIComponent(MODEL)}/manifest`;
    for (let i = 0; i < 2; i++) {
      const hb = await sendHeartbeat(t.url, n.token);
      expect(hb.body).toEqual({
        status: 'online',
        tasks: [{ task_id: id, model: MODEL, manifest_url: manifest }],
      });
    }
    expect(n.rt.requests.filter((r) => r.path === '/v0/models/pull')).toEqual([]);
    const task = await api(t.url).as(jwt).get(`/v0/tasks/${id}`);
    expect(task.body.status).toBe('pending');

    const p = await api(t.url)
      .with({ 'x-node-token': n.token })
      .post(`/v0/tasks/${id}/progress`, { progress: 0.1 });
    expect(p.status).toBe(200);
    expect((await sendHeartbeat(t.url, n.token)).body).toEqual({ status: 'online', tasks: [] });
  });

  it('POSTs pulls to push-mode nodes (the default) and lists them nothing', async () => {
    const n = await node();
    const listed = (await api(t.url).as(jwt).get(`/v0/nodes/${n.nodeId}`)).body;
    expect(listed.pull_mode).toBe('push');
    await pullTo(n.nodeId);
    expect((await sendHeartbeat(t.url, n.token)).body.tasks).toEqual([]);
    expect(n.rt.requests.filter((r) => r.path === '/v0/models/pull')).toHaveLength(1);
  });

  it('keeps listing a pending pull after a server restart, with a manifest path when no public URL is set', async () => {
    const n = await node('poll');
    const id = await pullTo(n.nodeId);
    await t.close();
    t = await startApp({ ...ENV, HF_BASE_URL: hub.url }, t.dataDir);
    jwt = await login(t.url, 'admin', ADMIN_PASSWORD);
    // what the server does a moment after boot with pulls still pending (push nodes: re-sent
    // or failed `not_dispatched`); a poll-mode node's pull is left for its next heartbeat
    await t.app.get(NodePullsService).resumeUndispatched();
    const hb = await sendHeartbeat(t.url, n.token);
    expect(hb.body.tasks).toEqual([
      {
        task_id: id,
        model: MODEL,
        manifest_url: `/v0/models/${encodeURIComponent(MODEL)}/manifest`,
      },
    ]);
    expect((await api(t.url).as(jwt).get(`/v0/tasks/${id}`)).body.status).toBe('pending');
  });

  it('refuses an unknown pull_mode', async () => {
    const r = await api(t.url).post('/v0/nodes', {
      machine_name: 'x',
      ip_address: '127.0.0.1',
      runtime_version: '1',
      runtime_port: 1,
      gpu_available: true,
      gpu_devices: [{ model: 'NVIDIA L4', count: 1 }],
      pull_mode: 'carrier-pigeon',
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details[0].field).toBe('pull_mode');
  });
});
