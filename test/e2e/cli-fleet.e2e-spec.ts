import { FakeHfHub } from '../fakes/hf-hub';
import { FakeLlmServer } from '../fakes/llm-server';
import { PullingNode } from '../fakes/pulling-node';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app';
import { ensureBuilt, runCli } from '../helpers/cli';
import { api, login, waitFor } from '../helpers/http';
import { registerNode, sendHeartbeat } from '../helpers/nodes';

const GiB = 1024 ** 3;
const REPO = 'bartowski/Llama-3.2-1B-Instruct-GGUF';
const FILE = 'Llama-3.2-1B-Instruct-Q4_K_M.gguf';
const MODEL = 'bartowski/llama-3.2-1b-instruct-gguf/llama-3.2-1b-instruct-q4_k_m';

/**
 * The fleet commands of the built CLI (`node bin/llmlb.js`, a child process) against the REAL
 * server: nodes registered over HTTP, endpoints that are fake LLM servers in their products'
 * wire formats, the catalog from a fake Hugging Face Hub.
 */
describe('llmlb CLI fleet commands against the real server', () => {
  let app: TestApp;
  let hub: FakeHfHub;
  let ollama: FakeLlmServer;
  let vllm: FakeLlmServer;
  let env: Record<string, string>;
  let jwt: string;
  let pending: { nodeId: string; token: string };
  let online: { nodeId: string; token: string };

  beforeAll(async () => {
    ensureBuilt();
    hub = await new FakeHfHub([
      {
        id: REPO,
        downloads: 98_000,
        likes: 150,
        files: [{ path: FILE, size: 807_694_464 }],
      },
      {
        id: 'Qwen/Qwen2.5-7B-Instruct-GGUF',
        downloads: 120_345,
        files: [{ path: 'qwen2.5-7b-instruct-q4_k_m.gguf', size: 4_683_073_952 }],
      },
    ]).start();
    [ollama, vllm] = await Promise.all([
      FakeLlmServer.start('ollama'),
      FakeLlmServer.start('vllm', { models: [{ id: 'Qwen/Qwen2.5-7B-Instruct' }] }),
    ]);
    // The nodes of this file heartbeat once: a slow run must not let them go offline midway.
    app = await startApp({
      HF_BASE_URL: hub.url,
      LLMLB_STATS_FLUSH_MS: '50',
      LLMLB_NODE_TIMEOUT_SECS: '3600',
    });
    jwt = await login(app.url, 'admin', ADMIN_PASSWORD);
    const key = await api(app.url)
      .as(jwt)
      .post('/v0/api-keys', {
        name: 'cli',
        permissions: [
          'nodes.read',
          'nodes.manage',
          'endpoints.read',
          'endpoints.manage',
          'models.read',
          'models.manage',
          'tasks.read',
          'metrics.read',
          'inference',
        ],
      });
    env = { LLMLB_URL: app.url, LLMLB_API_KEY: key.body.key };
    online = await registerNode(app.url, {
      machine_name: 'gpu-a100-01',
      gpu_devices: [{ model: 'NVIDIA A100 80GB', count: 4, memory_bytes: 80 * GiB }],
    });
    await api(app.url).as(jwt).post(`/v0/nodes/${online.nodeId}/approve`);
    await sendHeartbeat(app.url, online.token, { gpu_usage: 40 });
    pending = await registerNode(app.url, {
      machine_name: 'gpu-4090-02',
      gpu_devices: [{ model: 'NVIDIA GeForce RTX 4090', count: 2, memory_bytes: 24 * GiB }],
    });
  }, 120_000);

  /** Registers the catalog file unless an earlier test did (tests may run alone with -t). */
  async function ensureModel(): Promise<void> {
    const models = await api(app.url).as(jwt).get('/v0/models');
    if (!models.body.models.some((m: { name: string }) => m.name === MODEL))
      await api(app.url).as(jwt).post('/v0/models/register', { repo: REPO, filename: FILE });
  }

  afterAll(async () => {
    await app?.cleanup();
    await Promise.all([hub?.stop(), ollama?.stop(), vllm?.stop()]);
  });

  it('nodes list shows GPUs, statuses and short ids; --json parses and --status filters', async () => {
    const r = await runCli(['nodes', 'list'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('gpu-4090-02');
    expect(r.stdout).toContain('NVIDIA A100 80GB x4 80 GB');
    expect(r.stdout).toContain('NVIDIA GeForce RTX 4090 x2 24 GB');
    expect(r.stdout).toMatch(/gpu-4090-02.*pending/);
    expect(r.stdout).toContain(pending.nodeId.slice(0, 8));

    const json = await runCli(['nodes', 'list', '--status', 'pending', '--json'], env);
    expect(json.code).toBe(0);
    const body = JSON.parse(json.stdout);
    expect(body.nodes.map((n: { id: string }) => n.id)).toEqual([pending.nodeId]);
    expect(body.total).toBe(1);
  });

  it('an unknown node is an error before any change; the server message on a real failure', async () => {
    const r = await runCli(['nodes', 'approve', 'nope'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no node matches "nope"');
    // Approving an online node: the server answers 409 and the CLI carries its message.
    const expected = await api(app.url).as(jwt).post(`/v0/nodes/${online.nodeId}/approve`);
    expect(expected.status).toBeGreaterThanOrEqual(400);
    const again = await runCli(['nodes', 'approve', online.nodeId], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(expected.body.error.message);
  });

  it('nodes approve takes a machine name; reject takes an id prefix', async () => {
    const r = await runCli(['nodes', 'approve', 'gpu-4090-02'], env);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/approved gpu-4090-02 \(now (online|registering)\)/);
    const node = await api(app.url).as(jwt).get(`/v0/nodes/${pending.nodeId}`);
    expect(node.body.status).not.toBe('pending');

    const extra = await registerNode(app.url, { machine_name: 'gpu-reject-me' });
    const rej = await runCli(['nodes', 'reject', extra.nodeId.slice(0, 8)], env);
    expect(rej.code).toBe(0);
    expect(rej.stdout).toContain(`rejected node ${extra.nodeId}`);
    expect((await api(app.url).as(jwt).get(`/v0/nodes/${extra.nodeId}`)).status).toBe(404);
  });

  it('endpoints add (detected type), list, test, sync and rm against fake servers', async () => {
    const add = await runCli(['endpoints', 'add', 'ollama-box', ollama.url], env);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toMatch(/added ollama-box \([0-9a-f-]{36}\): ollama, online, 2 models/);

    const opts = await runCli(
      [
        'endpoints',
        'add',
        'vllm-h100',
        vllm.url,
        '--type',
        'vllm',
        '--interval',
        '20',
        '--timeout',
        '60',
        '--priority',
        '70',
        '--json',
      ],
      env,
    );
    expect(opts.code).toBe(0);
    const created = JSON.parse(opts.stdout);
    expect(created).toMatchObject({
      name: 'vllm-h100',
      endpoint_type: 'vllm',
      type_source: 'manual',
      health_check_interval_secs: 20,
      inference_timeout_secs: 60,
      priority: 70,
      status: 'online',
    });

    const list = await runCli(['endpoints', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/ollama-box.*ollama.*online/);
    expect(list.stdout).toMatch(/vllm-h100.*vllm.*online/);
    const listJson = JSON.parse((await runCli(['endpoints', 'list', '--json'], env)).stdout);
    expect(listJson.total).toBe(2);

    const test = await runCli(['endpoints', 'test', 'ollama-box'], env);
    expect(test.code).toBe(0);
    expect(test.stdout).toMatch(/ok: ollama in \d+ ms, 2 models/);
    const sync = await runCli(['endpoints', 'sync', 'ollama-box', '--json'], env);
    expect(sync.code).toBe(0);
    const synced = JSON.parse(sync.stdout);
    expect(synced.models.map((m: { id: string }) => m.id)).toEqual([
      'llama3.2:latest',
      'nomic-embed-text:latest',
    ]);
    expect(synced.added).toBe(0);
    const human = await runCli(['endpoints', 'sync', 'ollama-box'], env);
    expect(human.stdout).toContain('synced: +0 -0 ~0, 2 models');

    // A duplicate: the server's 409 message and a failing exit status.
    const dup = await runCli(['endpoints', 'add', 'ollama-box', 'http://127.0.0.1:9'], env);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('An endpoint with this name already exists');

    // Sync of an endpoint whose server is down: 502 from the server, exit 1.
    const down = await FakeLlmServer.start('ollama');
    const gone = await api(app.url)
      .as(jwt)
      .post('/v0/endpoints', { name: 'going-down', base_url: down.url });
    await down.stop();
    const failed = await runCli(['endpoints', 'sync', 'going-down'], env);
    expect(failed.code).toBe(1);
    const expected = await api(app.url).as(jwt).post(`/v0/endpoints/${gone.body.id}/sync`);
    expect(expected.status).toBe(502);
    expect(failed.stderr).toContain(expected.body.error.message);

    const rm = await runCli(['endpoints', 'rm', 'going-down'], env);
    expect(rm.code).toBe(0);
    expect(rm.stdout).toContain(`deleted endpoint ${gone.body.id}`);
    expect((await api(app.url).as(jwt).get(`/v0/endpoints/${gone.body.id}`)).status).toBe(404);
  });

  it('models available, add (and its conflict), list', async () => {
    const avail = await runCli(['models', 'available', 'llama'], env);
    expect(avail.code).toBe(0);
    expect(avail.stdout).toMatch(/bartowski\/Llama-3.2-1B-Instruct-GGUF.*available.*98000/);
    expect(avail.stdout).not.toContain('Qwen');
    const files = await runCli(['models', 'files', REPO], env);
    expect(files.code).toBe(0);
    expect(files.stdout).toContain(FILE);

    const add = await runCli(['models', 'add', REPO, FILE], env);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    expect(add.stdout).toContain(`registered ${MODEL} (770 MB)`);
    const dup = await runCli(['models', 'add', REPO, FILE], env);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('already registered');
    const missing = await runCli(['models', 'add', REPO, 'nope.gguf'], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found/i);

    const again = await runCli(['models', 'available', 'llama', '--json'], env);
    const catalog = JSON.parse(again.stdout);
    expect(catalog.supported.map((m: { name: string }) => m.name)).toEqual([MODEL]);
    const human = await runCli(['models', 'available', 'llama'], env);
    expect(human.stdout).toContain(`registered as ${MODEL}`);

    const list = await runCli(['models', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(MODEL);
    const json = JSON.parse((await runCli(['models', 'list', '--json'], env)).stdout);
    expect(json.models[0]).toMatchObject({ name: MODEL, repo: REPO, filename: FILE });
  });

  it('tasks: an empty list, and --watch with nothing active', async () => {
    const list = await runCli(['tasks', '--json'], env);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject({ tasks: expect.any(Array) });
    const none = await runCli(['tasks', '--watch'], env);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('no active tasks');
  });

  it('a download to a node that is not online fails with the server message', async () => {
    await ensureModel();
    const other = await registerNode(app.url, { machine_name: 'gpu-still-pending' });
    const r = await runCli(['models', 'download', MODEL, '--node', other.nodeId], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not online/i);
    await api(app.url).as(jwt).delete(`/v0/nodes/${other.nodeId}`);
  });

  describe('downloads to a node runtime that reports progress', () => {
    let runtime: PullingNode;
    let node: { nodeId: string; token: string };

    beforeAll(async () => {
      runtime = await new PullingNode(app.url, '').start();
      runtime.stepMs = 400;
      node = await registerNode(app.url, {
        machine_name: 'gpu-pull-01',
        runtime_port: Number(new URL(runtime.url).port),
      });
      runtime.token = node.token;
      await api(app.url).as(jwt).post(`/v0/nodes/${node.nodeId}/approve`);
      await sendHeartbeat(app.url, node.token);
      await ensureModel();
    });
    afterAll(async () => {
      await runtime?.stop();
      await api(app.url).as(jwt).delete(`/v0/nodes/${node.nodeId}`);
    });

    it('models download --node follows the task with a progress bar to 100 % and exits 0', async () => {
      const r = await runCli(['models', 'download', MODEL, '--node', 'gpu-pull-01'], env);
      // some intermediate step (which ones the CLI sees depends on when it polls)
      expect(r.stderr).toMatch(/\b[1-9]\d?% in_progress/);
      expect(r.stderr).toMatch(/100% completed/);
      // Progress lines name the node and keep the end of the model name (its quantization).
      expect(r.stderr).toMatch(/…\S*q4_k_m node gpu-pull-01 100% completed/);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/completed\s+100%/);
      expect(runtime.pulls.at(-1)!.model).toBe(MODEL);
      const task = await api(app.url)
        .as(jwt)
        .get(`/v0/tasks/${runtime.pulls.at(-1)!.task_id}`);
      expect(task.body).toMatchObject({ status: 'completed', progress: 1, node_id: node.nodeId });
    });

    it('models download --json returns the task ids at once; tasks --watch follows them', async () => {
      const r = await runCli(['models', 'download', MODEL, '--node', node.nodeId, '--json'], env);
      expect(r.code).toBe(0);
      const { task_ids } = JSON.parse(r.stdout);
      expect(task_ids).toHaveLength(1);
      const watch = await runCli(['tasks', '--watch'], env);
      expect(watch.code).toBe(0);
      expect(watch.stderr).toMatch(/100% completed/);
      const list = await runCli(['tasks'], env);
      expect(list.code).toBe(0);
      expect(list.stdout).toContain(task_ids[0].slice(0, 8));
      expect(list.stdout).toContain('node gpu-pull-01');
      expect(list.stdout).toMatch(/completed/);
      const json = JSON.parse(
        (await runCli(['tasks', '--status', 'completed', '--json'], env)).stdout,
      );
      expect(json.tasks.map((t: { id: string }) => t.id)).toContain(task_ids[0]);
    });

    it('models download --all makes one task per online node and reports each outcome', async () => {
      const online = (await api(app.url).as(jwt).get('/v0/nodes?status=online')).body.total;
      expect(online).toBeGreaterThan(1);
      const r = await runCli(['models', 'download', MODEL, '--all'], env);
      expect(r.stdout).toContain(`downloading ${MODEL} to ${online} node(s)`);
      // gpu-pull-01 completes; the other online nodes have no runtime listening and fail.
      expect(r.stderr).toMatch(/node gpu-pull-01 100% completed/);
      expect(r.stderr).toMatch(/node gpu-a100-01 \d+% failed: \S+/);
      expect(r.stdout.match(/completed {2}100%/g)).toHaveLength(1);
      expect(r.code).toBe(1);
    });

    it('a pull the node refuses ends the command with a failing status and the error', async () => {
      runtime.refusePulls = true;
      try {
        const r = await runCli(['models', 'download', MODEL, '--node', 'gpu-pull-01'], env);
        expect(r.code).toBe(1);
        expect(`${r.stdout}${r.stderr}`).toMatch(/failed/);
      } finally {
        runtime.refusePulls = false;
      }
    });
  });

  it('status summarises the fleet and the traffic', async () => {
    const chat = await api(app.url)
      .as(jwt)
      .post('/v1/chat/completions', {
        model: 'Qwen/Qwen2.5-7B-Instruct',
        messages: [{ role: 'user', content: 'hi' }],
      });
    expect(chat.status).toBe(200);
    await waitFor(async () => (await api(app.url).as(jwt).get('/v0/stats')).body.totals.requests);
    const r = await runCli(['status'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Nodes\s+2 \(/);
    expect(r.stdout).toMatch(/Endpoints\s+2 \(2 online\)/);
    expect(r.stdout).toMatch(/Models\s+1/);
    expect(r.stdout).toMatch(
      /Requests\s+1 total, 0 errors; last hour [\d.]+\/min, p50 [\d.]+ ms, p95 [\d.]+ ms/,
    );
    expect(r.stdout).toMatch(/Slots\s+0 in use of (unlimited|\d+); 0 queued/);
    const json = JSON.parse((await runCli(['status', '--json'], env)).stdout);
    expect(json.stats).toMatchObject({ requests: 1, errors: 0, slots_in_use: 0, queued: 0 });
    expect(json.stats.last_hour.requests).toBe(1);
  });
});
