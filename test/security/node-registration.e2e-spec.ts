import { createKey } from '../helpers/backends';
import { api, login } from '../helpers/http';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { approveNode, nodeBody, registerNode, sendHeartbeat } from '../helpers/nodes';

/**
 * Attacks on `POST /v0/nodes`, the one public write (issue 10 §1, spec §4.1 and §13). Each test
 * reproduces an attack that worked before the fix. The test client calls from 127.0.0.1, which
 * LLMLB_NODE_ALLOWED_NETWORKS (127.0.0.0/8 in tests) lets register as a node.
 */
describe('security: node hijack through re-registration', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startApp();
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
  });
  afterAll(() => t.cleanup());

  const node = async (id: string) => (await api(t.url).as(admin).get(`/v0/nodes/${id}`)).body;

  async function approvedOnlineNode() {
    const body = nodeBody({ machine_name: 'real-node' });
    const n = await registerNode(t.url, body);
    await approveNode(t.url, n.nodeId, admin);
    expect((await node(n.nodeId)).status).toBe('online');
    return { ...n, body };
  }

  it('an anonymous caller cannot take over an approved node (409 node_exists, node untouched)', async () => {
    const real = await approvedOnlineNode();
    const attack = await api(t.url).post('/v0/nodes', {
      ...real.body,
      machine_name: 'evil',
      gpu_devices: [{ model: 'Evil GPU', count: 8 }],
    });
    expect(attack.status).toBe(409);
    expect(attack.body.error.code).toBe('node_exists');
    expect(attack.body.node_token).toBeUndefined();
    expect(await node(real.nodeId)).toMatchObject({
      status: 'online',
      machine_name: 'real-node',
      gpu_model: 'NVIDIA RTX 4090',
    });
    // the real node's token still works
    expect((await sendHeartbeat(t.url, real.token)).body.status).toBe('online');
  });

  it('a wrong X-Node-Token or a key with only nodes.register does not help', async () => {
    const real = await approvedOnlineNode();
    const wrong = await api(t.url)
      .with({ 'x-node-token': `nt_${'x'.repeat(40)}` })
      .post('/v0/nodes', { ...real.body, machine_name: 'evil' });
    expect(wrong.status).toBe(409);
    expect(wrong.body.error.code).toBe('node_exists');
    const registerOnly = await createKey(t, admin, ['nodes.register']);
    const withKey = await api(t.url)
      .as(registerOnly)
      .post('/v0/nodes', { ...real.body, machine_name: 'evil' });
    expect(withKey.status).toBe(409);
    expect((await node(real.nodeId)).machine_name).toBe('real-node');
    expect((await sendHeartbeat(t.url, real.token)).status).toBe(200);
  });

  it('the node itself re-registers with its token and keeps its approval (no admin needed)', async () => {
    const real = await approvedOnlineNode();
    const again = await api(t.url)
      .with({ 'x-node-token': real.token })
      .post('/v0/nodes', { ...real.body, runtime_version: '0.5.0' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ node_id: real.nodeId, status: 'updated' });
    expect(await node(real.nodeId)).toMatchObject({
      status: 'registering',
      runtime_version: '0.5.0',
    });
    // the token is rotated
    expect((await sendHeartbeat(t.url, real.token)).status).toBe(401);
    const hb = await sendHeartbeat(t.url, again.body.node_token, { ready_models: [2, 2] });
    expect(hb.body.status).toBe('online');
  });

  it('a nodes.manage key may re-register a node; it then waits for approval again', async () => {
    const real = await approvedOnlineNode();
    const manage = await createKey(t, admin, ['nodes.manage']);
    const res = await api(t.url).as(manage).post('/v0/nodes', real.body);
    expect(res.status).toBe(200);
    expect((await node(real.nodeId)).status).toBe('pending');
    expect((await sendHeartbeat(t.url, real.token)).status).toBe(401);
  });

  it('a pending node may re-register anonymously from its own address, not from another', async () => {
    const t2 = await startApp({ LLMLB_TRUST_PROXY: '127.0.0.1' });
    try {
      const from = (ip: string) => api(t2.url).with({ 'x-forwarded-for': ip });
      const body = nodeBody({ ip_address: '10.9.0.7' });
      const first = await from('10.9.0.7').post('/v0/nodes', body);
      expect(first.status).toBe(201);
      const again = await from('10.9.0.7').post('/v0/nodes', { ...body, machine_name: 'renamed' });
      expect(again.status).toBe(200);
      // another caller with a registration key (any address) still cannot touch it
      const admin2 = await login(t2.url, 'admin', ADMIN_PASSWORD);
      const key = await createKey(t2, admin2, ['nodes.register']);
      const other = await from('10.9.0.8').as(key).post('/v0/nodes', body);
      expect(other.status).toBe(409);
      expect(other.body.error.code).toBe('node_exists');
      expect((await sendHeartbeat(t2.url, again.body.node_token)).status).toBe(200);
    } finally {
      await t2.cleanup();
    }
  });
});

describe('security: anonymous registration binds to the caller', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startApp({ LLMLB_TRUST_PROXY: '127.0.0.1' });
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
  });
  afterAll(() => t.cleanup());

  const total = async () => (await api(t.url).as(admin).get('/v0/nodes')).body.total as number;

  it('an anonymous caller cannot register another address (403 address_mismatch)', async () => {
    const before = await total();
    const res = await api(t.url)
      .with({ 'x-forwarded-for': '10.0.0.9' })
      .post('/v0/nodes', nodeBody({ ip_address: '10.0.0.5' }));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('address_mismatch');
    expect(await total()).toBe(before);
  });

  it('the source address counts in any spelling (IPv4-mapped equals IPv4)', async () => {
    const res = await api(t.url)
      .with({ 'x-forwarded-for': '10.0.0.6' })
      .post('/v0/nodes', nodeBody({ ip_address: '::ffff:10.0.0.6' }));
    expect(res.status).toBe(201);
    expect((await api(t.url).as(admin).get(`/v0/nodes/${res.body.node_id}`)).body.ip_address).toBe(
      '10.0.0.6',
    );
  });

  it('a key with nodes.register may register any allowed address', async () => {
    const key = await createKey(t, admin, ['nodes.register']);
    const res = await api(t.url)
      .as(key)
      .with({ 'x-forwarded-for': '10.0.0.9' })
      .post('/v0/nodes', nodeBody({ ip_address: '10.0.0.77' }));
    expect(res.status).toBe(201);
  });

  it('a key without nodes.register is bound like an anonymous caller; a bad key is 401', async () => {
    const key = await createKey(t, admin, ['nodes.read']);
    const res = await api(t.url)
      .as(key)
      .with({ 'x-forwarded-for': '10.0.0.9' })
      .post('/v0/nodes', nodeBody({ ip_address: '10.0.0.78' }));
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('address_mismatch');
    const bad = await api(t.url)
      .as(`sk_${'x'.repeat(40)}`)
      .post('/v0/nodes', nodeBody({ ip_address: '127.0.0.1' }));
    expect(bad.status).toBe(401);
  });
});
