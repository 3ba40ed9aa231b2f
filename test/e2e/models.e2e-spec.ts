import { EndpointHealthService } from '../../src/health/endpoint-health.service';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { Fleet } from '../helpers/fleet';
import { api, login, waitFor } from '../helpers/http';
import { FakeHfHub, FakeHubRepo } from '../fakes/hf-hub';
import { PullingNode } from '../fakes/pulling-node';
import { FakeXllmDownloads } from '../fakes/xllm-download';

const REPOS: FakeHubRepo[] = [
  {
    id: 'TheBloke/Llama-2-7B-GGUF',
    downloads: 5000,
    likes: 900,
    tags: ['gguf', 'llama'],
    files: [
      { path: 'llama-2-7b.Q4_K_M.gguf', size: 4_081_004_224 },
      { path: 'llama-2-7b.Q8_0.gguf', size: 7_161_089_728 },
      { path: 'notes.txt', size: 10, lfs: false },
    ],
  },
  {
    id: 'Qwen/Qwen2.5-7B-Instruct-GGUF',
    downloads: 4000,
    likes: 500,
    tags: ['gguf'],
    files: [
      { path: 'qwen2.5-7b-instruct-q4_k_m.gguf', size: 4_683_073_248 },
      { path: 'small/tiny.gguf', size: 1234, lfs: false },
    ],
  },
  { id: 'bartowski/Mistral-7B-GGUF', downloads: 3000, likes: 100, tags: ['gguf'], files: [] },
  { id: 'someone/llama-mini-GGUF', downloads: 2000, likes: 10, tags: ['gguf'], files: [] },
  { id: 'other/phi-3-GGUF', downloads: 1000, likes: 5, tags: ['gguf'], files: [] },
  { id: 'not/gguf-at-all', downloads: 99999, likes: 5, tags: ['safetensors'], files: [] },
];

describe('models: HF catalog and registration', () => {
  let hub: FakeHfHub;
  let t: TestApp;
  let admin: ReturnType<typeof api>;

  beforeAll(async () => {
    hub = await new FakeHfHub(REPOS).start();
    t = await startApp({
      HF_BASE_URL: hub.url,
      HF_TOKEN: 'hf_test_token',
      LLMLB_HF_TIMEOUT_MS: '300',
    });
    admin = api(t.url).as(await login(t.url, 'admin', ADMIN_PASSWORD));
  });
  afterAll(async () => {
    await t.cleanup();
    await hub.stop();
  });

  it('lists GGUF repositories from the hub, paged, most downloaded first, with the token', async () => {
    const p1 = await admin.get('/v0/models/available?limit=2');
    expect(p1.status).toBe(200);
    expect(p1.body).toMatchObject({ limit: 2, offset: 0, cached: false, supported: [] });
    expect(p1.body.stale).toBeUndefined();
    expect(p1.body.available.map((a: any) => a.repo)).toEqual([
      'TheBloke/Llama-2-7B-GGUF',
      'Qwen/Qwen2.5-7B-Instruct-GGUF',
    ]);
    expect(p1.body.available[0]).toEqual({
      repo: 'TheBloke/Llama-2-7B-GGUF',
      downloads: 5000,
      likes: 900,
      tags: ['gguf', 'llama'],
    });
    const req = hub.requests.find((r) => r.path === '/api/models')!;
    expect(req.query.get('filter')).toBe('gguf');
    expect(req.query.get('limit')).toBe('2');
    expect(req.authorization).toBe('Bearer hf_test_token');

    const p2 = await admin.get('/v0/models/available?limit=2&offset=2');
    expect(p2.body.available.map((a: any) => a.repo)).toEqual([
      'bartowski/Mistral-7B-GGUF',
      'someone/llama-mini-GGUF',
    ]);
    expect(p2.body.offset).toBe(2);
  });

  it('searches', async () => {
    const r = await admin.get('/v0/models/available?search=llama');
    expect(r.status).toBe(200);
    expect(r.body.available.map((a: any) => a.repo)).toEqual([
      'TheBloke/Llama-2-7B-GGUF',
      'someone/llama-mini-GGUF',
    ]);
    expect(hub.requests.at(-1)!.query.get('search')).toBe('llama');
  });

  it('serves a repeated query from the cache without calling the hub', async () => {
    await admin.get('/v0/models/available?search=phi');
    const before = hub.count('/api/models');
    const r = await admin.get('/v0/models/available?search=phi');
    expect(r.body.cached).toBe(true);
    expect(r.body.available.map((a: any) => a.repo)).toEqual(['other/phi-3-GGUF']);
    expect(hub.count('/api/models')).toBe(before);
  });

  it('answers 502 catalog_unavailable when the hub fails and nothing is cached, also on a timeout', async () => {
    hub.down = true;
    try {
      const r = await admin.get('/v0/models/available?search=never-asked');
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('catalog_unavailable');
    } finally {
      hub.down = false;
    }
    hub.hang = true;
    try {
      const started = Date.now();
      const r = await admin.get('/v0/models/available?search=hanging');
      expect(r.status).toBe(502);
      expect(r.body.error.code).toBe('catalog_unavailable');
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      hub.hang = false;
    }
  });

  it('validates paging', async () => {
    expect((await admin.get('/v0/models/available?limit=0')).status).toBe(400);
    expect((await admin.get('/v0/models/available?limit=abc')).status).toBe(400);
    expect((await admin.get('/v0/models/available?offset=-1')).status).toBe(400);
  });

  it('lists the .gguf files of a repository with sizes (owner/name or URL-encoded)', async () => {
    const r = await admin.get('/v0/models/available/Qwen/Qwen2.5-7B-Instruct-GGUF/files');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      repo: 'Qwen/Qwen2.5-7B-Instruct-GGUF',
      files: [
        { filename: 'qwen2.5-7b-instruct-q4_k_m.gguf', size_bytes: 4_683_073_248 },
        { filename: 'small/tiny.gguf', size_bytes: 1234 },
      ],
    });
    const enc = await admin.get(
      `/v0/models/available/${encodeURIComponent('TheBloke/Llama-2-7B-GGUF')}/files`,
    );
    expect(enc.status).toBe(200);
    expect(enc.body.files.map((f: any) => f.filename)).toEqual([
      'llama-2-7b.Q4_K_M.gguf',
      'llama-2-7b.Q8_0.gguf',
    ]);
    const missing = await admin.get('/v0/models/available/nobody/nothing/files');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('hf_repo_not_found');
    const before = hub.requests.length;
    const bad = await admin.get(`/v0/models/available/${encodeURIComponent('../etc')}/files`);
    expect(bad.status).toBe(400);
    expect(hub.requests.length).toBe(before);
  });

  it('follows the hub\'s paged file listing (Link rel="next")', async () => {
    hub.treePageSize = 2;
    try {
      const before = hub.requests.length;
      const r = await admin.get('/v0/models/available/TheBloke/Llama-2-7B-GGUF/files');
      expect(r.status).toBe(200);
      expect(r.body.files.map((f: any) => f.filename)).toEqual([
        'llama-2-7b.Q4_K_M.gguf',
        'llama-2-7b.Q8_0.gguf',
      ]);
      const pages = hub.requests.slice(before).filter((q) => q.path.endsWith('/tree/main'));
      expect(pages.map((q) => q.query.get('cursor'))).toEqual([null, '2', '4']);
    } finally {
      hub.treePageSize = null;
    }
  });

  describe('registration', () => {
    it('registers a file verified by HEAD with its size from x-linked-size', async () => {
      const r = await admin.post('/v0/models/register', {
        repo: 'TheBloke/Llama-2-7B-GGUF',
        filename: 'llama-2-7b.Q4_K_M.gguf',
      });
      expect(r.status).toBe(201);
      expect(r.body).toEqual({
        name: 'thebloke/llama-2-7b-gguf/llama-2-7b.q4_k_m',
        repo: 'TheBloke/Llama-2-7B-GGUF',
        filename: 'llama-2-7b.Q4_K_M.gguf',
        size_bytes: 4_081_004_224,
        download_url: `${hub.url}/TheBloke/Llama-2-7B-GGUF/resolve/main/llama-2-7b.Q4_K_M.gguf`,
        status: 'registered',
      });
      expect(hub.requests.filter((x) => x.method === 'HEAD').at(-1)!.path).toBe(
        '/TheBloke/Llama-2-7B-GGUF/resolve/main/llama-2-7b.Q4_K_M.gguf',
      );
    });

    it('uses content-length for a non-LFS file and display_name when given', async () => {
      const r = await admin.post('/v0/models/register', {
        repo: 'Qwen/Qwen2.5-7B-Instruct-GGUF',
        filename: 'small/tiny.gguf',
        display_name: 'Tiny-Qwen',
      });
      expect(r.status).toBe(201);
      expect(r.body).toMatchObject({ name: 'Tiny-Qwen', size_bytes: 1234 });
    });

    it('answers 404 hf_file_not_found for a missing file or repository', async () => {
      const r = await admin.post('/v0/models/register', {
        repo: 'TheBloke/Llama-2-7B-GGUF',
        filename: 'nope.gguf',
      });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('hf_file_not_found');
      const r2 = await admin.post('/v0/models/register', {
        repo: 'nobody/nothing',
        filename: 'x.gguf',
      });
      expect(r2.status).toBe(404);
      expect(r2.body.error.code).toBe('hf_file_not_found');
    });

    it('answers 409 for a duplicate', async () => {
      const r = await admin.post('/v0/models/register', {
        repo: 'TheBloke/Llama-2-7B-GGUF',
        filename: 'llama-2-7b.Q4_K_M.gguf',
      });
      expect(r.status).toBe(409);
      expect(r.body.error.code).toBe('model_already_registered');
    });

    it.each([
      { repo: '../etc', filename: 'x.gguf' },
      { repo: 'a/b/../../c', filename: 'x.gguf' },
      { repo: 'TheBloke/Llama 2', filename: 'x.gguf' },
      { repo: 'TheBloke%2FLlama', filename: 'x.gguf' },
      { repo: 'http://evil.example/owner/name', filename: 'x.gguf' },
      { repo: '/TheBloke/Llama-2-7B-GGUF', filename: 'x.gguf' },
      { repo: 'TheBloke/Llama-2-7B-GGUF', filename: '../../../etc/passwd.gguf' },
      { repo: 'TheBloke/Llama-2-7B-GGUF', filename: '/abs.gguf' },
      { repo: 'TheBloke/Llama-2-7B-GGUF', filename: 'a%2F..%2Fb.gguf' },
      { repo: 'TheBloke/Llama-2-7B-GGUF', filename: 'https://evil.example/x.gguf' },
      { repo: 'TheBloke/Llama-2-7B-GGUF', filename: 'with space.gguf' },
      { repo: 'TheBloke/Llama-2-7B-GGUF', filename: 'model.bin' },
    ])('refuses %j with 400 and makes no request', async (body) => {
      const before = hub.requests.length;
      const r = await admin.post('/v0/models/register', body);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe('validation_failed');
      expect(hub.requests.length).toBe(before);
    });

    it('shows registered models as supported in the catalog and in GET /v0/models', async () => {
      const cat = await admin.get('/v0/models/available?search=llama-2');
      expect(cat.body.supported).toEqual([
        {
          name: 'thebloke/llama-2-7b-gguf/llama-2-7b.q4_k_m',
          repo: 'TheBloke/Llama-2-7B-GGUF',
          filename: 'llama-2-7b.Q4_K_M.gguf',
          size_bytes: 4_081_004_224,
        },
      ]);
      expect(cat.body.available.map((a: any) => a.repo)).not.toContain('TheBloke/Llama-2-7B-GGUF');
      const list = await admin.get('/v0/models');
      expect(list.status).toBe(200);
      expect(list.body.total).toBe(2);
      expect(list.body.models.map((m: any) => m.name).sort()).toEqual([
        'Tiny-Qwen',
        'thebloke/llama-2-7b-gguf/llama-2-7b.q4_k_m',
      ]);
      expect(list.body.models[0]).toMatchObject({ nodes: [], endpoints: [], tasks: [] });
    });

    it('lists the online nodes that have a registered model loaded and the endpoints serving it', async () => {
      const runtime = await new PullingNode(t.url, '').start();
      const xllm = await new FakeXllmDownloads().start();
      xllm.models = ['Tiny-Qwen', 'other-model'];
      const fleet = new Fleet(t);
      try {
        const node = await fleet.addNode({ baseUrl: runtime.url, machineName: 'gpu-models' });
        const hb = await fleet.heartbeat(node, [], { loaded_models: ['Tiny-Qwen'] });
        expect(hb.status).toBe(200);
        const endpointId = await fleet.addEndpoint({
          endpointType: 'xllm',
          baseUrl: xllm.url,
          name: 'xllm-models',
        });
        expect(await fleet.endpointModels(endpointId)).toContain('Tiny-Qwen');
        const tiny = async () =>
          (await admin.get('/v0/models')).body.models.find((m: any) => m.name === 'Tiny-Qwen');
        expect(await tiny()).toMatchObject({
          nodes: [{ id: node.id, machine_name: 'gpu-models' }],
          endpoints: [{ id: endpointId, name: 'xllm-models' }],
        });
        const llama = (await admin.get('/v0/models')).body.models.find(
          (m: any) => m.name === 'thebloke/llama-2-7b-gguf/llama-2-7b.q4_k_m',
        );
        expect(llama).toMatchObject({ nodes: [], endpoints: [] });
        // an offline node no longer counts as having it
        await fleet.takeOffline(node.id);
        await waitFor(async () => (await tiny()).nodes.length === 0, { what: 'node dropped' });
        await fleet.removeNode(node.id);
        // neither does an endpoint that is down
        await xllm.stop();
        const health = t.app.get(EndpointHealthService);
        await health.probe(endpointId);
        await health.probe(endpointId);
        await waitFor(async () => (await tiny()).endpoints.length === 0, {
          what: 'endpoint dropped',
        });
        await xllm.restart();
        await health.probe(endpointId);
        await waitFor(async () => (await tiny()).endpoints.length === 1, { what: 'endpoint back' });
        expect((await admin.delete(`/v0/endpoints/${endpointId}`)).status).toBe(204);
        expect((await tiny()).endpoints).toEqual([]);
      } finally {
        fleet.stop();
        await runtime.stop();
        await xllm.stop();
      }
    });

    it('publishes a manifest and deletes by URL-encoded name', async () => {
      const name = encodeURIComponent('thebloke/llama-2-7b-gguf/llama-2-7b.q4_k_m');
      const m = await admin.get(`/v0/models/${name}/manifest`);
      expect(m.status).toBe(200);
      expect(m.body).toEqual({
        name: 'thebloke/llama-2-7b-gguf/llama-2-7b.q4_k_m',
        files: [
          {
            filename: 'llama-2-7b.Q4_K_M.gguf',
            url: `${hub.url}/TheBloke/Llama-2-7B-GGUF/resolve/main/llama-2-7b.Q4_K_M.gguf`,
            size_bytes: 4_081_004_224,
          },
        ],
      });
      expect((await api(t.url).get(`/v0/models/${name}/manifest`)).status).toBe(401);
      expect(
        (await api(t.url).with({ 'x-node-token': 'nt_unknown' }).get(`/v0/models/${name}/manifest`))
          .status,
      ).toBe(401);
      expect((await admin.delete('/v0/models/Tiny-Qwen')).status).toBe(204);
      const again = await admin.delete('/v0/models/Tiny-Qwen');
      expect(again.status).toBe(404);
      expect(again.body.error.code).toBe('model_not_found');
      expect((await admin.get('/v0/models/Tiny-Qwen/manifest')).status).toBe(404);
    });

    it('needs models.manage to register and models.read to list', async () => {
      const key = await admin.post('/v0/api-keys', {
        name: 'reader',
        permissions: ['models.read'],
      });
      const reader = api(t.url).as(key.body.key);
      expect((await reader.get('/v0/models')).status).toBe(200);
      const r = await reader.post('/v0/models/register', {
        repo: 'other/phi-3-GGUF',
        filename: 'x.gguf',
      });
      expect(r.status).toBe(403);
      expect((await api(t.url).get('/v0/models/available')).status).toBe(401);
    });
  });
});

describe('models: stale catalog', () => {
  it('serves the expired cache with stale: true when the hub fails', async () => {
    const hub = await new FakeHfHub(REPOS).start();
    const t = await startApp({ HF_BASE_URL: hub.url, LLMLB_HF_CACHE_SECS: '0' });
    try {
      const admin = api(t.url).as(await login(t.url, 'admin', ADMIN_PASSWORD));
      const fresh = await admin.get('/v0/models/available?limit=3');
      expect(fresh.body.cached).toBe(false);
      hub.down = true;
      const stale = await admin.get('/v0/models/available?limit=3');
      expect(stale.status).toBe(200);
      expect(stale.body).toMatchObject({ stale: true, cached: true });
      expect(stale.body.available).toEqual(fresh.body.available);
      expect(hub.count('/api/models')).toBe(2);
      const other = await admin.get('/v0/models/available?limit=3&search=zzz');
      expect(other.status).toBe(502);
    } finally {
      await t.cleanup();
      await hub.stop();
    }
  });
});
