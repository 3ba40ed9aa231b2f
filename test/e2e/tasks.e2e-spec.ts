import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { ADMIN_PASSWORD, makeDataDir, startApp, TestApp } from '../helpers/app';
import { Fleet, FleetNode } from '../helpers/fleet';
import { api, login, waitFor } from '../helpers/http';
import { FakeHfHub } from '../fakes/hf-hub';
import { FakeOllamaPull } from '../fakes/ollama-pull';
import { PullingNode } from '../fakes/pulling-node';
import { FakeXllmDownloads } from '../fakes/xllm-download';

const MODEL = 'org/tiny-gguf/tiny.q4_k_m';

/** Deletes a node row while the server is down (as an admin tool or another version could). */
async function deleteNodeRow(dataDir: string, id: string): Promise<void> {
  const db = await new DataSource({
    type: 'better-sqlite3',
    database: join(dataDir, 'llmlb.db'),
  }).initialize();
  try {
    await db.query('DELETE FROM nodes WHERE id = ?', [id]);
  } finally {
    await db.destroy();
  }
}

describe('tasks: listing, filters and restart', () => {
  let hub: FakeHfHub;
  let xllm: FakeXllmDownloads;
  let ollama: FakeOllamaPull;
  let node: PullingNode | undefined;
  let goneNode: PullingNode | undefined;
  let t: TestApp;
  const dataDir = makeDataDir();
  let fleetNode: FleetNode;
  let goneFleetNode: FleetNode;
  let xllmId: string;
  let ollamaId: string;
  let fleet: Fleet | undefined;
  const env = () => ({
    HF_BASE_URL: hub.url,
    LLMLB_XLLM_POLL_INTERVAL_MS: '60',
    LLMLB_NODE_TIMEOUT_SECS: '2',
    LLMLB_NODE_MONITOR_INTERVAL_SECS: '1',
  });

  /** Starts the app; the first boot registers the fleet, later boots find it in the database. */
  async function boot(): Promise<ReturnType<typeof api>> {
    t = await startApp(env(), dataDir);
    if (!fleet) {
      fleet = new Fleet(t);
      fleetNode = await fleet.addNode({ baseUrl: node!.url });
      // a second node that is deleted while the server is down
      goneFleetNode = await fleet.addNode({ baseUrl: goneNode!.url });
      xllmId = await fleet.addEndpoint({ endpointType: 'xllm', baseUrl: xllm.url });
      ollamaId = await fleet.addEndpoint({ endpointType: 'ollama', baseUrl: ollama.url });
    } else {
      // nodes and endpoints persisted; the node's keep-alive heartbeats now reach the new app
      fleet.attach(t);
    }
    return api(t.url).as(await login(t.url, 'admin', ADMIN_PASSWORD));
  }

  beforeAll(async () => {
    hub = await new FakeHfHub([
      { id: 'org/tiny-GGUF', files: [{ path: 'tiny.Q4_K_M.gguf', size: 4_000_000 }] },
    ]).start();
    xllm = await new FakeXllmDownloads().start();
    ollama = await new FakeOllamaPull().start();
  });
  afterAll(async () => {
    fleet?.stop();
    await t?.cleanup();
    await node?.stop();
    await goneNode?.stop();
    await hub.stop();
    await xllm.stop();
    await ollama.stop();
  });

  it('keeps tasks and registered models across a restart; running ones resume', async () => {
    node = await new PullingNode('http://127.0.0.1:1', '').start();
    goneNode = await new PullingNode('http://127.0.0.1:1', '').start();
    node.auto = false;
    goneNode.auto = false;
    let admin = await boot();
    const nodeId = fleetNode.id;
    node.token = fleetNode.token;
    node.lbUrl = t.url;
    expect(
      (
        await admin.post('/v0/models/register', {
          repo: 'org/tiny-GGUF',
          filename: 'tiny.Q4_K_M.gguf',
        })
      ).status,
    ).toBe(201);

    const pull = await admin.post('/v0/models/download', {
      model: MODEL,
      target: 'specific',
      node_ids: [nodeId],
    });
    const pullId = pull.body.task_ids[0];
    const gone = await admin.post('/v0/models/download', {
      model: MODEL,
      target: 'specific',
      node_ids: [goneFleetNode.id],
    });
    const goneId = gone.body.task_ids[0];
    await waitFor(
      async () => (await admin.get(`/v0/tasks/${goneId}`)).body.status === 'in_progress',
      { what: 'pull sent' },
    );
    expect(
      (
        await node.report(pullId, {
          progress: 0.5,
          downloaded_bytes: 2_000_000,
          total_bytes: 4_000_000,
        })
      ).status,
    ).toBe(200);

    xllm.stepPct = 5; // 20 polls to finish: still running when the server stops
    const xd = await admin.post(`/v0/endpoints/${xllmId}/download`, {
      model: 'big',
      filename: 'big.gguf',
    });
    await waitFor(async () => (await admin.get(`/v0/tasks/${xd.body.id}`)).body.progress > 0, {
      what: 'xllm progress',
    });

    ollama.lineMs = 300; // slow stream: still running when the server stops
    const od = await admin.post(`/v0/endpoints/${ollamaId}/download`, { model: 'llama3.2:1b' });
    await waitFor(
      async () => (await admin.get(`/v0/tasks/${od.body.id}`)).body.status === 'in_progress',
      { what: 'ollama start' },
    );

    // filters
    const all = await admin.get('/v0/tasks');
    expect(all.body.total).toBe(4);
    expect(all.body.tasks[0].id).toBe(od.body.id); // newest first
    const page = await admin.get('/v0/tasks?limit=1');
    expect(page.body.tasks).toHaveLength(1);
    expect(page.body.total).toBe(4);
    expect(
      (await admin.get(`/v0/tasks?node_id=${nodeId}`)).body.tasks.map((x: any) => x.id),
    ).toEqual([pullId]);
    expect(
      (await admin.get(`/v0/tasks?endpoint_id=${xllmId}`)).body.tasks.map((x: any) => x.id),
    ).toEqual([xd.body.id]);
    expect((await admin.get('/v0/tasks?status=in_progress')).body.total).toBe(4);
    expect((await admin.get('/v0/tasks?status=completed')).body.total).toBe(0);
    expect((await admin.get('/v0/tasks?status=bogus')).status).toBe(400);
    expect((await admin.get('/v0/tasks?node_id=nope')).status).toBe(400);
    expect((await admin.get('/v0/tasks/not-a-uuid')).status).toBe(400);
    const unknown = await admin.get(`/v0/tasks/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('task_not_found');
    const key = await admin.post('/v0/api-keys', { name: 'tasks', permissions: ['tasks.read'] });
    const reader = api(t.url).as(key.body.key);
    expect((await reader.get('/v0/tasks')).status).toBe(200);
    expect((await reader.post(`/v0/tasks/${pullId}/cancel`)).status).toBe(403);

    fleet!.silence(goneFleetNode.id);
    await t.close();
    await deleteNodeRow(dataDir, goneFleetNode.id);
    const pollsAtStop = xllm.polls;
    const pullsAtStop = ollama.pulls.length;

    admin = await boot();
    node.lbUrl = t.url;
    const models = await admin.get('/v0/models');
    expect(models.body.models.map((m: any) => m.name)).toEqual([MODEL]);
    const kept = await admin.get(`/v0/tasks/${pullId}`);
    expect(kept.body).toMatchObject({
      status: 'in_progress',
      progress: 0.5,
      downloaded_bytes: 2_000_000,
    });

    // the node keeps reporting to the restarted server
    const fin = await node.report(pullId, {
      progress: 1,
      status: 'completed',
      downloaded_bytes: 4_000_000,
      total_bytes: 4_000_000,
    });
    expect(fin.status).toBe(200);
    expect(fin.body.status).toBe('completed');

    // xLLM polling resumes and finishes; the Ollama pull is restarted (Ollama resumes layers)
    await waitFor(() => xllm.polls > pollsAtStop, { what: 'xllm polling resumed' });
    ollama.lineMs = 20;
    await waitFor(() => ollama.pulls.length > pullsAtStop, { what: 'ollama pull restarted' });
    await waitFor(
      async () => (await admin.get(`/v0/tasks/${xd.body.id}`)).body.status === 'completed',
      {
        what: 'xllm completed after restart',
        timeoutMs: 15_000,
      },
    );
    await waitFor(
      async () => (await admin.get(`/v0/tasks/${od.body.id}`)).body.status === 'completed',
      {
        what: 'ollama completed after restart',
        timeoutMs: 15_000,
      },
    );
    // both completions re-synced their endpoint: the stored models gained the downloads
    await waitFor(
      async () =>
        (await fleet!.endpointModels(xllmId)).includes('big') &&
        (await fleet!.endpointModels(ollamaId)).includes('llama3.2:1b'),
      { what: 'syncs' },
    );
    // the node that finished its pull after the restart serves the model
    expect(await fleet!.nodeModels(nodeId)).toContain(MODEL);
    expect((await admin.get('/v0/tasks?status=completed')).body.total).toBe(3);
    // the pull of the node that disappeared fails once a node timeout has passed after boot
    await waitFor(async () => (await admin.get(`/v0/tasks/${goneId}`)).body.status === 'failed', {
      what: 'orphaned pull failed',
      timeoutMs: 8000,
    });
    expect((await admin.get(`/v0/tasks/${goneId}`)).body.error).toBe('node_removed');
  });
});
