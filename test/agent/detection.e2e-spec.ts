import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AgentProcess, writeFakeTools, type FakeTool } from '../helpers/agent';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { api, login, waitFor } from '../helpers/http';
import { startFakeLlamaCpp } from '../fakes/llama-cpp';
import type { FakeLlmServer } from '../fakes/llm-server';

// rocm-smi --showproductname --showmeminfo vram --showuse --showtemp --json
const ROCM = JSON.stringify({
  card0: {
    'Temperature (Sensor edge) (C)': '45.0',
    'GPU use (%)': '12',
    'VRAM Total Memory (B)': '68702699520',
    'VRAM Total Used Memory (B)': '10737418240',
    'Card Series': 'AMD Instinct MI210',
    'Card Vendor': 'Advanced Micro Devices, Inc. [AMD/ATI]',
  },
  card1: {
    'Temperature (Sensor edge) (C)': '44.0',
    'GPU use (%)': '0',
    'VRAM Total Memory (B)': '68702699520',
    'VRAM Total Used Memory (B)': '0',
    'Card Series': 'AMD Instinct MI210',
  },
  system: { 'Driver version': '6.3.6' },
});

// system_profiler SPDisplaysDataType -json on an Apple Silicon Mac
const MAC = JSON.stringify({
  SPDisplaysDataType: [
    {
      _name: 'Apple M2 Max',
      sppci_cores: '38',
      sppci_device_type: 'spdisplays_gpu',
      sppci_model: 'Apple M2 Max',
      spdisplays_vendor: 'sppci_vendor_Apple',
    },
  ],
});

const NVIDIA_BROKEN: FakeTool = {
  stdout:
    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n",
  exitCode: 9,
};

describe('llmlb agent: GPU detection', () => {
  let t: TestApp;
  let runtime: FakeLlmServer;
  let tmp: string;
  let adminJwt: string;
  const agents: AgentProcess[] = [];
  let n = 0;

  const nodes = async () =>
    (await api(t.url).as(adminJwt).get('/v0/nodes')).body.nodes as Array<Record<string, any>>;

  function agent(
    tools: Record<string, FakeTool>,
    extra: string[] = [],
    env: Record<string, string> = {},
  ) {
    n += 1;
    const dir = join(tmp, `case-${n}`);
    const a = new AgentProcess(
      ['--server', t.url, '--runtime', runtime.url, '--interval', '0.5', ...extra],
      {
        PATH: writeFakeTools(join(dir, 'bin'), tools),
        LLMLB_AGENT_DATA_DIR: join(dir, 'data'),
        ...env,
      },
    );
    agents.push(a);
    return { a, dataDir: join(dir, 'data') };
  }

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'llmlb-agent-gpu-'));
    runtime = await startFakeLlamaCpp();
    t = await startApp({ LLMLB_NODE_ALLOWED_NETWORKS: '127.0.0.0/8' });
    adminJwt = await login(t.url, 'admin', ADMIN_PASSWORD);
  });

  afterAll(async () => {
    for (const a of agents) await a.stop();
    await t.cleanup();
    await runtime.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('without a GPU it says why, exits with status 2 and stores nothing', async () => {
    const { a, dataDir } = agent({
      'nvidia-smi': NVIDIA_BROKEN,
      'rocm-smi': { stdout: '{"system": {"Driver version": "6.3.6"}}' },
    });
    expect(await a.exited).toBe(2);
    expect(a.output).toMatch(/no GPU found/);
    expect(a.output).toMatch(/nvidia-smi: exit status 9: NVIDIA-SMI has failed/);
    expect(a.output).toMatch(/rocm-smi: no GPU listed/);
    expect(a.output).toMatch(/system_profiler: not installed/);
    expect(existsSync(join(dataDir, 'agent.json'))).toBe(false);
    expect(await nodes()).toEqual([]);
  });

  it('registers AMD GPUs read from rocm-smi when nvidia-smi fails', async () => {
    const { a } = agent({ 'nvidia-smi': NVIDIA_BROKEN, 'rocm-smi': { stdout: ROCM } });
    await a.waitForLine(/GPUs 2× AMD Instinct MI210 \(from rocm-smi\)/);
    await a.waitForLine(/registered with/);
    const node = (await nodes()).find((x) => x.gpu_model === 'AMD Instinct MI210');
    expect(node?.gpu_devices).toEqual([
      { model: 'AMD Instinct MI210', count: 2, memory_bytes: 68702699520 },
    ]);
    await a.stop();
  });

  it('registers an Apple Silicon GPU from system_profiler, with the operator override winning over tools', async () => {
    const mac = agent({ system_profiler: { stdout: MAC } });
    await mac.a.waitForLine(/GPUs 1× Apple M2 Max \(from system_profiler\)/);
    await mac.a.stop();

    const { a } = agent({ system_profiler: { stdout: MAC } }, [], {
      LLMLB_AGENT_GPUS: 'NVIDIA L4:2',
    });
    await a.waitForLine(/GPUs 2× NVIDIA L4 \(from LLMLB_AGENT_GPUS\)/);
    await a.waitForLine(/registered with/);
    await waitFor(async () => (await nodes()).some((x) => x.gpu_model === 'NVIDIA L4'));
    const node = (await nodes()).find((x) => x.gpu_model === 'NVIDIA L4');
    expect(node?.gpu_devices).toEqual([{ model: 'NVIDIA L4', count: 2 }]);
    await a.stop();
  });

  it('--check prints GPUs, runtime, models, server and registration state, then exits', async () => {
    const { a } = agent({ 'nvidia-smi': { stdout: '0, NVIDIA L4, 23034, 0, 0, 30\n' } }, [
      '--check',
    ]);
    expect(await a.exited).toBe(0);
    expect(a.output).toMatch(/GPUs \(from nvidia-smi\):\n {2}1× NVIDIA L4, 22\.5 GiB each/);
    expect(a.output).toMatch(/runtime: .* answers \(llama\.cpp /);
    expect(a.output).toMatch(/models: gemma-3-4b-it-Q4_K_M\.gguf/);
    expect(a.output).toMatch(/server: .* reachable/);
    expect(a.output).toMatch(/registration: not registered yet/);
  });
});
