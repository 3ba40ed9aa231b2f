import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { AgentProcess, TcpForwarder, writeFakeTools } from '../helpers/agent';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { createKey } from '../helpers/backends';
import { api, login, waitFor } from '../helpers/http';
import { startFakeLlamaCpp } from '../fakes/llama-cpp';
import type { FakeLlmServer } from '../fakes/llm-server';

const MIB = 1024 * 1024;
const SERVER_ENV = { LLMLB_NODE_ALLOWED_NETWORKS: '127.0.0.0/8' };
// nvidia-smi --query-gpu=index,name,memory.total,memory.used,utilization.gpu,temperature.gpu
//   --format=csv,noheader,nounits on a box with two models
const NVIDIA = [
  '0, NVIDIA GeForce RTX 4090, 24564, 8192, 63, 70',
  '1, NVIDIA GeForce RTX 4090, 24564, 4096, 21, 58',
  '2, NVIDIA L4, 23034, [N/A], [N/A], 40',
  '',
].join('\n');

describe('llmlb agent: register, approve, heartbeats, restarts', () => {
  let t: TestApp;
  let fwd: TcpForwarder;
  let runtime: FakeLlmServer;
  let tmp: string;
  let tools: string;
  let dataDir: string;
  let adminJwt: string;
  let agent: AgentProcess | null = null;

  const admin = () => api(t.url).as(adminJwt);
  const nodes = async () => (await admin().get('/v0/nodes')).body.nodes as any[];

  function startAgent(): AgentProcess {
    agent = new AgentProcess(
      ['--server', fwd.url, '--runtime', runtime.url, '--name', 'gpu-box', '--interval', '0.3'],
      {
        PATH: tools,
        LLMLB_AGENT_DATA_DIR: dataDir,
        LLMLB_AGENT_MODELS_DIR: join(tmp, 'models'),
        LLMLB_AGENT_MAX_BACKOFF_SECS: '0.5',
      },
    );
    return agent;
  }

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'llmlb-agent-'));
    tools = writeFakeTools(join(tmp, 'bin'), {
      'nvidia-smi': { stdout: NVIDIA },
      'rocm-smi': { stderr: 'ERROR: No AMD GPUs specified', exitCode: 2 },
    });
    dataDir = join(tmp, 'data');
    runtime = await startFakeLlamaCpp({
      models: ['gemma-3-4b-it-Q4_K_M.gguf', 'nomic-embed-text-v1.5.Q8_0.gguf'],
    });
    t = await startApp(SERVER_ENV);
    fwd = await new TcpForwarder().start();
    fwd.target = Number(new URL(t.url).port);
    adminJwt = await login(t.url, 'admin', ADMIN_PASSWORD);
  });

  afterAll(async () => {
    await agent?.stop();
    await fwd.stop();
    await t.cleanup();
    await runtime.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('waits for the runtime, registers pending with its GPUs, goes online once approved, and serves /v1', async () => {
    await runtime.close(); // the runtime is not up yet
    const a = startAgent();
    await a.waitForLine(/runtime .* not answering/);
    expect(await nodes()).toEqual([]);
    await runtime.start();
    await a.waitForLine(/registered with .* as node .* \(registered\)/);

    const state = JSON.parse(readFileSync(join(dataDir, 'agent.json'), 'utf8')) as Record<
      string,
      string
    >;
    expect(statSync(join(dataDir, 'agent.json')).mode & 0o777).toBe(0o600);
    const [node] = await nodes();
    expect(node.id).toBe(state.node_id);
    expect(state.node_token).toMatch(/^nt_/);
    expect(node).toMatchObject({
      machine_name: 'gpu-box',
      ip_address: '127.0.0.1',
      runtime_port: runtime.port,
      status: 'pending',
      pull_mode: 'poll',
      agent_version: expect.any(String),
      supported_runtimes: ['llama.cpp'],
      gpu_count: 3,
      gpu_devices: [
        { model: 'NVIDIA GeForce RTX 4090', count: 2, memory_bytes: 24564 * MIB },
        { model: 'NVIDIA L4', count: 1, memory_bytes: 23034 * MIB },
      ],
    });
    // heartbeats run while pending: models and figures are stored
    await waitFor(async () => (await nodes())[0].loaded_models.length > 0, { what: 'heartbeat' });

    expect((await admin().post(`/v0/nodes/${node.id}/approve`)).status).toBe(200);
    const online = await waitFor(
      async () => {
        const n = (await nodes())[0];
        return n.status === 'online' ? n : null;
      },
      { what: 'online' },
    );
    expect(online).toMatchObject({
      loaded_models: ['gemma-3-4b-it-Q4_K_M.gguf'],
      loaded_embedding_models: ['nomic-embed-text-v1.5.Q8_0.gguf'],
      ready_models: [2, 2],
      initializing: false,
      max_concurrency: 1, // llama.cpp /props total_slots
      gpu_usage: 42,
    });
    expect(online.cpu_usage).toEqual(expect.any(Number));

    const key = await createKey(t, adminJwt, ['inference']);
    const client = new OpenAI({ apiKey: key, baseURL: `${t.url}/v1`, maxRetries: 0 });
    const before = runtime.hits('/v1/chat/completions').length;
    const chat = await client.chat.completions.create({
      model: 'gemma-3-4b-it-Q4_K_M.gguf',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(chat.choices[0].message.content).toEqual(expect.any(String));
    expect(runtime.hits('/v1/chat/completions').length).toBe(before + 1);
  });

  it('keeps heartbeating through a server restart, and the node stays online', async () => {
    const a = agent!;
    const nodeId = (await nodes())[0].id as string;
    await t.close();
    fwd.cut();
    fwd.target = null;
    const down = await a.waitForLine(/server .* unreachable/);
    t = await startApp(SERVER_ENV, t.dataDir);
    adminJwt = await login(t.url, 'admin', ADMIN_PASSWORD);
    fwd.target = Number(new URL(t.url).port);
    await a.waitForLine(/heartbeats accepted: node .* is online/, { from: down });
    const restartedAt = Date.now();
    const n = await waitFor(
      async () => {
        const x = (await nodes())[0];
        return x.last_seen && Date.parse(x.last_seen) >= restartedAt - 1000 ? x : null;
      },
      { what: 'a heartbeat after the restart' },
    );
    expect(n).toMatchObject({ id: nodeId, status: 'online' });
    // one line per state change, not one per failed attempt
    expect(a.lines.filter((l) => /unreachable/.test(l))).toHaveLength(1);
  });

  it('comes back as the same node after an agent restart, with no new approval', async () => {
    const nodeId = (await nodes())[0].id as string;
    expect(await agent!.stop()).toBe(0);
    const a = startAgent();
    await a.waitForLine(/registered with .* as node .* \(updated\)/);
    await a.waitForLine(/heartbeats accepted: node .* is online/);
    const all = await nodes();
    expect(all).toHaveLength(1);
    expect(all[0]).toMatchObject({ id: nodeId, status: 'online' });
  });

  it('registers again as a pending node when the admin deletes it', async () => {
    const a = agent!;
    const oldId = (await nodes())[0].id as string;
    const from = a.lines.length;
    expect((await admin().delete(`/v0/nodes/${oldId}`)).status).toBe(204);
    await a.waitForLine(/node_token_invalid/, { from });
    await a.waitForLine(/registered with .* \(registered\)/, { from });
    const all = await nodes();
    expect(all).toHaveLength(1);
    expect(all[0].id).not.toBe(oldId);
    expect(all[0].status).toBe('pending');
    expect(existsSync(join(dataDir, 'agent.json'))).toBe(true);
  });
});
