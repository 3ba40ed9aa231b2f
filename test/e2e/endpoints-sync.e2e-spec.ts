import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, login } from '../helpers/http';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { closeAll, FakeKind, FakeLlmServer, sendJson, startFakes } from '../fakes/llm-server';
import { RoutingTable } from '../../src/routing/routing-table.service';
import { BackendHttpClient } from '../../src/endpoints/backend-http.client';
import { EndpointsService } from '../../src/endpoints/endpoints.service';

describe('endpoints: model sync, metadata, secrets, update and delete', () => {
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

  async function register(
    kind: FakeKind,
    opts: Record<string, unknown> = {},
    body: Record<string, unknown> = {},
  ) {
    const [f] = await startFakes([kind], opts);
    fakes.push(f);
    const res = await admin().post('/v0/endpoints', {
      name: `${kind}-${++n}`,
      base_url: f.url,
      ...body,
    });
    expect(res.status).toBe(201);
    return { f, ep: res.body };
  }

  describe('model sync', () => {
    it('reports added, removed and updated models', async () => {
      const { f, ep } = await register('ollama', {
        models: [
          { id: 'llama3.2:latest', contextLength: 131072 },
          { id: 'qwen2.5:7b', contextLength: 32768 },
          { id: 'mistral:7b', contextLength: 32768 },
        ],
      });
      expect(ep.models).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            id: 'llama3.2:latest',
            max_tokens: 131072,
            capabilities: ['chat'],
          }),
        ]),
      );
      f.setModels([
        { id: 'llama3.2:latest', contextLength: 131072 }, // unchanged
        { id: 'qwen2.5:7b', contextLength: 65536 }, // updated
        { id: 'nomic-embed-text:latest', contextLength: 8192 }, // added
        { id: 'bge-m3:latest', contextLength: 8192 }, // added
      ]);
      const res = await admin().post(`/v0/endpoints/${ep.id}/sync`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ added: 2, removed: 1, updated: 1 });
      expect(res.body.models.map((m: any) => m.id)).toEqual([
        'bge-m3:latest',
        'llama3.2:latest',
        'nomic-embed-text:latest',
        'qwen2.5:7b',
      ]);
      const embed = res.body.models.find((m: any) => m.id === 'nomic-embed-text:latest');
      expect(embed).toMatchObject({ capabilities: ['embeddings'], max_tokens: 8192 });
      expect(embed.last_synced_at).toEqual(expect.any(String));
      const again = await admin().post(`/v0/endpoints/${ep.id}/sync`);
      expect(again.body).toMatchObject({ added: 0, removed: 0, updated: 0 });
      const list = await admin().get(`/v0/endpoints/${ep.id}/models`);
      expect(list.body.total).toBe(4);
      expect((await admin().get(`/v0/endpoints/${ep.id}`)).body.model_count).toBe(4);
    });

    it('fetches context lengths with at most 4 requests in flight', async () => {
      const models = Array.from({ length: 12 }, (_, i) => ({
        id: `m${i}:latest`,
        contextLength: 1000 + i,
      }));
      const { f, ep } = await register('ollama', { models });
      let inFlight = 0;
      let peak = 0;
      f.route('POST', '/api/show', async ({ res, json }) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise((r) => setTimeout(r, 30));
        inFlight--;
        const m = models.find((x) => x.id === json.model)!;
        sendJson(res, 200, {
          model_info: {
            'general.architecture': 'qwen2',
            'qwen2.context_length': m.contextLength + 1,
          },
        });
      });
      const res = await admin().post(`/v0/endpoints/${ep.id}/sync`);
      expect(res.body.updated).toBe(12);
      expect(peak).toBeGreaterThan(1);
      expect(peak).toBeLessThanOrEqual(4);
      expect(res.body.models.find((m: any) => m.id === 'm3:latest').max_tokens).toBe(1004);
    });

    it('keeps the stored models when the answer is unrecognized, and records the error', async () => {
      const { f, ep } = await register('vllm');
      f.route('GET', '/v1/models', ({ res }) => sendJson(res, 200, { models: 'not a list' }));
      const res = await admin().post(`/v0/endpoints/${ep.id}/sync`);
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('upstream_error');
      const after = await admin().get(`/v0/endpoints/${ep.id}`);
      expect(after.body.models.map((m: any) => m.id)).toEqual(ep.models.map((m: any) => m.id));
      expect(after.body.last_error).toMatch(/model sync failed/);
    });

    it('falls back to /api/tags for Ollama without /v1/models', async () => {
      const { f, ep } = await register('ollama');
      f.route('GET', '/v1/models', ({ res }) => {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('404 page not found');
      });
      f.setModels([{ id: 'phi3:mini', contextLength: 4096 }]);
      const res = await admin().post(`/v0/endpoints/${ep.id}/sync`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ added: 1, removed: 2 });
    });

    it('502 endpoint_unreachable when the backend is down', async () => {
      const { f, ep } = await register('vllm');
      await f.stop();
      const res = await admin().post(`/v0/endpoints/${ep.id}/sync`);
      expect(res.status).toBe(502);
      expect(res.body.error.code).toBe('endpoint_unreachable');
      expect((await admin().get(`/v0/endpoints/${ep.id}`)).body.model_count).toBe(1);
    });
  });

  describe('model metadata', () => {
    it.each<[FakeKind, string, number]>([
      ['xllm', 'Qwen/Qwen2.5-7B-Instruct-GGUF:q4_k_m', 32768],
      ['ollama', 'library/llama3.2:3b-instruct', 131072],
      ['lm_studio', 'qwen/qwen3-4b', 32768],
    ])('%s: max_tokens of a model whose id has / and :', async (kind, id, ctx) => {
      const { f, ep } = await register(kind, { models: [{ id, contextLength: ctx }] });
      expect(ep.models[0]).toMatchObject({ id, max_tokens: ctx });
      f.setModels([{ id, contextLength: ctx * 2 }]);
      const res = await admin().get(`/v0/endpoints/${ep.id}/models/${encodeURIComponent(id)}/info`);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ model: id, endpoint_id: ep.id, max_tokens: ctx * 2 });
      // The live value is stored too.
      expect((await admin().get(`/v0/endpoints/${ep.id}/models`)).body.models[0].max_tokens).toBe(
        ctx * 2,
      );
      // An id with a literal slash in the path works as well.
      const raw = await admin().get(`/v0/endpoints/${ep.id}/models/${id.replace(':', '%3A')}/info`);
      expect(raw.status).toBe(200);
      expect(raw.body.model).toBe(id);
    });

    it('reads num_ctx from Ollama parameters when model_info has no context length', async () => {
      const { f, ep } = await register('ollama', { models: [{ id: 'custom:latest' }] });
      f.route('POST', '/api/show', ({ res }) =>
        sendJson(res, 200, {
          parameters: 'num_ctx                        16384\nstop "<eot>"',
          model_info: {},
        }),
      );
      const res = await admin().get(`/v0/endpoints/${ep.id}/models/custom%3Alatest/info`);
      expect(res.body.max_tokens).toBe(16384);
    });

    it('400 unsupported_for_type for vllm, llama_cpp and openai_compatible', async () => {
      for (const kind of ['vllm', 'llama_cpp', 'openai_compatible'] as FakeKind[]) {
        const { ep } = await register(kind);
        expect(ep.models[0].max_tokens).toBeNull();
        const res = await admin().get(
          `/v0/endpoints/${ep.id}/models/${encodeURIComponent(ep.models[0].id)}/info`,
        );
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe('unsupported_for_type');
      }
    });

    it('404 model_not_found for a model the endpoint does not serve', async () => {
      const { ep } = await register('ollama');
      const res = await admin().get(
        `/v0/endpoints/${ep.id}/models/${encodeURIComponent('no/such:model')}/info`,
      );
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('model_not_found');
    });
  });

  describe('secrets', () => {
    it('stores the api_key encrypted, never returns it, and gives it to the routing table', async () => {
      const secret = 'sk-backend-PLAINTEXT-0123456789';
      const { f, ep } = await register(
        'openai_compatible',
        { apiKey: secret },
        { api_key: secret },
      );
      expect(ep.has_api_key).toBe(true);
      for (const path of [
        '/v0/endpoints',
        `/v0/endpoints/${ep.id}`,
        `/v0/endpoints/${ep.id}/models`,
      ]) {
        const res = await admin().get(path);
        expect(res.text).not.toContain(secret);
        expect(res.text).not.toContain('api_key_encrypted');
      }
      const test = await admin().post(`/v0/endpoints/${ep.id}/test`);
      expect(test.body.success).toBe(true);
      expect(f.requests.at(-1)?.headers.authorization).toBe(`Bearer ${secret}`);
      expect(t.app.get(RoutingTable).get(ep.id)?.apiKey).toBe(secret);

      // Not in plaintext anywhere in the database files (main file and WAL).
      const files = readdirSync(t.dataDir).filter((x) => x.startsWith('llmlb.db'));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        expect(readFileSync(join(t.dataDir, file)).includes(Buffer.from(secret))).toBe(false);
      }

      // Changing and removing the key.
      f.apiKey = 'rotated-key';
      const rotated = await admin().put(`/v0/endpoints/${ep.id}`, { api_key: 'rotated-key' });
      expect(rotated.status).toBe(200);
      expect(rotated.body.status).toBe('online');
      expect(t.app.get(RoutingTable).get(ep.id)?.apiKey).toBe('rotated-key');
      const removed = await admin().put(`/v0/endpoints/${ep.id}`, { api_key: null });
      expect(removed.body.has_api_key).toBe(false);
      expect(t.app.get(RoutingTable).get(ep.id)?.apiKey).toBeNull();
    });
  });

  describe('update, test and delete', () => {
    it('a new base_url re-detects the type and re-syncs', async () => {
      const { ep } = await register('ollama');
      const [vl] = await startFakes(['vllm'], { models: ['org/new-model'] });
      fakes.push(vl);
      const res = await admin().put(`/v0/endpoints/${ep.id}`, { base_url: vl.url });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        base_url: vl.url,
        endpoint_type: 'vllm',
        type_source: 'detected',
        status: 'online',
      });
      expect(res.body.models.map((m: any) => m.id)).toEqual(['org/new-model']);
    });

    it('a manual endpoint_type overrides detection; null returns to detection', async () => {
      const { ep } = await register('vllm');
      const manual = await admin().put(`/v0/endpoints/${ep.id}`, {
        endpoint_type: 'openai_compatible',
      });
      expect(manual.body).toMatchObject({
        endpoint_type: 'openai_compatible',
        type_source: 'manual',
      });
      const test = await admin().post(`/v0/endpoints/${ep.id}/test`);
      expect(test.body.endpoint_type).toBe('openai_compatible');
      const auto = await admin().put(`/v0/endpoints/${ep.id}`, { endpoint_type: null });
      expect(auto.body).toMatchObject({ endpoint_type: 'vllm', type_source: 'detected' });
    });

    it('updates settings and feeds them to the routing table', async () => {
      const { ep } = await register('llama_cpp');
      const res = await admin().put(`/v0/endpoints/${ep.id}`, {
        name: 'renamed',
        priority: 90,
        inference_timeout_secs: 300,
        notes: 'rack 4',
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        name: 'renamed',
        priority: 90,
        inference_timeout_secs: 300,
        notes: 'rack 4',
      });
      const b = t.app.get(RoutingTable).get(ep.id)!;
      expect(b).toMatchObject({
        kind: 'endpoint',
        name: 'renamed',
        priority: 90,
        inferenceTimeoutMs: 300_000,
        backendType: 'llama_cpp',
        online: true,
        baseUrl: ep.base_url,
      });
      expect(b.models).toEqual([{ id: ep.models[0].id, maxTokens: null, capabilities: ['chat'] }]);
      const off = await admin().put(`/v0/endpoints/${ep.id}`, { enabled: false });
      expect(off.body.enabled).toBe(false);
      expect(t.app.get(RoutingTable).get(ep.id)!.online).toBe(false);
      await admin().put(`/v0/endpoints/${ep.id}`, { enabled: true });
      expect(t.app.get(RoutingTable).get(ep.id)!.online).toBe(true);
    });

    it('test probes and re-detects: {success, latency_ms, endpoint_type, models_found, error}', async () => {
      const { f, ep } = await register('vllm', { models: ['a', 'b', 'c'] });
      const ok = await admin().post(`/v0/endpoints/${ep.id}/test`);
      expect(ok.status).toBe(200);
      expect(ok.body).toEqual({
        success: true,
        latency_ms: expect.any(Number),
        endpoint_type: 'vllm',
        models_found: 3,
        error: null,
      });
      await f.stop();
      const down = await admin().post(`/v0/endpoints/${ep.id}/test`);
      expect(down.body).toMatchObject({ success: false, latency_ms: null, models_found: null });
      expect(down.body.error).toMatch(/refused/);
      expect((await admin().get(`/v0/endpoints/${ep.id}`)).body.status).toBe('error');
    });

    it('delete answers 204, removes it from the routing table, then 404', async () => {
      const { ep } = await register('vllm');
      expect(t.app.get(RoutingTable).get(ep.id)).toBeDefined();
      const del = await admin().delete(`/v0/endpoints/${ep.id}`);
      expect(del.status).toBe(204);
      expect(t.app.get(RoutingTable).get(ep.id)).toBeUndefined();
      expect((await admin().get(`/v0/endpoints/${ep.id}`)).status).toBe(404);
      expect((await admin().delete(`/v0/endpoints/${ep.id}`)).status).toBe(404);
      expect((await admin().post(`/v0/endpoints/${ep.id}/sync`)).status).toBe(404);
    });
  });

  describe('for the downloads module', () => {
    it('getConnection gives the decrypted key and the client streams NDJSON with an abort', async () => {
      const { f, ep } = await register('ollama', { apiKey: 'dl-key' }, { api_key: 'dl-key' });
      const conn = await t.app.get(EndpointsService).getConnection(ep.id);
      expect(conn).toMatchObject({
        id: ep.id,
        endpointType: 'ollama',
        baseUrl: f.url,
        apiKey: 'dl-key',
        status: 'online',
      });
      f.route('POST', '/api/pull', async ({ res }) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write('{"status":"pulling manifest"}\n');
        res.write('{"status":"downloading","total":100,"completed":40}\n');
        await new Promise((r) => setTimeout(r, 20));
        res.end('{"status":"success"}\n');
      });
      const s = await t.app.get(BackendHttpClient).stream('POST', `${f.url}/api/pull`, {
        apiKey: conn.apiKey,
        body: { model: 'phi3:mini', stream: true },
        timeoutMs: 2000,
        idleMs: 2000,
      });
      expect(s.status).toBe(200);
      let text = '';
      for await (const chunk of s.body) text += chunk.toString();
      expect(
        text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l).status),
      ).toEqual(['pulling manifest', 'downloading', 'success']);
      expect(f.hits('/api/pull')[0].headers.authorization).toBe('Bearer dl-key');
      expect(JSON.parse(f.hits('/api/pull')[0].body)).toEqual({ model: 'phi3:mini', stream: true });

      f.route('POST', '/api/pull', ({ res }) => {
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.write('{"status":"pulling manifest"}\n'); // then silence
      });
      const ac = new AbortController();
      const hung = await t.app.get(BackendHttpClient).stream('POST', `${f.url}/api/pull`, {
        body: { model: 'x' },
        timeoutMs: 2000,
        idleMs: 10_000,
        signal: ac.signal,
        apiKey: 'dl-key',
      });
      setTimeout(() => ac.abort(), 50);
      await expect(
        (async () => {
          for await (const _ of hung.body) void _;
        })(),
      ).rejects.toThrow();
    });
  });
});
