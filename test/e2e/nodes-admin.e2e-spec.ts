import { api, login } from '../helpers/http';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { nodeBody, registerNode, sendHeartbeat } from '../helpers/nodes';

async function createKey(url: string, admin: string, permissions: string[]): Promise<string> {
  const res = await api(url)
    .as(admin)
    .post('/v0/api-keys', { name: `k-${permissions.join('-')}`, permissions });
  if (res.status !== 201) throw new Error(`key: ${res.status} ${res.text}`);
  return res.body.key;
}

describe('nodes admin API and permissions', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startApp({ LLMLB_NODE_REGISTRATION_RATE_LIMIT: '1000' });
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
  });
  afterAll(() => t.cleanup());

  it('lists nodes with ?status= filter and total; unknown status → 400', async () => {
    const a = await registerNode(t.url);
    const b = await registerNode(t.url);
    await api(t.url).as(admin).post(`/v0/nodes/${b.nodeId}/approve`);
    const all = (await api(t.url).as(admin).get('/v0/nodes')).body;
    expect(all.total).toBe(all.nodes.length);
    expect(all.nodes.map((n: { id: string }) => n.id)).toEqual(
      expect.arrayContaining([a.nodeId, b.nodeId]),
    );
    const pending = (await api(t.url).as(admin).get('/v0/nodes?status=pending')).body;
    expect(pending.nodes.every((n: { status: string }) => n.status === 'pending')).toBe(true);
    expect(pending.nodes.map((n: { id: string }) => n.id)).toContain(a.nodeId);
    expect(pending.nodes.map((n: { id: string }) => n.id)).not.toContain(b.nodeId);
    const online = (await api(t.url).as(admin).get('/v0/nodes?status=online')).body;
    expect(online.nodes.map((n: { id: string }) => n.id)).toEqual([b.nodeId]);
    const bad = await api(t.url).as(admin).get('/v0/nodes?status=sleeping');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('validation_failed');
    expect(bad.body.error.details[0].field).toBe('status');
  });

  it('returns exactly the spec fields, never the token or its hash', async () => {
    const n = await registerNode(t.url);
    const node = (await api(t.url).as(admin).get(`/v0/nodes/${n.nodeId}`)).body;
    expect(Object.keys(node).sort()).toEqual(
      [
        'id',
        'machine_name',
        'ip_address',
        'runtime_version',
        'runtime_port',
        'status',
        'gpu_available',
        'gpu_devices',
        'gpu_count',
        'gpu_model',
        'supported_runtimes',
        'pull_mode',
        'agent_version',
        'max_concurrency',
        'loaded_models',
        'loaded_embedding_models',
        'ready_models',
        'initializing',
        'cpu_usage',
        'memory_usage',
        'gpu_usage',
        'active_requests',
        'registered_at',
        'last_seen',
        'online_since',
        'custom_name',
        'tags',
        'notes',
      ].sort(),
    );
    expect(JSON.stringify(node)).not.toContain(n.token);
  });

  it('GET/DELETE of an unknown node → 404, a bad id → 400', async () => {
    const unknown = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
    expect((await api(t.url).as(admin).get(`/v0/nodes/${unknown}`)).body.error.code).toBe(
      'node_not_found',
    );
    expect((await api(t.url).as(admin).delete(`/v0/nodes/${unknown}`)).status).toBe(404);
    expect((await api(t.url).as(admin).get('/v0/nodes/not-a-uuid')).status).toBe(400);
  });

  it('settings: set and clear custom_name, tags, notes', async () => {
    const n = await registerNode(t.url);
    const set = await api(t.url)
      .as(admin)
      .put(`/v0/nodes/${n.nodeId}/settings`, {
        custom_name: 'Rack 7',
        tags: ['a100', 'tokyo'],
        notes: 'spare',
      });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({
      custom_name: 'Rack 7',
      tags: ['a100', 'tokyo'],
      notes: 'spare',
    });
    const partial = await api(t.url)
      .as(admin)
      .put(`/v0/nodes/${n.nodeId}/settings`, { notes: null });
    expect(partial.body).toMatchObject({
      custom_name: 'Rack 7',
      tags: ['a100', 'tokyo'],
      notes: null,
    });
    const cleared = await api(t.url)
      .as(admin)
      .put(`/v0/nodes/${n.nodeId}/settings`, { custom_name: null, tags: null });
    expect(cleared.body).toMatchObject({ custom_name: null, tags: [], notes: null });
    const bad = await api(t.url)
      .as(admin)
      .put(`/v0/nodes/${n.nodeId}/settings`, { tags: 'x', custom_name: '' });
    expect(bad.status).toBe(400);
    // survives re-registration
    await api(t.url).as(admin).put(`/v0/nodes/${n.nodeId}/settings`, { custom_name: 'kept' });
    const body = (await api(t.url).as(admin).get(`/v0/nodes/${n.nodeId}`)).body;
    await api(t.url).post(
      '/v0/nodes',
      nodeBody({ ip_address: body.ip_address, runtime_port: body.runtime_port }),
    );
    expect((await api(t.url).as(admin).get(`/v0/nodes/${n.nodeId}`)).body.custom_name).toBe('kept');
  });

  it('admin routes need credentials', async () => {
    const n = await registerNode(t.url);
    expect((await api(t.url).get('/v0/nodes')).status).toBe(401);
    expect((await api(t.url).post(`/v0/nodes/${n.nodeId}/approve`)).status).toBe(401);
    expect((await api(t.url).delete(`/v0/nodes/${n.nodeId}`)).status).toBe(401);
    // a node token is not an admin credential
    expect((await api(t.url).with({ 'x-node-token': n.token }).get('/v0/nodes')).status).toBe(401);
  });

  it('a key with nodes.read can list but not approve, delete or change settings', async () => {
    const key = await createKey(t.url, admin, ['nodes.read']);
    const n = await registerNode(t.url);
    expect((await api(t.url).as(key).get('/v0/nodes')).status).toBe(200);
    expect((await api(t.url).as(key).get(`/v0/nodes/${n.nodeId}`)).status).toBe(200);
    const approve = await api(t.url).as(key).post(`/v0/nodes/${n.nodeId}/approve`);
    expect(approve.status).toBe(403);
    expect(approve.body.error.code).toBe('forbidden');
    expect((await api(t.url).as(key).delete(`/v0/nodes/${n.nodeId}`)).status).toBe(403);
    expect(
      (await api(t.url).as(key).put(`/v0/nodes/${n.nodeId}/settings`, { notes: 'x' })).status,
    ).toBe(403);
  });

  it('a key with nodes.manage can approve and delete', async () => {
    const key = await createKey(t.url, admin, ['nodes.manage']);
    const n = await registerNode(t.url);
    expect(
      (await api(t.url).with({ 'x-api-key': key }).post(`/v0/nodes/${n.nodeId}/approve`)).status,
    ).toBe(200);
    expect((await api(t.url).as(key).delete(`/v0/nodes/${n.nodeId}`)).status).toBe(204);
  });

  it('a viewer JWT can read but not approve', async () => {
    const created = await api(t.url)
      .as(admin)
      .post('/v0/users', { username: 'viewer1', password: 'viewer-password', role: 'viewer' });
    expect(created.status).toBe(201);
    const viewer = await login(t.url, 'viewer1', 'viewer-password');
    const n = await registerNode(t.url);
    expect((await api(t.url).as(viewer).get('/v0/nodes')).status).toBe(200);
    expect((await api(t.url).as(viewer).post(`/v0/nodes/${n.nodeId}/approve`)).status).toBe(403);
    expect((await api(t.url).as(viewer).delete(`/v0/nodes/${n.nodeId}`)).status).toBe(403);
  });

  it('registration is public by default (no credentials needed)', async () => {
    expect((await api(t.url).post('/v0/nodes', nodeBody())).status).toBe(201);
  });

  it('heartbeat needs a node token, not a user credential', async () => {
    const res = await api(t.url).as(admin).post('/v0/health', { cpu_usage: 1, memory_usage: 1 });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('node_token_missing');
    const n = await registerNode(t.url);
    expect((await sendHeartbeat(t.url, n.token)).body.status).toBe('pending');
  });
});

describe('registration key required mode', () => {
  let t: TestApp;
  let admin: string;
  beforeAll(async () => {
    t = await startApp({ LLMLB_NODE_REGISTRATION_KEY_REQUIRED: 'true' });
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
  });
  afterAll(() => t.cleanup());

  it('needs a key with nodes.register', async () => {
    const anon = await api(t.url).post('/v0/nodes', nodeBody());
    expect(anon.status).toBe(401);
    const readKey = await createKey(t.url, admin, ['nodes.read']);
    const wrong = await api(t.url).as(readKey).post('/v0/nodes', nodeBody());
    expect(wrong.status).toBe(403);
    expect(wrong.body.error.code).toBe('forbidden');
    const regKey = await createKey(t.url, admin, ['nodes.register']);
    expect((await api(t.url).as(regKey).post('/v0/nodes', nodeBody())).status).toBe(201);
    // the GPU rule still applies to an authorised caller
    const noGpu = await api(t.url)
      .as(regKey)
      .post('/v0/nodes', nodeBody({ gpu_available: false }));
    expect(noGpu.status).toBe(403);
    expect(noGpu.body.error.code).toBe('gpu_required');
  });
});

describe('registration rate limit', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ LLMLB_NODE_REGISTRATION_RATE_LIMIT: '3' });
  });
  afterAll(() => t.cleanup());

  it('answers 429 rate_limited past the per-IP budget, counting refused attempts too', async () => {
    expect((await api(t.url).post('/v0/nodes', nodeBody())).status).toBe(201);
    expect((await api(t.url).post('/v0/nodes', nodeBody({ gpu_available: false }))).status).toBe(
      403,
    );
    expect((await api(t.url).post('/v0/nodes', nodeBody())).status).toBe(201);
    const limited = await api(t.url).post('/v0/nodes', nodeBody());
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ code: 'rate_limited', type: 'rate_limit_error' });
  });
});
