import { randomUUID } from 'node:crypto';
import { TaskStore } from '../../src/tasks/task-store.service';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { Fleet } from '../helpers/fleet';
import { api, login, waitFor } from '../helpers/http';
import { FakeOllamaPull } from '../fakes/ollama-pull';
import { FakeXllmDownloads } from '../fakes/xllm-download';

describe('downloads to endpoints', () => {
  let t: TestApp;
  let admin: ReturnType<typeof api>;
  let dir: Fleet;
  let xllm: FakeXllmDownloads;
  let ollama: FakeOllamaPull;
  let ollamaId: string | undefined;
  /** The endpoint over the shared Ollama fake (one endpoint per base URL). */
  const ollamaEndpoint = async () => (ollamaId ??= await addEndpoint('ollama', ollama.url));

  function addEndpoint(
    endpointType: string,
    baseUrl: string,
    apiKey: string | null = null,
  ): Promise<string> {
    return dir.addEndpoint({ endpointType, baseUrl, apiKey });
  }
  /** No model listing (probe or sync) reaches the fake for a while after `before`. */
  async function expectNoSync(fake: { modelListRequests: number }, before: number) {
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.modelListRequests).toBe(before);
  }
  const task = async (id: string) => (await admin.get(`/v0/tasks/${id}`)).body;

  beforeAll(async () => {
    xllm = await new FakeXllmDownloads().start();
    ollama = await new FakeOllamaPull().start();
    t = await startApp({ LLMLB_XLLM_POLL_INTERVAL_MS: '80' });
    dir = new Fleet(t);
    admin = api(t.url).as(await login(t.url, 'admin', ADMIN_PASSWORD));
  });
  afterAll(async () => {
    await t.cleanup();
    await xllm.stop();
    await ollama.stop();
  });

  it('xLLM: starts the download, mirrors polled progress, completes and re-syncs the endpoint', async () => {
    const id = await addEndpoint('xllm', xllm.url, 'sk-backend');
    const r = await admin.post(`/v0/endpoints/${id}/download`, {
      model: 'Qwen/Qwen2.5-7B-Instruct-GGUF',
      filename: 'qwen2.5-7b-instruct-q4_k_m.gguf',
    });
    expect(r.status).toBe(202);
    expect(r.body).toMatchObject({
      kind: 'endpoint_download',
      endpoint_id: id,
      node_id: null,
      model: 'Qwen/Qwen2.5-7B-Instruct-GGUF',
    });
    await waitFor(() => xllm.started.length === 1, { what: 'xllm start' });
    expect(xllm.started[0]).toEqual({
      model: 'Qwen/Qwen2.5-7B-Instruct-GGUF',
      filename: 'qwen2.5-7b-instruct-q4_k_m.gguf',
      authorization: 'Bearer sk-backend',
    });

    const mid = await waitFor(
      async () => {
        const p = await admin.get(`/v0/endpoints/${id}/download/progress`);
        const x = p.body.tasks[0];
        return x && x.status === 'in_progress' && x.progress > 0 && x.progress < 100
          ? p.body
          : null;
      },
      { what: 'intermediate xllm progress', intervalMs: 20 },
    );
    expect(mid.endpoint_id).toBe(id);
    expect(mid.tasks[0]).toMatchObject({
      task_id: r.body.id,
      model: 'Qwen/Qwen2.5-7B-Instruct-GGUF',
      speed_mbps: 120.5,
    });
    expect(mid.tasks[0].eta_seconds).toEqual(expect.any(Number));

    await waitFor(async () => (await task(r.body.id)).status === 'completed', {
      what: 'xllm completion',
    });
    expect((await task(r.body.id)).progress).toBe(1);
    // completion re-synced the endpoint: its model list now has the downloaded model
    await waitFor(
      async () => (await dir.endpointModels(id)).includes('Qwen/Qwen2.5-7B-Instruct-GGUF'),
      { what: 'sync after completion' },
    );
  });

  it('xLLM: a failed remote download fails the task with its error', async () => {
    const fx = await new FakeXllmDownloads().start();
    fx.failAt = 50;
    try {
      const id = await addEndpoint('xllm', fx.url);
      const listings = fx.modelListRequests;
      const r = await admin.post(`/v0/endpoints/${id}/download`, {
        model: 'm',
        filename: 'm.gguf',
      });
      await waitFor(async () => (await task(r.body.id)).status === 'failed', {
        what: 'xllm failure',
      });
      expect((await task(r.body.id)).error).toBe('checksum mismatch');
      await expectNoSync(fx, listings);
      expect(await dir.endpointModels(id)).toEqual([]);
    } finally {
      await fx.stop();
    }
  });

  it('Ollama: streams /api/pull NDJSON into progress, completes on success and re-syncs', async () => {
    const id = await ollamaEndpoint();
    const store = t.app.get(TaskStore);
    const writesBefore = store.writes;
    const r = await admin.post(`/v0/endpoints/${id}/download`, { model: 'llama3.2:1b' });
    expect(r.status).toBe(202);
    const mid = await waitFor(
      async () => {
        const x = await task(r.body.id);
        return x.status === 'in_progress' && x.progress > 0 && x.progress < 1 ? x : null;
      },
      { what: 'intermediate ollama progress', intervalMs: 20 },
    );
    expect(mid.total_bytes).toBeGreaterThan(0);
    expect(ollama.pulls.at(-1)).toEqual({ model: 'llama3.2:1b', stream: true });
    await waitFor(async () => (await task(r.body.id)).status === 'completed', {
      what: 'ollama completion',
    });
    const done = await task(r.body.id);
    expect(done).toMatchObject({
      progress: 1,
      total_bytes: 4_001_000,
      downloaded_bytes: 4_001_000,
    });
    await waitFor(async () => (await dir.endpointModels(id)).includes('llama3.2:1b'), {
      what: 'sync after completion',
    });
    // 10 progress lines over ~0.8 s: throttled writes, far fewer than one per line
    expect(store.writes - writesBefore).toBeLessThan(8);
    const p = await admin.get(`/v0/endpoints/${id}/download/progress`);
    expect(p.body.tasks[0]).toMatchObject({ progress: 100, status: 'completed' });
  });

  it('Ollama: an error line fails the task with its message; a dropped stream fails it too', async () => {
    const id = await ollamaEndpoint();
    const r = await admin.post(`/v0/endpoints/${id}/download`, { model: 'no-such-model' });
    await waitFor(async () => (await task(r.body.id)).status === 'failed', {
      what: 'ollama error',
    });
    expect((await task(r.body.id)).error).toBe('Ollama: pull model manifest: file does not exist');

    const drop = await new FakeOllamaPull().start();
    drop.dropAfterLines = 3;
    try {
      const id2 = await addEndpoint('ollama', drop.url);
      const r2 = await admin.post(`/v0/endpoints/${id2}/download`, { model: 'llama3.2:1b' });
      await waitFor(async () => (await task(r2.body.id)).status === 'failed', {
        what: 'dropped stream',
      });
      expect((await task(r2.body.id)).error).toMatch(/^Ollama pull (failed|stream ended)/);
    } finally {
      await drop.stop();
    }
  });

  it('Ollama: cancelling stops the stream', async () => {
    const slow = await new FakeOllamaPull().start();
    slow.lineMs = 200;
    try {
      const id = await addEndpoint('ollama', slow.url);
      const listings = slow.modelListRequests;
      const r = await admin.post(`/v0/endpoints/${id}/download`, { model: 'llama3.2:1b' });
      await waitFor(async () => (await task(r.body.id)).progress > 0, { what: 'some progress' });
      expect((await admin.post(`/v0/tasks/${r.body.id}/cancel`)).body.status).toBe('cancelled');
      await new Promise((res) => setTimeout(res, 500));
      expect((await task(r.body.id)).status).toBe('cancelled');
      expect(slow.modelListRequests).toBe(listings);
      expect(await dir.endpointModels(id)).toEqual([]);
    } finally {
      await slow.stop();
    }
  });

  it('refuses other endpoint types and unknown endpoints', async () => {
    const id = await addEndpoint('vllm', 'http://127.0.0.1:9');
    const r = await admin.post(`/v0/endpoints/${id}/download`, { model: 'x' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('unsupported_for_type');
    const u = await admin.post(`/v0/endpoints/${randomUUID()}/download`, { model: 'x' });
    expect(u.status).toBe(404);
    expect(u.body.error.code).toBe('endpoint_not_found');
    expect((await admin.get(`/v0/endpoints/${randomUUID()}/download/progress`)).status).toBe(404);
    expect((await admin.post(`/v0/endpoints/not-a-uuid/download`, { model: 'x' })).status).toBe(
      400,
    );
    expect((await admin.post(`/v0/endpoints/${id}/download`, {})).status).toBe(400);
  });
});
