import { DataSource } from 'typeorm';
import { RoutingTable } from '../../src/routing/routing-table.service';
import { NodesService } from '../../src/nodes/nodes.service';
import type { NodeHeartbeatEvent } from '../../src/nodes/node-info';
import { api, login, waitFor } from '../helpers/http';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { nodeBody, registerNode, sendHeartbeat } from '../helpers/nodes';

describe('POST /v0/health (heartbeats) and the node state machine', () => {
  let t: TestApp;
  let admin: string;
  const transitions: [string, string | null, string][] = [];
  const heartbeats: NodeHeartbeatEvent[] = [];

  beforeAll(async () => {
    // Short timeouts keep the offline tests quick; 2 s leaves room for a loaded CI machine.
    t = await startApp({ LLMLB_NODE_TIMEOUT_SECS: '2', LLMLB_NODE_MONITOR_INTERVAL_SECS: '1' });
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
    const nodes = t.app.get(NodesService);
    nodes.onStatusChange((id, from, to) => transitions.push([id, from, to]));
    nodes.onHeartbeat((e) => heartbeats.push(e));
  });
  afterAll(() => t.cleanup());

  const getNode = async (id: string) => (await api(t.url).as(admin).get(`/v0/nodes/${id}`)).body;
  const approve = (id: string) => api(t.url).as(admin).post(`/v0/nodes/${id}/approve`);

  it('401 node_token_missing without a token, 401 node_token_invalid with an unknown one', async () => {
    const missing = await api(t.url).post('/v0/health', { cpu_usage: 1, memory_usage: 1 });
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('node_token_missing');
    const unknown = await sendHeartbeat(t.url, 'nt_' + 'x'.repeat(40));
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.code).toBe('node_token_invalid');
  });

  it('identifies the node by its token: another node_id is 403 node_token_mismatch', async () => {
    const a = await registerNode(t.url);
    const b = await registerNode(t.url);
    const res = await sendHeartbeat(t.url, a.token, { node_id: b.nodeId });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('node_token_mismatch');
    const own = await sendHeartbeat(t.url, a.token, { node_id: a.nodeId.toUpperCase() });
    expect(own.status).toBe(200);
  });

  it('validates the heartbeat body', async () => {
    const a = await registerNode(t.url);
    const res = await sendHeartbeat(t.url, a.token, {
      cpu_usage: 101,
      ready_models: [1],
      tasks: [{ task_id: 'x', progress: 2 }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    const fields = res.body.error.details.map((d: { field: string }) => d.field);
    expect(fields).toEqual(
      expect.arrayContaining(['cpu_usage', 'ready_models', 'tasks.0.task_id', 'tasks.0.progress']),
    );
  });

  it('pending stays pending on heartbeats but metrics and models are stored', async () => {
    const n = await registerNode(t.url);
    const res = await sendHeartbeat(t.url, n.token, {
      cpu_usage: 33,
      memory_usage: 44,
      gpu_usage: 55,
      active_requests: 2,
      loaded_models: ['m1'],
      loaded_embedding_models: ['e1'],
      ready_models: [1, 1],
      initializing: false,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'pending', tasks: [] });
    const node = await getNode(n.nodeId);
    expect(node).toMatchObject({
      status: 'pending',
      cpu_usage: 33,
      memory_usage: 44,
      gpu_usage: 55,
      active_requests: 2,
      loaded_models: ['m1'],
      loaded_embedding_models: ['e1'],
      ready_models: [1, 1],
      initializing: false,
      online_since: null,
    });
    expect(node.last_seen).not.toBeNull();
  });

  it('approve → online when ready (or no ready_models), online_since set', async () => {
    const n = await registerNode(t.url);
    const res = await approve(n.nodeId);
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('online');
    expect(res.body.online_since).not.toBeNull();
    expect(transitions).toContainEqual([n.nodeId, 'pending', 'online']);
  });

  it('approve → registering when models are not ready; then online on a ready, initialized heartbeat', async () => {
    const n = await registerNode(t.url);
    await sendHeartbeat(t.url, n.token, { ready_models: [0, 2], initializing: true });
    expect((await approve(n.nodeId)).body.status).toBe('registering');
    // ready but still initializing: stays registering
    expect(
      (await sendHeartbeat(t.url, n.token, { ready_models: [2, 2], initializing: true })).body
        .status,
    ).toBe('registering');
    // not all models ready: stays registering
    expect((await sendHeartbeat(t.url, n.token, { ready_models: [1, 2] })).body.status).toBe(
      'registering',
    );
    expect(
      (await sendHeartbeat(t.url, n.token, { ready_models: [2, 2], initializing: false })).body
        .status,
    ).toBe('online');
    expect((await getNode(n.nodeId)).status).toBe('online');
  });

  it('approve of a non-pending node is 409 node_not_pending; unknown node 404', async () => {
    const n = await registerNode(t.url);
    await approve(n.nodeId);
    const again = await approve(n.nodeId);
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('node_not_pending');
    const unknown = await approve('3f2504e0-4f89-41d3-9a0c-0305e82c3301');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('node_not_found');
  });

  it('online → offline after the timeout; offline → registering → online on heartbeats', async () => {
    const n = await registerNode(t.url);
    await approve(n.nodeId);
    await waitFor(async () => (await getNode(n.nodeId)).status === 'offline', {
      timeoutMs: 8000,
      what: 'offline',
    });
    expect(transitions).toContainEqual([n.nodeId, 'online', 'offline']);
    expect((await getNode(n.nodeId)).online_since).toBeNull();
    expect((await sendHeartbeat(t.url, n.token, { ready_models: [1, 1] })).body.status).toBe(
      'registering',
    );
    expect((await sendHeartbeat(t.url, n.token, { ready_models: [1, 1] })).body.status).toBe(
      'online',
    );
    expect(transitions).toContainEqual([n.nodeId, 'offline', 'registering']);
    expect(transitions).toContainEqual([n.nodeId, 'registering', 'online']);
  });

  it('registering → offline after the timeout; pending never times out', async () => {
    const reg = await registerNode(t.url);
    await sendHeartbeat(t.url, reg.token, { ready_models: [0, 1] });
    expect((await approve(reg.nodeId)).body.status).toBe('registering');
    const pending = await registerNode(t.url);
    await waitFor(async () => (await getNode(reg.nodeId)).status === 'offline', {
      timeoutMs: 8000,
      what: 'offline',
    });
    expect((await getNode(pending.nodeId)).status).toBe('pending');
  });

  it('keeps an online node online while it keeps sending heartbeats', async () => {
    const n = await registerNode(t.url);
    await approve(n.nodeId);
    // 3.5 s of heartbeats every 350 ms, well past the 2 s timeout
    for (let i = 0; i < 10; i++) {
      expect((await sendHeartbeat(t.url, n.token)).body.status).toBe('online');
      await new Promise((r) => setTimeout(r, 350));
    }
  });

  it('hands reported download tasks to heartbeat listeners', async () => {
    const n = await registerNode(t.url);
    const task = {
      task_id: '9b2f6a8e-4d7c-4b1a-9e3f-2c5d8a7b6e10',
      progress: 0.5,
      downloaded_bytes: 5,
      total_bytes: 10,
      speed_bps: 1.5,
      status: 'downloading',
    };
    expect((await sendHeartbeat(t.url, n.token, { tasks: [task] })).status).toBe(200);
    const event = heartbeats.find((e) => e.nodeId === n.nodeId && e.tasks.length === 1);
    expect(event).toBeDefined();
    expect(event!.tasks[0]).toMatchObject(task);
    expect(event!.status).toBe('pending');
  });

  it('feeds the routing table: online nodes with their models, pending absent, offline not online', async () => {
    const routing = t.app.get(RoutingTable);
    const n = await registerNode(t.url, { machine_name: 'router-feed' });
    await sendHeartbeat(t.url, n.token, {
      loaded_models: ['feed-model'],
      loaded_embedding_models: ['feed-embed'],
    });
    // a pending node is inert: not in the routing table at all (spec §4.1)
    expect(routing.get(n.nodeId)).toBeUndefined();
    expect(routing.onlineFor('feed-model')).toEqual([]);
    expect(routing.backendsFor('feed-model')).toEqual([]);

    await approve(n.nodeId);
    expect(routing.get(n.nodeId)).toMatchObject({ kind: 'node', backendType: 'xllm' });
    const online = routing.onlineFor('feed-model');
    expect(online.map((b) => b.id)).toEqual([n.nodeId]);
    expect(online[0]).toMatchObject({
      name: 'router-feed',
      baseUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      apiKey: null,
      priority: 50,
      inferenceTimeoutMs: 120000,
      latencyMs: null,
    });
    expect(routing.onlineFor('feed-embed').map((b) => b.id)).toEqual([n.nodeId]);

    // settings rename the backend
    await api(t.url).as(admin).put(`/v0/nodes/${n.nodeId}/settings`, { custom_name: 'Rack A' });
    expect(routing.get(n.nodeId)!.name).toBe('Rack A');

    // a model pulled by the downloads module appears at once
    expect(t.app.get(NodesService).addLoadedModel(n.nodeId, 'pulled-model')).toBe(true);
    expect(routing.onlineFor('pulled-model').map((b) => b.id)).toEqual([n.nodeId]);
    expect((await getNode(n.nodeId)).loaded_models).toEqual(['feed-model', 'pulled-model']);

    await waitFor(() => routing.get(n.nodeId)?.online === false, {
      timeoutMs: 8000,
      what: 'offline in routing',
    });
    expect(routing.onlineFor('feed-model')).toEqual([]);

    await api(t.url).as(admin).delete(`/v0/nodes/${n.nodeId}`);
    expect(routing.get(n.nodeId)).toBeUndefined();
  });

  it('IPv6 nodes get a bracketed base URL', async () => {
    const body = nodeBody({ ip_address: '2001:db8::1' });
    const res = await api(t.url).as(admin).post('/v0/nodes', body);
    expect(t.app.get(NodesService).getNode(res.body.node_id)!.baseUrl).toMatch(
      /^http:\/\/\[2001:db8::1\]:\d+$/,
    );
  });

  it('delete revokes the token at once', async () => {
    const n = await registerNode(t.url);
    expect((await sendHeartbeat(t.url, n.token)).status).toBe(200);
    const del = await api(t.url).as(admin).delete(`/v0/nodes/${n.nodeId}`);
    expect(del.status).toBe(204);
    const res = await sendHeartbeat(t.url, n.token);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('node_token_invalid');
    expect((await api(t.url).as(admin).get(`/v0/nodes/${n.nodeId}`)).status).toBe(404);
    expect(transitions).toContainEqual([n.nodeId, 'pending', 'deleted']);
  });

  it('persists heartbeat figures (flushed within a second) and status across a restart', async () => {
    const n = await registerNode(t.url);
    await sendHeartbeat(t.url, n.token, { cpu_usage: 77, loaded_models: ['persisted'] });
    await approve(n.nodeId);
    // the batch writer stores heartbeat figures within about a second, without a shutdown
    const ds = t.app.get(DataSource);
    await waitFor(
      async () => {
        const rows: { cpu_usage: number }[] = await ds.query(
          'SELECT cpu_usage FROM nodes WHERE id = ?',
          [n.nodeId],
        );
        return rows[0]?.cpu_usage === 77;
      },
      { timeoutMs: 3000, what: 'heartbeat flushed' },
    );
    await sendHeartbeat(t.url, n.token, { cpu_usage: 78, loaded_models: ['persisted'] });
    // the last figures are written on shutdown
    await t.close();
    const again = await startApp({}, t.dataDir);
    try {
      const jwt = await login(again.url, 'admin', ADMIN_PASSWORD);
      const node = (await api(again.url).as(jwt).get(`/v0/nodes/${n.nodeId}`)).body;
      expect(node).toMatchObject({ cpu_usage: 78, loaded_models: ['persisted'] });
      expect(Math.abs(Date.parse(node.last_seen) - Date.now())).toBeLessThan(60_000);
      expect(['online', 'offline']).toContain(node.status);
      // the token survives the restart
      expect((await sendHeartbeat(again.url, n.token)).status).toBe(200);
    } finally {
      await again.close();
    }
  });
});
