import { closeAll, FakeLlmServer, sendJson, startFakes } from '../fakes/llm-server';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { api, login } from '../helpers/http';

/**
 * Spec §13: changing an endpoint's scheme, host or port drops its stored key unless a new one
 * comes in the same request; the probes of the update use what will be saved.
 */
describe('security: endpoint keys follow the server they were given for', () => {
  const KEY = 'sk-old-backend-secret-1234';
  let t: TestApp;
  let token: string;
  const fakes: FakeLlmServer[] = [];
  const admin = () => api(t.url).as(token);
  let n = 0;

  beforeAll(async () => {
    t = await startApp();
    token = await login(t.url, 'admin', ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await t.cleanup();
    await closeAll(fakes);
  });

  async function fake(opts: { apiKey?: string } = {}): Promise<FakeLlmServer> {
    const [f] = await startFakes(['vllm'], opts);
    fakes.push(f);
    return f;
  }

  async function register(): Promise<{ id: string; old: FakeLlmServer }> {
    const old = await fake({ apiKey: KEY });
    const res = await admin().post('/v0/endpoints', {
      name: `sec-${++n}`,
      base_url: old.url,
      api_key: KEY,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ status: 'online', has_api_key: true });
    return { id: res.body.id as string, old };
  }

  const sawKey = (f: FakeLlmServer) =>
    f.requests.some((r) => JSON.stringify(r.headers).includes(KEY));

  it('a new host never sees the old key, and the stored key is dropped', async () => {
    const { id, old } = await register();
    const attacker = await fake();
    const res = await admin().put(`/v0/endpoints/${id}`, { base_url: attacker.url });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ base_url: attacker.url, has_api_key: false });
    expect(attacker.requests.length).toBeGreaterThan(0);
    expect(sawKey(attacker)).toBe(false);
    expect(attacker.requests.every((r) => r.headers.authorization === undefined)).toBe(true);
    // Moving back does not resurrect the key: the old server now refuses the keyless probe.
    const back = await admin().put(`/v0/endpoints/${id}`, { base_url: old.url });
    expect(back.status).toBe(400);
    expect(back.body.error.message).toMatch(/401/);
    expect(old.requests.at(-1)?.headers.authorization).toBeUndefined();
  });

  it('a refused update (the new server is not a supported kind) sent no key either', async () => {
    const { id } = await register();
    const odd = await fake();
    // Answers 200 to everything with a body no detector accepts.
    odd.route('GET', /.*/, ({ res }) => sendJson(res, 200, { hello: 'world' }));
    const res = await admin().put(`/v0/endpoints/${id}`, { base_url: odd.url });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('unsupported_endpoint');
    expect(odd.requests.length).toBeGreaterThan(0);
    expect(sawKey(odd)).toBe(false);
    // Refused: nothing was saved, the endpoint keeps its server and key.
    const got = await admin().get(`/v0/endpoints/${id}`);
    expect(got.body.has_api_key).toBe(true);
  });

  it('a port change alone also drops the key', async () => {
    const { id } = await register();
    const other = await fake();
    const res = await admin().put(`/v0/endpoints/${id}`, {
      base_url: other.url.replace('127.0.0.1', 'localhost'),
    });
    expect(res.status).toBe(200);
    expect(res.body.has_api_key).toBe(false);
    expect(sawKey(other)).toBe(false);
  });

  it('a key sent with the new URL is the one used and stored', async () => {
    const { id } = await register();
    const NEW_KEY = 'sk-new-backend-secret-5678';
    const next = await fake({ apiKey: NEW_KEY });
    const res = await admin().put(`/v0/endpoints/${id}`, { base_url: next.url, api_key: NEW_KEY });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'online', has_api_key: true });
    expect(sawKey(next)).toBe(false);
    expect(next.requests.at(-1)?.headers.authorization).toBe(`Bearer ${NEW_KEY}`);
  });

  it('a path change on the same server keeps the key', async () => {
    const { id, old } = await register();
    const before = old.requests.length;
    const res = await admin().put(`/v0/endpoints/${id}`, { base_url: `${old.url}/` });
    expect(res.status).toBe(200);
    expect(res.body.has_api_key).toBe(true);
    const moved = await admin().put(`/v0/endpoints/${id}`, {
      base_url: `${old.url}/prefix`,
      endpoint_type: 'openai_compatible',
    });
    expect(moved.status).toBe(200);
    expect(moved.body.has_api_key).toBe(true);
    const later = old.requests.slice(before);
    expect(later.length).toBeGreaterThan(0);
    expect(later.every((r) => r.headers.authorization === `Bearer ${KEY}`)).toBe(true);
  });
});
