import { RoutingTable } from '../../src/routing/routing-table.service';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { api, login } from '../helpers/http';
import { approveNode, registerNode, sendHeartbeat } from '../helpers/nodes';
import { closeAll, FakeLlmServer, startFakes } from '../fakes/llm-server';

describe('scheduling: where backend slots come from', () => {
  let t: TestApp;
  let admin: string;
  const fakes: FakeLlmServer[] = [];
  const table = () => t.app.get(RoutingTable);

  beforeAll(async () => {
    t = await startApp();
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await t.cleanup();
    await closeAll(fakes);
  });

  it('reads llama.cpp total_slots; max_concurrency overrides it; null returns to automatic', async () => {
    const [f] = await startFakes(['llama_cpp'], { totalSlots: 3 });
    fakes.push(f);
    const created = await api(t.url)
      .as(admin)
      .post('/v0/endpoints', { name: 'llama', base_url: f.url });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      endpoint_type: 'llama_cpp',
      status: 'online',
      max_concurrency: null,
      detected_max_concurrency: 3,
      effective_max_concurrency: 3,
    });
    const id = created.body.id as string;
    expect(table().get(id)!.maxConcurrency).toBe(3);

    const set = await api(t.url).as(admin).put(`/v0/endpoints/${id}`, { max_concurrency: 8 });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ max_concurrency: 8, effective_max_concurrency: 8 });
    expect(table().get(id)!.maxConcurrency).toBe(8);

    f.totalSlots = 2;
    const synced = await api(t.url).as(admin).post(`/v0/endpoints/${id}/sync`);
    expect(synced.status).toBe(200);
    const auto = await api(t.url).as(admin).put(`/v0/endpoints/${id}`, { max_concurrency: null });
    expect(auto.body).toMatchObject({
      max_concurrency: null,
      detected_max_concurrency: 2,
      effective_max_concurrency: 2,
    });
    expect(table().get(id)!.maxConcurrency).toBe(2);
  });

  it('validates max_concurrency (1–100000 or null)', async () => {
    for (const bad of [0, 100001, 1.5, 'four']) {
      const r = await api(t.url)
        .as(admin)
        .post('/v0/endpoints', {
          name: `bad-${String(bad)}`,
          base_url: 'http://127.0.0.1:9',
          max_concurrency: bad,
        });
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
    }
    const other = await api(t.url).as(admin).post('/v0/endpoints', {
      name: 'plain',
      base_url: 'http://127.0.0.1:9',
      endpoint_type: 'vllm',
      max_concurrency: 4,
    });
    expect(other.status).toBe(201);
    expect(other.body.effective_max_concurrency).toBe(4);
    expect(table().get(other.body.id)!.maxConcurrency).toBe(4);
  });

  it('takes a node max_concurrency from its registration and then its heartbeats', async () => {
    const n = await registerNode(t.url, { max_concurrency: 4 });
    await approveNode(t.url, n.nodeId, admin);
    await sendHeartbeat(t.url, n.token, { loaded_models: ['node-model'] });
    expect(table().get(n.nodeId)!.maxConcurrency).toBe(4);
    const hb = await sendHeartbeat(t.url, n.token, { max_concurrency: 6 });
    expect(hb.status).toBe(200);
    expect(table().get(n.nodeId)!.maxConcurrency).toBe(6);
    const node = await api(t.url).as(admin).get(`/v0/nodes/${n.nodeId}`);
    expect(node.body.max_concurrency).toBe(6);
    const bad = await sendHeartbeat(t.url, n.token, { max_concurrency: 0 });
    expect(bad.status).toBe(400);
  });
});
