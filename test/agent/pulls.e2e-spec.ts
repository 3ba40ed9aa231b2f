import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentProcess, writeFakeTools } from '../helpers/agent';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { api, login, waitFor } from '../helpers/http';
import { FakeHfHub } from '../fakes/hf-hub';
import { startFakeLlamaCpp } from '../fakes/llama-cpp';
import type { FakeLlmServer } from '../fakes/llm-server';

const KIB = 1024;
const content = (n: number) => randomBytes(n);

/** 64 KiB every 40 ms: about 1.6 MB/s, so a pull of a few MB is seen in progress. */
const SLOW = { chunkBytes: 64 * KIB, chunkDelayMs: 40 };

const FILES = {
  done: content(1536 * KIB),
  resume: content(3 * 1024 * KIB),
  cancel: content(8 * 1024 * KIB),
  short: content(256 * KIB),
};

describe('llmlb agent: model pulls (poll mode)', () => {
  let hub: FakeHfHub;
  let t: TestApp;
  let runtime: FakeLlmServer;
  let tmp: string;
  let tools: string;
  let modelsDir: string;
  let adminJwt: string;
  let nodeId: string;
  let agent: AgentProcess | null = null;

  const admin = () => api(t.url).as(adminJwt);
  const task = async (id: string) => (await admin().get(`/v0/tasks/${id}`)).body;
  const modelPath = (name: string, file: string) => join(modelsDir, ...name.split('/'), file);

  function startAgent(env: Record<string, string> = {}): AgentProcess {
    agent = new AgentProcess(
      [
        '--server',
        t.url,
        '--runtime',
        runtime.url,
        '--interval',
        '0.3',
        '--models-dir',
        modelsDir,
        '--on-downloaded',
        `printf 'hook ran for %s\\n'`,
      ],
      {
        PATH: tools,
        LLMLB_AGENT_DATA_DIR: join(tmp, 'data'),
        LLMLB_AGENT_MAX_BACKOFF_SECS: '0.5',
        HF_TOKEN: 'hf_test_token',
        ...env,
      },
    );
    return agent;
  }

  async function register(repo: string, file: string): Promise<string> {
    const r = await admin().post('/v0/models/register', { repo, filename: file });
    expect(r.status).toBe(201);
    return r.body.name as string;
  }

  async function pull(model: string): Promise<string> {
    const r = await admin().post('/v0/models/download', {
      model,
      target: 'specific',
      node_ids: [nodeId],
    });
    expect(r.status).toBe(202);
    return r.body.task_ids[0] as string;
  }

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'llmlb-agent-pulls-'));
    modelsDir = join(tmp, 'models');
    tools = writeFakeTools(join(tmp, 'bin'), {
      'nvidia-smi': { stdout: '0, NVIDIA L4, 23034, 100, 5, 40\n' },
    });
    hub = await new FakeHfHub([
      {
        id: 'org/done-GGUF',
        files: [
          { path: 'done.Q4_K_M.gguf', size: FILES.done.length, content: FILES.done, ...SLOW },
        ],
      },
      {
        id: 'org/resume-GGUF',
        files: [
          { path: 'resume.Q4_K_M.gguf', size: FILES.resume.length, content: FILES.resume, ...SLOW },
        ],
      },
      {
        id: 'org/cancel-GGUF',
        files: [
          { path: 'cancel.Q4_K_M.gguf', size: FILES.cancel.length, content: FILES.cancel, ...SLOW },
        ],
      },
      {
        id: 'org/big-GGUF',
        files: [{ path: 'big.Q4_K_M.gguf', size: 1000, content: content(1000) }],
      },
      // the hub announces more bytes than it serves
      {
        id: 'org/short-GGUF',
        files: [
          { path: 'short.Q4_K_M.gguf', size: FILES.short.length + 1000, content: FILES.short },
        ],
      },
    ]).start();
    runtime = await startFakeLlamaCpp({ models: ['gemma-3-4b-it-Q4_K_M.gguf'] });
    t = await startApp({ HF_BASE_URL: hub.url, LLMLB_NODE_ALLOWED_NETWORKS: '127.0.0.0/8' });
    adminJwt = await login(t.url, 'admin', ADMIN_PASSWORD);
    const a = startAgent();
    await a.waitForLine(/registered with/);
    nodeId = (await admin().get('/v0/nodes')).body.nodes[0].id;
    expect((await admin().post(`/v0/nodes/${nodeId}/approve`)).status).toBe(200);
    await a.waitForLine(/is online/);
  });

  afterAll(async () => {
    await agent?.stop();
    await t.cleanup();
    await runtime.close();
    await hub.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('downloads a pull from its heartbeat answer with progress, verifies it and runs --on-downloaded', async () => {
    const model = await register('org/done-GGUF', 'done.Q4_K_M.gguf');
    const id = await pull(model);
    const seen = await waitFor(
      async () => {
        const x = await task(id);
        return x.status === 'in_progress' && x.progress > 0 && x.progress < 1 ? x : null;
      },
      { what: 'progress', intervalMs: 50 },
    );
    expect(seen).toMatchObject({ node_id: nodeId, total_bytes: FILES.done.length });
    expect(seen.speed_bps).toBeGreaterThan(0);
    await waitFor(async () => (await task(id)).status === 'completed', { what: 'completed' });
    expect(await task(id)).toMatchObject({ progress: 1, downloaded_bytes: FILES.done.length });

    const path = modelPath(model, 'done.Q4_K_M.gguf');
    expect(readFileSync(path).equals(FILES.done)).toBe(true);
    expect(existsSync(`${path}.part`)).toBe(false);
    await agent!.waitForLine(new RegExp(`hook ran for ${path.replace(/[.]/g, '\\.')}`));
    // HF_TOKEN goes to the hub with the download
    const get = hub.requests.find(
      (r) => r.method === 'GET' && r.path.includes('/resolve/main/done'),
    );
    expect(get?.authorization).toBe('Bearer hf_test_token');
  });

  it('resumes with Range after the agent is killed mid-download', async () => {
    const model = await register('org/resume-GGUF', 'resume.Q4_K_M.gguf');
    const id = await pull(model);
    await waitFor(async () => (await task(id)).progress > 0.2, { what: 'a fifth downloaded' });
    await agent!.kill();
    const path = modelPath(model, 'resume.Q4_K_M.gguf');
    const partial = statSync(`${path}.part`).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(FILES.resume.length);

    const ranges = hub.ranges.length;
    const a = startAgent();
    await a.waitForLine(/\(updated\)/);
    await waitFor(async () => (await task(id)).status === 'completed', {
      what: 'completed after the restart',
      timeoutMs: 20_000,
    });
    const resumed = hub.ranges.slice(ranges).find((r) => r !== undefined);
    expect(resumed).toMatch(/^bytes=\d+-$/);
    expect(Number(/=(\d+)-/.exec(resumed!)![1])).toBeGreaterThanOrEqual(partial);
    // SHA-256 from the hub's X-Linked-ETag checked over the resumed file
    expect(createHash('sha256').update(readFileSync(path)).digest('hex')).toBe(
      createHash('sha256').update(FILES.resume).digest('hex'),
    );
  });

  it('stops and discards the partial file when the task is cancelled', async () => {
    const model = await register('org/cancel-GGUF', 'cancel.Q4_K_M.gguf');
    const id = await pull(model);
    await waitFor(async () => (await task(id)).progress > 0.05, { what: 'some progress' });
    const from = agent!.lines.length;
    expect((await admin().post(`/v0/tasks/${id}/cancel`)).status).toBe(200);
    await agent!.waitForLine(new RegExp(`pull ${id} stopped`), { from });
    const path = modelPath(model, 'cancel.Q4_K_M.gguf');
    expect(existsSync(`${path}.part`)).toBe(false);
    expect(existsSync(path)).toBe(false);
    expect((await task(id)).status).toBe('cancelled');
  });

  it('fails the task when the file is not the announced size', async () => {
    const model = await register('org/short-GGUF', 'short.Q4_K_M.gguf');
    const id = await pull(model);
    const failed = await waitFor(
      async () => {
        const x = await task(id);
        return x.status === 'failed' ? x : null;
      },
      { what: 'failed' },
    );
    expect(failed.error).toMatch(/^size_mismatch: .*expected 263144 bytes, got 262144/);
    expect(existsSync(modelPath(model, 'short.Q4_K_M.gguf'))).toBe(false);
  });

  it('fails with insufficient_disk before downloading when the disk cannot hold the files', async () => {
    await agent!.stop();
    const a = startAgent({ LLMLB_AGENT_RESERVE_DISK_BYTES: String(2 ** 60) });
    await a.waitForLine(/is online/);
    const model = await register('org/big-GGUF', 'big.Q4_K_M.gguf');
    const gets = hub.requests.filter((r) => r.method === 'GET').length;
    const id = await pull(model);
    const failed = await waitFor(
      async () => {
        const x = await task(id);
        return x.status === 'failed' ? x : null;
      },
      { what: 'failed' },
    );
    expect(failed.error).toMatch(/^insufficient_disk: 1000 bytes needed in .*, 0 available$/);
    expect(hub.requests.filter((r) => r.method === 'GET').length).toBe(gets);
  });
});
