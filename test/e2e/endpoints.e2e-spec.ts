import { api, login } from '../helpers/http';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { closeAll, FakeKind, FakeLlmServer, startFakes } from '../fakes/llm-server';

describe('endpoints: registration, detection, listing', () => {
  let t: TestApp;
  let token: string;
  const fakes: FakeLlmServer[] = [];
  const admin = () => api(t.url).as(token);

  beforeAll(async () => {
    t = await startApp();
    token = await login(t.url, 'admin', ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await t.cleanup();
    await closeAll(fakes);
  });

  async function fake(kind: FakeKind, opts = {}): Promise<FakeLlmServer> {
    const [f] = await startFakes([kind], opts);
    fakes.push(f);
    return f;
  }

  it.each<[FakeKind]>([
    ['xllm'],
    ['lm_studio'],
    ['ollama'],
    ['vllm'],
    ['llama_cpp'],
    ['openai_compatible'],
  ])('detects %s and is online with its models when POST returns', async (kind) => {
    const f = await fake(kind);
    const res = await admin().post('/v0/endpoints', { name: `ep-${kind}`, base_url: f.url });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: `ep-${kind}`,
      base_url: f.url,
      endpoint_type: kind,
      type_source: 'detected',
      status: 'online',
      enabled: true,
      priority: 50,
      health_check_interval_secs: 30,
      inference_timeout_secs: 120,
      consecutive_failures: 0,
      last_error: null,
      has_api_key: false,
      model_count: f.models.length,
    });
    expect(res.body.latency_ms).toEqual(expect.any(Number));
    expect(res.body.models.map((m: any) => m.id).sort()).toEqual(f.models.map((m) => m.id).sort());
    expect(res.body).not.toHaveProperty('api_key');
  });
});
