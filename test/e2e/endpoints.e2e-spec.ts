import { api, login } from '../helpers/http';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import {
  closeAll,
  FakeKind,
  FakeLlmServer,
  sendJson,
  sendText,
  startFakes,
} from '../fakes/llm-server';

describe('endpoints: registration, detection, listing, validation', () => {
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

  let n = 0;
  const uniqueName = (prefix: string) => `${prefix}-${++n}`;

  describe('detection', () => {
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
      expect(res.body.last_online_at).toEqual(expect.any(String));
      expect(res.body.models.map((m: any) => m.id).sort()).toEqual(
        f.models.map((m) => m.id).sort(),
      );
      expect(res.body).not.toHaveProperty('api_key');
    });

    it('follows the spec order when several kinds match', async () => {
      // LM Studio that also answers /api/tags like Ollama → lm_studio (2) beats ollama (3).
      const lms = await fake('lm_studio');
      lms.route('GET', '/api/tags', ({ res }) =>
        sendJson(res, 200, { models: [{ name: 'x:latest' }] }),
      );
      // Ollama whose /v1/models says owned_by vllm → ollama (3) beats vllm (4).
      const oll = await fake('ollama');
      oll.route('GET', '/v1/models', ({ res }) =>
        sendJson(res, 200, {
          object: 'list',
          data: [{ id: 'llama3.2:latest', object: 'model', owned_by: 'vllm' }],
        }),
      );
      // vLLM behind a llama.cpp-looking /props → vllm (4) beats llama_cpp (5).
      const vl = await fake('vllm');
      vl.route('GET', '/props', ({ res }) =>
        sendJson(res, 200, { default_generation_settings: { n_ctx: 4096 } }),
      );
      // xLLM that also sends Server: llama.cpp → xllm (1) wins.
      const xl = await fake('xllm');
      xl.route('GET', '/v1/models', ({ res }) =>
        sendJson(
          res,
          200,
          { object: 'list', data: [{ id: 'm', object: 'model' }] },
          { server: 'llama.cpp' },
        ),
      );
      const cases: [FakeLlmServer, string][] = [
        [lms, 'lm_studio'],
        [oll, 'ollama'],
        [vl, 'vllm'],
        [xl, 'xllm'],
      ];
      for (const [f, type] of cases) {
        const res = await admin().post('/v0/endpoints', {
          name: uniqueName('prio'),
          base_url: f.url,
        });
        expect(res.status).toBe(201);
        expect(res.body.endpoint_type).toBe(type);
      }
    });

    it('detects Ollama from its root answer when /api/tags is missing', async () => {
      const oll = await fake('ollama');
      oll.route('GET', '/api/tags', ({ res }) => sendText(res, 404, '404 page not found'));
      const res = await admin().post('/v0/endpoints', {
        name: uniqueName('oll-root'),
        base_url: oll.url,
      });
      expect(res.status).toBe(201);
      expect(res.body.endpoint_type).toBe('ollama');
    });

    it('refuses a server that answers but matches no kind, unless endpoint_type is given', async () => {
      const f = await fake('openai_compatible');
      f.route('GET', '/v1/models', ({ res }) => sendJson(res, 404, { error: 'nope' }));
      const res = await admin().post('/v0/endpoints', { name: uniqueName('odd'), base_url: f.url });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('unsupported_endpoint');

      const manual = await admin().post('/v0/endpoints', {
        name: uniqueName('odd-manual'),
        base_url: f.url,
        endpoint_type: 'openai_compatible',
      });
      expect(manual.status).toBe(201);
      expect(manual.body).toMatchObject({
        endpoint_type: 'openai_compatible',
        type_source: 'manual',
      });
      // No detection ran for the manual registration: only the health probe hit the server.
      expect(f.hits('/v0/system').length).toBe(1);
    });

    it('accepts an unreachable URL as unknown/offline', async () => {
      const f = await fake('ollama');
      await f.stop();
      const res = await admin().post('/v0/endpoints', {
        name: uniqueName('down'),
        base_url: f.url,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        endpoint_type: 'unknown',
        type_source: 'detected',
        status: 'offline',
      });
      expect(res.body.last_error).toMatch(/refused/);
      expect(res.body.models).toEqual([]);
    });

    it('sends the api_key as Bearer and says so when the server refuses it', async () => {
      const f = await fake('vllm', { apiKey: 'sekrit-backend-key' });
      const bad = await admin().post('/v0/endpoints', {
        name: uniqueName('k'),
        base_url: f.url,
        api_key: 'wrong',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.code).toBe('unsupported_endpoint');
      expect(bad.body.error.message).toMatch(/401/);
      const ok = await admin().post('/v0/endpoints', {
        name: uniqueName('k'),
        base_url: f.url,
        api_key: 'sekrit-backend-key',
      });
      expect(ok.status).toBe(201);
      expect(ok.body).toMatchObject({ endpoint_type: 'vllm', status: 'online', has_api_key: true });
      expect(JSON.stringify(ok.body)).not.toContain('sekrit-backend-key');
      expect(f.requests.at(-1)?.headers.authorization).toBe('Bearer sekrit-backend-key');
    });
  });

  describe('listing and filters', () => {
    it('lists with total and filters by type and status', async () => {
      const all = await admin().get('/v0/endpoints');
      expect(all.status).toBe(200);
      expect(all.body.total).toBe(all.body.endpoints.length);
      expect(all.body.total).toBeGreaterThanOrEqual(6);
      expect(all.body.endpoints[0]).not.toHaveProperty('models');

      const ollama = await admin().get('/v0/endpoints?type=ollama');
      expect(ollama.body.endpoints.length).toBeGreaterThan(0);
      expect(ollama.body.endpoints.every((e: any) => e.endpoint_type === 'ollama')).toBe(true);

      const offline = await admin().get('/v0/endpoints?status=offline');
      expect(offline.body.endpoints.length).toBeGreaterThan(0);
      expect(offline.body.endpoints.every((e: any) => e.status === 'offline')).toBe(true);

      const both = await admin().get('/v0/endpoints?type=unknown&status=offline');
      expect(
        both.body.endpoints.every(
          (e: any) => e.endpoint_type === 'unknown' && e.status === 'offline',
        ),
      ).toBe(true);
      expect(both.body.total).toBeGreaterThan(0);
    });

    it('refuses unknown filter values', async () => {
      for (const q of ['type=bogus', 'status=sleeping', 'type=OLLAMA', 'color=red']) {
        const res = await admin().get(`/v0/endpoints?${q}`);
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('validation_failed');
      }
    });
  });

  describe('uniqueness', () => {
    it('409 on a duplicate name and on a duplicate normalized URL', async () => {
      const f = await fake('vllm');
      const first = await admin().post('/v0/endpoints', { name: 'dup-name', base_url: f.url });
      expect(first.status).toBe(201);
      const sameName = await admin().post('/v0/endpoints', {
        name: '  dup-name ',
        base_url: 'http://127.0.0.1:1',
      });
      expect(sameName.status).toBe(409);
      expect(sameName.body.error.code).toBe('endpoint_name_taken');
      for (const variant of [`${f.url}/`, f.url.replace('http://', 'HTTP://'), `${f.url}//`]) {
        const res = await admin().post('/v0/endpoints', {
          name: uniqueName('dup-url'),
          base_url: variant,
        });
        expect(res.status).toBe(409);
        expect(res.body.error.code).toBe('endpoint_url_taken');
      }
    });

    it('concurrent registrations of one name or URL make one endpoint', async () => {
      const f = await fake('openai_compatible');
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) =>
          admin().post('/v0/endpoints', {
            name: i % 2 ? 'race-name' : `race-${i}`,
            base_url: i % 2 ? `http://127.0.0.1:${40000 + i}` : f.url,
          }),
        ),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 201).length).toBe(2);
      expect(statuses.filter((s) => s === 409).length).toBe(4);
      const codes = results.filter((r) => r.status === 409).map((r) => r.body.error.code);
      expect(codes.sort()).toEqual([
        'endpoint_name_taken',
        'endpoint_name_taken',
        'endpoint_url_taken',
        'endpoint_url_taken',
      ]);
    });

    it('normalizes host case and default port before comparing', async () => {
      const a = await admin().post('/v0/endpoints', {
        name: uniqueName('norm'),
        base_url: 'http://LocalHost:80/',
        endpoint_type: 'vllm',
      });
      expect(a.status).toBe(201);
      expect(a.body.base_url).toBe('http://localhost');
      const b = await admin().post('/v0/endpoints', {
        name: uniqueName('norm'),
        base_url: 'http://localhost',
      });
      expect(b.status).toBe(409);
      expect(b.body.error.code).toBe('endpoint_url_taken');
      const c = await admin().post('/v0/endpoints', {
        name: uniqueName('norm'),
        base_url: 'https://Example.INVALID:443/prefix/',
        endpoint_type: 'vllm',
        enabled: false,
      });
      expect(c.status).toBe(201);
      expect(c.body.base_url).toBe('https://example.invalid/prefix');
      expect(c.body.status).toBe('pending');
    });

    it('409 when an update takes another endpoint’s name or URL', async () => {
      const [f1, f2] = [await fake('vllm'), await fake('vllm')];
      const a = await admin().post('/v0/endpoints', { name: uniqueName('u'), base_url: f1.url });
      const b = await admin().post('/v0/endpoints', { name: uniqueName('u'), base_url: f2.url });
      const byName = await admin().put(`/v0/endpoints/${b.body.id}`, { name: a.body.name });
      expect(byName.status).toBe(409);
      expect(byName.body.error.code).toBe('endpoint_name_taken');
      const byUrl = await admin().put(`/v0/endpoints/${b.body.id}`, { base_url: `${f1.url}/` });
      expect(byUrl.status).toBe(409);
      expect(byUrl.body.error.code).toBe('endpoint_url_taken');
      const self = await admin().put(`/v0/endpoints/${b.body.id}`, {
        name: b.body.name,
        base_url: f2.url,
      });
      expect(self.status).toBe(200);
    });
  });

  describe('validation', () => {
    const good = {
      name: 'valid-name',
      base_url: 'http://127.0.0.1:9',
      endpoint_type: 'vllm',
      enabled: false,
    };
    it.each<[string, Record<string, unknown>, string]>([
      ['no scheme', { base_url: '127.0.0.1:8080' }, 'base_url'],
      ['host without scheme', { base_url: 'localhost:11434' }, 'base_url'],
      ['ftp scheme', { base_url: 'ftp://example.com' }, 'base_url'],
      ['credentials in URL', { base_url: 'http://user:pass@example.com' }, 'base_url'],
      ['user only in URL', { base_url: 'http://user@example.com' }, 'base_url'],
      ['query string', { base_url: 'http://example.com/?x=1' }, 'base_url'],
      ['not a URL', { base_url: 'http://' }, 'base_url'],
      ['number URL', { base_url: 42 }, 'base_url'],
      ['missing base_url', { base_url: undefined }, 'base_url'],
      ['empty name', { name: '' }, 'name'],
      ['name of only spaces', { name: '    ' }, 'name'],
      ['name too long', { name: 'x'.repeat(101) }, 'name'],
      ['interval too small', { health_check_interval_secs: 9 }, 'health_check_interval_secs'],
      ['interval too large', { health_check_interval_secs: 301 }, 'health_check_interval_secs'],
      ['interval not integer', { health_check_interval_secs: 12.5 }, 'health_check_interval_secs'],
      ['interval as string', { health_check_interval_secs: '30' }, 'health_check_interval_secs'],
      ['timeout too small', { inference_timeout_secs: 9 }, 'inference_timeout_secs'],
      ['timeout too large', { inference_timeout_secs: 601 }, 'inference_timeout_secs'],
      ['priority negative', { priority: -1 }, 'priority'],
      ['priority too large', { priority: 101 }, 'priority'],
      ['unknown type', { endpoint_type: 'tgi' }, 'endpoint_type'],
      ['type unknown is not settable', { endpoint_type: 'unknown' }, 'endpoint_type'],
      ['enabled not boolean', { enabled: 'yes' }, 'enabled'],
      ['unknown field', { colour: 'red' }, 'colour'],
    ])('400 for %s', async (_label, override, field) => {
      const res = await admin().post('/v0/endpoints', { ...good, ...override });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.details.map((d: any) => d.field)).toContain(field);
    });

    it('trims names and accepts the boundary values', async () => {
      const res = await admin().post('/v0/endpoints', {
        name: '  boundary  ',
        base_url: 'http://127.0.0.1:7',
        endpoint_type: 'vllm',
        health_check_interval_secs: 10,
        inference_timeout_secs: 600,
        priority: 0,
        enabled: false,
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({
        name: 'boundary',
        health_check_interval_secs: 10,
        inference_timeout_secs: 600,
        priority: 0,
      });
      const upd = await admin().put(`/v0/endpoints/${res.body.id}`, {
        health_check_interval_secs: 300,
        priority: 100,
      });
      expect(upd.status).toBe(200);
      const bad = await admin().put(`/v0/endpoints/${res.body.id}`, { priority: 101 });
      expect(bad.status).toBe(400);
      const spaces = await admin().put(`/v0/endpoints/${res.body.id}`, { name: '   ' });
      expect(spaces.status).toBe(400);
      const ftp = await admin().put(`/v0/endpoints/${res.body.id}`, {
        base_url: 'ftp://x.example',
      });
      expect(ftp.status).toBe(400);
    });

    it('400 (not 500) for ids that are not UUIDs, 404 for unknown ones', async () => {
      for (const [method, path] of [
        ['GET', '/v0/endpoints/not-a-uuid'],
        ['PUT', '/v0/endpoints/123'],
        ['DELETE', '/v0/endpoints/xyz'],
        ['POST', '/v0/endpoints/xyz/test'],
        ['POST', '/v0/endpoints/xyz/sync'],
        ['GET', '/v0/endpoints/xyz/models'],
        ['GET', '/v0/endpoints/xyz/models/m/info'],
      ]) {
        const res = await admin().request<any>(method, path, method === 'PUT' ? {} : undefined);
        expect([method, path, res.status]).toEqual([method, path, 400]);
        expect(res.body.error.code).toBe('validation_failed');
      }
      const missing = await admin().get('/v0/endpoints/7f1c2a4e-9a4b-4c1d-8e2f-0a1b2c3d4e5f');
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('endpoint_not_found');
    });
  });

  describe('permissions', () => {
    it('endpoints.read may list but not change; endpoints.manage may change', async () => {
      const readKey = await admin().post('/v0/api-keys', {
        name: 'reader',
        permissions: ['endpoints.read'],
      });
      const manageKey = await admin().post('/v0/api-keys', {
        name: 'manager',
        permissions: ['endpoints.read', 'endpoints.manage'],
      });
      const reader = api(t.url).as(readKey.body.key);
      expect((await reader.get('/v0/endpoints')).status).toBe(200);
      const denied = await reader.post('/v0/endpoints', {
        name: 'nope',
        base_url: 'http://127.0.0.1:5',
      });
      expect(denied.status).toBe(403);
      const other = await admin().post('/v0/api-keys', {
        name: 'other',
        permissions: ['models.read'],
      });
      expect((await api(t.url).as(other.body.key).get('/v0/endpoints')).status).toBe(403);
      expect((await api(t.url).get('/v0/endpoints')).status).toBe(401);
      const manager = api(t.url).as(manageKey.body.key);
      const created = await manager.post('/v0/endpoints', {
        name: uniqueName('by-key'),
        base_url: 'http://127.0.0.1:6',
        endpoint_type: 'vllm',
        enabled: false,
      });
      expect(created.status).toBe(201);
      expect((await manager.delete(`/v0/endpoints/${created.body.id}`)).status).toBe(204);
    });
  });
});
