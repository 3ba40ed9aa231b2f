/// <reference lib="dom" />
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { FakeHfHub } from '../fakes/hf-hub';
import { FakeLlmServer } from '../fakes/llm-server';
import { PullingNode } from '../fakes/pulling-node';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app';
import { launchBrowser, loginAs, screenshot, watchConsole } from '../helpers/browser';
import { api, login, waitFor } from '../helpers/http';
import { registerNode, sendHeartbeat } from '../helpers/nodes';
import { ROOT } from '../helpers/cli';

const GiB = 1024 ** 3;

/**
 * Every page of the dashboard over a realistic fleet on the REAL server — nodes online, pending
 * and still loading; endpoints of several types, one unreachable; registered models with a
 * finished and a running pull; request history with errors; keys and users — saved as
 * screenshots under test-artifacts/screenshots/ to look at. With UPDATE_DOCS_SCREENSHOTS=1 the
 * README's screenshots in docs/screenshots/ are refreshed from the same run.
 */
describe('dashboard screenshots of a realistic fleet', () => {
  let app: TestApp;
  let browser: Browser;
  let page: Page;
  let problems: string[];
  const fakes: FakeLlmServer[] = [];
  const runtimes: PullingNode[] = [];
  let hub: FakeHfHub;
  let runningTask = '';

  beforeAll(async () => {
    hub = await new FakeHfHub([
      {
        id: 'bartowski/Llama-3.2-1B-Instruct-GGUF',
        downloads: 98_412,
        likes: 152,
        files: [
          { path: 'Llama-3.2-1B-Instruct-Q4_K_M.gguf', size: 807_694_464 },
          { path: 'Llama-3.2-1B-Instruct-Q8_0.gguf', size: 1_321_083_008 },
        ],
      },
      {
        id: 'Qwen/Qwen2.5-7B-Instruct-GGUF',
        downloads: 120_345,
        likes: 310,
        files: [{ path: 'qwen2.5-7b-instruct-q4_k_m.gguf', size: 4_683_073_952 }],
      },
      {
        id: 'unsloth/gemma-3-4b-it-GGUF',
        downloads: 61_020,
        likes: 97,
        files: [{ path: 'gemma-3-4b-it-Q4_K_M.gguf', size: 2_489_757_856 }],
      },
    ]).start();
    const kinds = ['ollama', 'vllm', 'lm_studio', 'llama_cpp'] as const;
    fakes.push(...(await Promise.all(kinds.map((k) => FakeLlmServer.start(k)))));
    [app, browser] = await Promise.all([
      startApp({ HF_BASE_URL: hub.url, LLMLB_STATS_FLUSH_MS: '50' }),
      launchBrowser(),
    ]);
    const jwt = await login(app.url, 'admin', ADMIN_PASSWORD);
    const a = api(app.url).as(jwt);

    // Nodes: two online GPU boxes whose runtimes accept pulls, one still loading, one pending.
    const boxes = [
      { name: 'gpu-a100-01', model: 'NVIDIA A100 80GB', count: 4, mem: 80, usage: [34, 52, 71] },
      {
        name: 'gpu-h100-02',
        model: 'NVIDIA H100 80GB HBM3',
        count: 8,
        mem: 80,
        usage: [22, 61, 88],
      },
    ];
    const online: { nodeId: string; token: string }[] = [];
    for (const b of boxes) {
      const rt = await new PullingNode(app.url, '').start();
      runtimes.push(rt);
      const n = await registerNode(app.url, {
        machine_name: b.name,
        runtime_port: Number(new URL(rt.url).port),
        runtime_version: '0.9.2',
        gpu_devices: [{ model: b.model, count: b.count, memory_bytes: b.mem * GiB }],
      });
      rt.token = n.token;
      await a.post(`/v0/nodes/${n.nodeId}/approve`);
      await sendHeartbeat(app.url, n.token, {
        cpu_usage: b.usage[0],
        memory_usage: b.usage[1],
        gpu_usage: b.usage[2],
        active_requests: 2,
        loaded_models: ['llama-3.1-8b-instruct', 'qwen2.5-7b-instruct'],
      });
      online.push(n);
    }
    const loading = await registerNode(
      app.url,
      {
        machine_name: 'gpu-l40s-03',
        ip_address: '10.0.0.13',
        runtime_port: 8080,
        gpu_devices: [{ model: 'NVIDIA L40S', count: 2, memory_bytes: 48 * GiB }],
      },
      jwt,
    );
    await sendHeartbeat(app.url, loading.token, { ready_models: [1, 3], initializing: true });
    await a.post(`/v0/nodes/${loading.nodeId}/approve`);
    await registerNode(
      app.url,
      {
        machine_name: 'gpu-4090-04',
        ip_address: '10.0.0.14',
        runtime_port: 8080,
        gpu_devices: [{ model: 'NVIDIA GeForce RTX 4090', count: 2, memory_bytes: 24 * GiB }],
      },
      jwt,
    );

    // Endpoints of several types, and one that cannot be reached.
    const names = ['ollama-mac-studio', 'vllm-h100', 'lm-studio-laptop', 'llama-cpp-edge'];
    for (const [i, f] of fakes.entries()) {
      const r = await a.post('/v0/endpoints', { name: names[i], base_url: f.url });
      expect(r.body.status).toBe('online');
    }
    await a.post('/v0/endpoints', { name: 'openai-compat-lab', base_url: 'http://127.0.0.1:9' });

    // Registered models; one pull finished, one running.
    const reg = async (repo: string, filename: string) =>
      (await a.post('/v0/models/register', { repo, filename })).body.name as string;
    const llama = await reg(
      'bartowski/Llama-3.2-1B-Instruct-GGUF',
      'Llama-3.2-1B-Instruct-Q4_K_M.gguf',
    );
    const qwen = await reg('Qwen/Qwen2.5-7B-Instruct-GGUF', 'qwen2.5-7b-instruct-q4_k_m.gguf');
    runtimes[0].stepMs = 20;
    const done = await a.post('/v0/models/download', {
      model: llama,
      target: 'specific',
      node_ids: [online[0].nodeId],
    });
    await waitFor(
      async () => (await a.get(`/v0/tasks/${done.body.task_ids[0]}`)).body.status === 'completed',
    );
    runtimes[1].auto = false;
    const running = await a.post('/v0/models/download', {
      model: qwen,
      target: 'specific',
      node_ids: [online[1].nodeId],
    });
    runningTask = running.body.task_ids[0];
    await waitFor(() => runtimes[1].pulls.length === 1);
    await runtimes[1].report(runningTask, {
      progress: 0.45,
      downloaded_bytes: Math.round(4_683_073_952 * 0.45),
      total_bytes: 4_683_073_952,
      speed_bps: 96_000_000,
    });

    // Traffic through the balancer: successes on several backends and a few errors.
    const chat = (model: string) =>
      a.post('/v1/chat/completions', { model, messages: [{ role: 'user', content: 'Hello!' }] });
    const models = [
      'llama3.2:latest',
      'meta-llama/Llama-3.1-8B-Instruct',
      'qwen/qwen3-4b',
      'gemma-3-4b-it-Q4_K_M.gguf',
    ];
    for (let i = 0; i < 16; i++) expect((await chat(models[i % 4])).status).toBe(200);
    fakes[3].fail('500');
    for (let i = 0; i < 2; i++) await chat('gemma-3-4b-it-Q4_K_M.gguf');
    fakes[3].heal();
    await chat('no-such-model');
    await waitFor(async () => (await a.get('/v0/requests')).body.total >= 18);

    await a.post('/v0/api-keys', {
      name: 'ci-pipeline',
      permissions: ['inference', 'models.read'],
    });
    await a.post('/v0/api-keys', { name: 'grafana', permissions: ['metrics.read'] });
    await a.post('/v0/users', {
      username: 'viewer',
      password: 'viewer-password-1',
      role: 'viewer',
    });

    const context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    problems = watchConsole(page);
    await loginAs(page, app.url, 'admin', ADMIN_PASSWORD);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.cleanup();
    await Promise.all([
      hub?.stop(),
      ...fakes.map((f) => f.stop()),
      ...runtimes.map((r) => r.stop()),
    ]);
  });

  afterEach(() => {
    expect(problems.filter((p) => !/Failed to load resource/.test(p))).toEqual([]);
  });

  async function shoot(name: string, docs?: string): Promise<void> {
    await page.waitForTimeout(200);
    // Nothing hidden in a horizontally scrolled table at this width.
    const hidden = await page.evaluate(() =>
      Array.from(document.querySelectorAll('.table-wrap')).map(
        (w) => w.scrollWidth - w.clientWidth,
      ),
    );
    expect({ name, hidden: hidden.filter((x) => x > 0) }).toEqual({ name, hidden: [] });
    const path = await screenshot(page, `real-${name}`);
    if (docs && process.env.UPDATE_DOCS_SCREENSHOTS) {
      mkdirSync(join(ROOT, 'docs', 'screenshots'), { recursive: true });
      copyFileSync(path, join(ROOT, 'docs', 'screenshots', `${docs}.png`));
    }
  }

  it('overview', async () => {
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="card-rpm"]')?.textContent?.includes('total'),
    );
    expect(await page.getByTestId('card-nodes-value').textContent()).toBe('4');
    expect(await page.getByTestId('card-endpoints-value').textContent()).toBe('5');
    expect(await page.getByTestId('card-models-value').textContent()).toBe('2');
    expect(await page.getByTestId('card-errors-value').textContent()).not.toBe('0.0 %');
    await shoot('overview', 'overview');
  });

  it('nodes', async () => {
    await page.getByTestId('nav-nodes').click();
    await page.locator('[data-testid="node-row"]').nth(3).waitFor();
    expect(await page.locator('[data-testid="approve-node"]').count()).toBe(1);
    await shoot('nodes', 'nodes');
    await page.locator('[data-testid="node-row"]').first().getByTestId('node-open').click();
    await page.getByTestId('node-detail').waitFor();
    await shoot('node-detail');
    await page.keyboard.press('Escape');
  });

  it('endpoints', async () => {
    await page.getByTestId('nav-endpoints').click();
    await page.locator('[data-testid="endpoint-row"]').nth(4).waitFor();
    await shoot('endpoints');
    const row = page.locator('[data-testid="endpoint-row"]', { hasText: 'ollama-mac-studio' });
    await row.getByTestId('endpoint-open').click();
    await page
      .getByTestId('endpoint-detail')
      .locator('[data-testid="endpoint-model-row"]')
      .first()
      .waitFor();
    await shoot('endpoint-detail');
    await page.keyboard.press('Escape');
  });

  it('models, with a finished and a running download', async () => {
    await page.getByTestId('nav-models').click();
    await page.locator(`[data-testid="task-row"][data-id="${runningTask}"]`).waitFor();
    expect(
      await page
        .locator(`[data-testid="task-row"][data-id="${runningTask}"] [role="progressbar"]`)
        .getAttribute('aria-valuenow'),
    ).toBe('45');
    await page.getByTestId('catalog-search-submit').click();
    await page.locator('[data-testid="catalog-available"]').first().waitFor();
    await shoot('models', 'models');
  });

  it('requests', async () => {
    await page.getByTestId('nav-requests').click();
    await page.locator('[data-testid="request-row"]').nth(10).waitFor();
    await shoot('requests');
  });

  it('api keys and users', async () => {
    await page.getByTestId('nav-api-keys').click();
    await page.locator('[data-testid="key-row"]').nth(1).waitFor();
    await shoot('api-keys');
    await page.getByTestId('nav-users').click();
    await page.locator('[data-testid="user-row"]').nth(1).waitFor();
    await shoot('users');
  });
});
