import { DataSource } from 'typeorm';
import { api, login } from '../helpers/http';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { nodeBody, registerNode, sendHeartbeat } from '../helpers/nodes';
import { FakeNodeRuntime, startFakeNodeRuntime } from '../fakes/node-runtime';

const GPU_MESSAGE = 'GPU hardware is required for node registration';

describe('POST /v0/nodes (registration)', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startApp();
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
  });
  afterAll(() => t.cleanup());

  const total = async () => (await api(t.url).as(admin).get('/v0/nodes')).body.total as number;

  describe('GPU rule → 403 gpu_required, nothing stored', () => {
    const device = { model: 'NVIDIA A100', count: 1 };
    const cases: [string, Record<string, unknown>][] = [
      ['gpu_available absent', { gpu_available: undefined }],
      ['gpu_available null', { gpu_available: null }],
      ['gpu_available false', { gpu_available: false }],
      ['gpu_devices absent', { gpu_devices: undefined }],
      ['gpu_devices null', { gpu_devices: null }],
      ['gpu_devices empty', { gpu_devices: [] }],
      ['device count 0', { gpu_devices: [{ model: 'NVIDIA A100', count: 0 }] }],
      ['device count absent', { gpu_devices: [{ model: 'NVIDIA A100' }] }],
      ['device model blank', { gpu_devices: [device, { model: '   ', count: 1 }] }],
      ['device model empty', { gpu_devices: [{ model: '', count: 1 }] }],
      ['device model absent', { gpu_devices: [{ count: 2 }] }],
      // The GPU rule runs before validation: a body that is also otherwise malformed is still 403.
      ['no GPU and a bad ip', { gpu_available: false, ip_address: 'not-an-ip' }],
    ];
    it.each(cases)('%s', async (_name, overrides) => {
      const body = nodeBody(overrides);
      for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete body[k];
      const res = await api(t.url).post('/v0/nodes', body);
      expect(res.status).toBe(403);
      expect(res.body.error).toMatchObject({
        code: 'gpu_required',
        type: 'permission_error',
        message: GPU_MESSAGE,
      });
      expect(await total()).toBe(0);
    });

    it('left no row in the database either', async () => {
      expect(await t.app.get(DataSource).query('SELECT COUNT(*) AS c FROM nodes')).toEqual([
        { c: 0 },
      ]);
    });
  });

  describe('other malformed input → 400 validation_failed with details', () => {
    const cases: [string, Record<string, unknown>, string][] = [
      ['bad ip', { ip_address: '10.0.0.300' }, 'ip_address'],
      ['hostname instead of ip', { ip_address: 'gpu-01.local' }, 'ip_address'],
      ['port 0', { runtime_port: 0 }, 'runtime_port'],
      ['port 65536', { runtime_port: 65536 }, 'runtime_port'],
      ['port as string', { runtime_port: '8080' }, 'runtime_port'],
      ['machine_name empty', { machine_name: '' }, 'machine_name'],
      ['machine_name too long', { machine_name: 'x'.repeat(256) }, 'machine_name'],
      ['runtime_version too long', { runtime_version: 'v'.repeat(65) }, 'runtime_version'],
      ['runtime_version missing', { runtime_version: undefined }, 'runtime_version'],
      ['gpu_available a string', { gpu_available: 'yes' }, 'gpu_available'],
      ['gpu_devices not an array', { gpu_devices: 'RTX' }, 'gpu_devices'],
      [
        'negative memory_bytes',
        { gpu_devices: [{ model: 'A100', count: 1, memory_bytes: -1 }] },
        'gpu_devices.0.memory_bytes',
      ],
      [
        'too many devices',
        { gpu_devices: Array.from({ length: 65 }, () => ({ model: 'A100', count: 1 })) },
        'gpu_devices',
      ],
      ['unknown field', { system_info: { os: 'Linux' } }, 'system_info'],
      ['gpu_count 0', { gpu_count: 0 }, 'gpu_count'],
    ];
    it.each(cases)('%s', async (_name, overrides, field) => {
      const body = nodeBody(overrides);
      for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete body[k];
      const res = await api(t.url).post('/v0/nodes', body);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details.map((d: { field: string }) => d.field)).toContain(field);
      expect(await total()).toBe(0);
    });
  });

  it('registers (201), updates on the same address (200) and rotates the token', async () => {
    const body = nodeBody({
      gpu_devices: [
        { model: 'NVIDIA L4', count: 1 },
        { model: 'NVIDIA L4', count: 3 },
      ],
    });
    const first = await api(t.url).post('/v0/nodes', body);
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      node_id: expect.any(String),
      status: 'registered',
      node_token: expect.any(String),
    });
    expect(first.body.node_token).toMatch(/^nt_[0-9A-Za-z]{40}$/);
    const id = first.body.node_id;

    const node = (await api(t.url).as(admin).get(`/v0/nodes/${id}`)).body;
    expect(node).toMatchObject({
      id,
      status: 'pending',
      gpu_available: true,
      gpu_count: 4,
      gpu_model: 'NVIDIA L4',
      machine_name: body.machine_name,
      runtime_port: body.runtime_port,
    });
    expect(JSON.stringify(node)).not.toMatch(/token|hash/i);

    // heartbeat works with the first token
    expect((await sendHeartbeat(t.url, first.body.node_token)).status).toBe(200);

    const second = await api(t.url).post('/v0/nodes', {
      ...body,
      machine_name: 'renamed',
      runtime_version: '0.5.0',
    });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ node_id: id, status: 'updated' });
    expect(second.body.node_token).not.toBe(first.body.node_token);

    const old = await sendHeartbeat(t.url, first.body.node_token);
    expect(old.status).toBe(401);
    expect(old.body.error.code).toBe('node_token_invalid');
    expect((await sendHeartbeat(t.url, second.body.node_token)).status).toBe(200);

    const list = (await api(t.url).as(admin).get('/v0/nodes')).body;
    expect(list.nodes.filter((n: { id: string }) => n.id === id)).toHaveLength(1);
    expect(list.nodes.find((n: { id: string }) => n.id === id)).toMatchObject({
      machine_name: 'renamed',
      runtime_version: '0.5.0',
    });
    await api(t.url).as(admin).delete(`/v0/nodes/${id}`);
  });

  it('concurrent registrations of one address make one node (one 201, the rest 200)', async () => {
    const body = nodeBody();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => api(t.url).post('/v0/nodes', body)),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 201]);
    expect(new Set(results.map((r) => r.body.node_id)).size).toBe(1);
    // only the last token issued works
    const tokens = results.map((r) => r.body.node_token as string);
    const ok = await Promise.all(tokens.map((tok) => sendHeartbeat(t.url, tok)));
    expect(ok.filter((r) => r.status === 200)).toHaveLength(1);
    await api(t.url).as(admin).delete(`/v0/nodes/${results[0].body.node_id}`);
  });

  it('re-registration with the node token keeps the approval; a nodes.manage key resets it', async () => {
    const body = nodeBody();
    const { nodeId, token } = await registerNode(t.url, body);
    expect((await api(t.url).as(admin).post(`/v0/nodes/${nodeId}/approve`)).body.status).toBe(
      'online',
    );
    // token-proven: back through registering, online again on a ready heartbeat, no admin needed
    const again = await api(t.url).with({ 'x-node-token': token }).post('/v0/nodes', body);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ node_id: nodeId, status: 'updated' });
    expect((await api(t.url).as(admin).get(`/v0/nodes/${nodeId}`)).body.status).toBe('registering');
    expect((await sendHeartbeat(t.url, token)).status).toBe(401);
    const hb = await sendHeartbeat(t.url, again.body.node_token, { ready_models: [1, 1] });
    expect(hb.body.status).toBe('online');

    // an admin (nodes.manage) may re-register it too, and then it waits for approval again
    const byAdmin = await api(t.url).as(admin).post('/v0/nodes', body);
    expect(byAdmin.status).toBe(200);
    expect((await api(t.url).as(admin).get(`/v0/nodes/${nodeId}`)).body.status).toBe('pending');
    await api(t.url).as(admin).delete(`/v0/nodes/${nodeId}`);
  });

  it('documents the node routes in the OpenAPI document', async () => {
    const doc = (await api(t.url).get('/api/openapi.json')).body;
    const register = doc.paths['/v0/nodes'].post;
    expect(register.responses['403'].description).toContain('gpu_required');
    expect(Object.keys(register.responses)).toEqual(
      expect.arrayContaining(['200', '201', '400', '401', '403', '429', '502']),
    );
    const health = doc.paths['/v0/health'].post;
    expect(health.security).toEqual([{ node_token: [] }]);
    expect(health.responses['403'].description).toContain('node_token_mismatch');
    expect(doc.paths['/v0/nodes/{id}/approve'].post.responses['409']).toBeDefined();
  });

  it('accepts IPv6 addresses, one node per address however it is written', async () => {
    // Registered by an admin (any allowed address); anonymous callers may only register their own.
    const body = nodeBody({ ip_address: '2001:DB8:0:0:0:0:0:1' });
    const res = await api(t.url).as(admin).post('/v0/nodes', body);
    expect(res.status).toBe(201);
    expect((await api(t.url).as(admin).get(`/v0/nodes/${res.body.node_id}`)).body.ip_address).toBe(
      '2001:db8::1',
    );
    const again = await api(t.url)
      .as(admin)
      .post('/v0/nodes', { ...body, ip_address: '2001:db8::1' });
    expect(again.status).toBe(200);
    expect(again.body.node_id).toBe(res.body.node_id);
    await api(t.url).as(admin).delete(`/v0/nodes/${res.body.node_id}`);
  });
});

describe('POST /v0/nodes reachability check', () => {
  let t: TestApp;
  let runtime: FakeNodeRuntime;
  let admin: string;

  beforeAll(async () => {
    runtime = await startFakeNodeRuntime(['llama-3.1-8b-instruct']);
    t = await startApp({ LLMLB_NODE_REACHABILITY_CHECK: 'true' });
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await t.cleanup();
    await runtime.stop();
  });

  it('registers a node whose runtime answers GET /v1/models', async () => {
    const res = await api(t.url).post(
      '/v0/nodes',
      nodeBody({ ip_address: '127.0.0.1', runtime_port: runtime.port }),
    );
    expect(res.status).toBe(201);
    expect(runtime.requests.some((r) => r.method === 'GET' && r.path === '/v1/models')).toBe(true);
  });

  it('answers 502 node_unreachable for a closed port and stores nothing', async () => {
    const closed = await startFakeNodeRuntime();
    const port = closed.port;
    await closed.stop();
    const before = (await api(t.url).as(admin).get('/v0/nodes')).body.total;
    const res = await api(t.url).post(
      '/v0/nodes',
      nodeBody({ ip_address: '127.0.0.1', runtime_port: port }),
    );
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('node_unreachable');
    expect((await api(t.url).as(admin).get('/v0/nodes')).body.total).toBe(before);
  });

  it('answers 502 when the runtime answers non-2xx', async () => {
    runtime.mode = 'error';
    try {
      const res = await api(t.url).post(
        '/v0/nodes',
        nodeBody({ ip_address: '127.0.0.1', runtime_port: runtime.port, machine_name: 'x' }),
      );
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('node_unreachable');
    } finally {
      runtime.mode = 'ok';
    }
  });
});
