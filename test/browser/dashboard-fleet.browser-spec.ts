/// <reference lib="dom" />
// The callbacks given to page.evaluate / waitForFunction run in the browser.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { FakeHfHub } from '../fakes/hf-hub';
import { FakeLlmServer } from '../fakes/llm-server';
import { FakeOllamaPull } from '../fakes/ollama-pull';
import { PullingNode } from '../fakes/pulling-node';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app';
import { launchBrowser, loginAs, screenshot, watchConsole } from '../helpers/browser';
import { api, login, waitFor } from '../helpers/http';
import { registerNode, sendHeartbeat } from '../helpers/nodes';

const GiB = 1024 ** 3;
const REPO = 'bartowski/Llama-3.2-1B-Instruct-GGUF';
const FILE = 'Llama-3.2-1B-Instruct-Q4_K_M.gguf';
const MODEL = 'bartowski/llama-3.2-1b-instruct-gguf/llama-3.2-1b-instruct-q4_k_m';

/**
 * The fleet pages (overview, nodes, endpoints, models, requests) against the REAL server: nodes
 * register and heartbeat over HTTP, endpoints are fake LLM servers answering in their products'
 * wire formats, the catalog is a fake Hugging Face Hub (HF_BASE_URL). One app and one browser
 * for the whole file; each test gets a fresh page.
 */
describe('dashboard fleet pages against the real server', () => {
  let app: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let hub: FakeHfHub;
  let ollama: FakeLlmServer;
  let vllm: FakeLlmServer;
  let jwt: string;
  let onlineNode: { nodeId: string; token: string };
  let vllmId: string;

  beforeAll(async () => {
    hub = await new FakeHfHub([
      {
        id: REPO,
        downloads: 98_000,
        likes: 150,
        files: [
          { path: FILE, size: 807_694_464 },
          { path: 'Llama-3.2-1B-Instruct-Q8_0.gguf', size: 1_321_083_008 },
        ],
      },
      {
        id: 'Qwen/Qwen2.5-7B-Instruct-GGUF',
        downloads: 120_345,
        likes: 310,
        files: [{ path: 'qwen2.5-7b-instruct-q4_k_m.gguf', size: 4_683_073_952 }],
      },
    ]).start();
    [ollama, vllm] = await Promise.all([
      FakeLlmServer.start('ollama'),
      FakeLlmServer.start('vllm', { models: [{ id: 'Qwen/Qwen2.5-7B-Instruct' }] }),
    ]);
    [app, browser] = await Promise.all([
      startApp({ HF_BASE_URL: hub.url, LLMLB_STATS_FLUSH_MS: '50' }),
      launchBrowser(),
    ]);
    jwt = await login(app.url, 'admin', ADMIN_PASSWORD);
    // An online node with loaded models and usage figures.
    onlineNode = await registerNode(app.url, {
      machine_name: 'gpu-a100-01',
      gpu_devices: [{ model: 'NVIDIA A100 80GB', count: 4, memory_bytes: 80 * GiB }],
    });
    const approved = await api(app.url).as(jwt).post(`/v0/nodes/${onlineNode.nodeId}/approve`);
    expect(approved.status).toBe(200);
    const hb = await sendHeartbeat(app.url, onlineNode.token, {
      cpu_usage: 34,
      memory_usage: 52,
      gpu_usage: 71,
      loaded_models: ['llama-3.1-8b-instruct'],
    });
    expect(hb.status).toBe(200);
    // A vLLM endpoint registered through the API, with traffic through the balancer.
    const ep = await api(app.url)
      .as(jwt)
      .post('/v0/endpoints', { name: 'vllm-h100', base_url: vllm.url });
    expect(ep.body.status).toBe('online');
    vllmId = ep.body.id;
    for (let i = 0; i < 3; i++) {
      const r = await api(app.url)
        .as(jwt)
        .post('/v1/chat/completions', {
          model: 'Qwen/Qwen2.5-7B-Instruct',
          messages: [{ role: 'user', content: `hello ${i}` }],
        });
      expect(r.status).toBe(200);
    }
    await waitFor(async () => (await api(app.url).as(jwt).get('/v0/requests')).body.total === 3);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.cleanup();
    await Promise.all([hub?.stop(), ollama?.stop(), vllm?.stop()]);
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    problems = watchConsole(page);
    await loginAs(page, app.url, 'admin', ADMIN_PASSWORD);
  });

  afterEach(async () => {
    await context?.close();
    expect(problems.filter((p) => !/Failed to load resource/.test(p))).toEqual([]);
  });

  /** Registers the catalog file unless an earlier test did (tests may run alone with -t). */
  async function ensureModel(): Promise<void> {
    if ((await api(app.url).as(jwt).get('/v0/models')).body.total) return;
    const reg = await api(app.url)
      .as(jwt)
      .post('/v0/models/register', { repo: REPO, filename: FILE });
    expect(reg.status).toBe(201);
  }

  const nodeRow = (id: string) => page.locator(`[data-testid="node-row"][data-id="${id}"]`);
  const badgeIs = (sel: string, text: string) =>
    page.waitForFunction(
      ([s, t]) => document.querySelector(`${s} [data-testid="status-badge"]`)?.textContent === t,
      [sel, text] as const,
      { timeout: 10_000 },
    );

  it('overview: real counts, traffic figures and the last hour chart', async () => {
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="card-rpm"]')?.textContent?.includes('total'),
    );
    expect(await page.getByTestId('card-nodes').textContent()).toMatch(/online 1/);
    expect(await page.getByTestId('card-endpoints').textContent()).toMatch(/online 1/);
    expect(await page.getByTestId('card-rpm').textContent()).toMatch(/3 total/);
    expect(await page.getByTestId('card-errors-value').textContent()).toBe('0.0 %');
    expect(await page.getByTestId('card-latency-value').textContent()).toMatch(/\d+(\.\d+)? ms/);
    // 60 minute slots; the traffic of the last minutes is drawn as bars.
    expect(await page.locator('[data-testid="requests-chart"] g > title').count()).toBe(60);
    expect(await page.locator('[data-testid="requests-chart"] rect.bar').count()).toBeGreaterThan(
      0,
    );
    const titles = await page.locator('[data-testid="requests-chart"] g > title').allTextContents();
    const drawn = titles.reduce((a, t) => a + Number(/— (\d+) requests/.exec(t)?.[1] ?? 0), 0);
    expect(drawn).toBe(3);
    expect(await page.getByTestId('page-overview').textContent()).toContain('vllm-h100');
  });

  it('nodes: a pending node shows its GPUs; Approve, then a ready heartbeat turns it online live', async () => {
    const node = await registerNode(app.url, {
      machine_name: 'gpu-4090-02',
      gpu_devices: [{ model: 'NVIDIA GeForce RTX 4090', count: 2, memory_bytes: 24 * GiB }],
    });
    // Still loading its models: approval makes it "registering", not online.
    await sendHeartbeat(app.url, node.token, { ready_models: [0, 1], initializing: true });
    await page.getByTestId('nav-nodes').click();
    const row = nodeRow(node.nodeId);
    await row.waitFor();
    expect(await row.getByTestId('node-gpu').textContent()).toBe(
      'NVIDIA GeForce RTX 4090\u00a0×\u00a02 · 24 GB',
    );
    expect(await row.getByTestId('status-badge').textContent()).toBe('pending');
    expect(await nodeRow(onlineNode.nodeId).getByTestId('node-gpu').textContent()).toBe(
      'NVIDIA A100 80GB\u00a0×\u00a04 · 80 GB',
    );
    expect(await nodeRow(onlineNode.nodeId).getByTestId('approve-node').count()).toBe(0);

    await row.getByTestId('approve-node').click();
    const sel = `[data-testid="node-row"][data-id="${node.nodeId}"]`;
    await badgeIs(sel, 'registering');
    expect(await row.getByTestId('approve-node').count()).toBe(0);
    // The node reports ready with its token; the page polls and shows it online, no reload.
    const hb = await sendHeartbeat(app.url, node.token, {
      ready_models: [1, 1],
      initializing: false,
      gpu_usage: 12,
      loaded_models: ['qwen2.5-7b-instruct'],
    });
    expect(hb.body.status).toBe('online');
    await page.evaluate(() => ((window as any).__noReload = true));
    await badgeIs(sel, 'online');
    expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);
    expect(await row.textContent()).toContain('qwen2.5-7b-instruct');
  });

  it('nodes: the server message of a failed approval is shown', async () => {
    const node = await registerNode(app.url, { machine_name: 'gpu-gone' });
    await page.getByTestId('nav-nodes').click();
    await nodeRow(node.nodeId).waitFor();
    // Removed behind the page's back: approving now answers 404 with the server's message.
    expect((await api(app.url).as(jwt).delete(`/v0/nodes/${node.nodeId}`)).status).toBe(204);
    await nodeRow(node.nodeId).getByTestId('approve-node').click();
    const toast = page.getByTestId('toast-error');
    await toast.waitFor();
    expect(await toast.textContent()).toBe('Node not found');
  });

  it('nodes: reject asks first, and settings are saved from the detail panel', async () => {
    const pending = await registerNode(app.url, { machine_name: 'gpu-reject-me' });
    await page.getByTestId('nav-nodes').click();
    await nodeRow(onlineNode.nodeId).getByTestId('node-open').click();
    await page.getByTestId('node-detail').waitFor();
    await page.getByTestId('node-custom-name').fill('Big box');
    await page.getByTestId('node-tags').fill('rack-a, a100');
    await page.getByTestId('node-settings-save').click();
    await page.getByTestId('node-detail').waitFor({ state: 'detached' });
    const saved = await api(app.url).as(jwt).get(`/v0/nodes/${onlineNode.nodeId}`);
    expect(saved.body).toMatchObject({ custom_name: 'Big box', tags: ['rack-a', 'a100'] });
    await page.waitForFunction(
      (id) =>
        document
          .querySelector(`[data-testid="node-row"][data-id="${id}"]`)
          ?.textContent?.includes('Big box'),
      onlineNode.nodeId,
    );

    const row = nodeRow(pending.nodeId);
    await row.getByTestId('reject-node').click();
    await page.getByTestId('confirm').click();
    await row.waitFor({ state: 'detached' });
    expect((await api(app.url).as(jwt).get(`/v0/nodes/${pending.nodeId}`)).status).toBe(404);
  });

  it('endpoints: add a fake Ollama in the dialog, see it online with its models and max_tokens', async () => {
    await page.getByTestId('nav-endpoints').click();
    await page.locator(`[data-testid="endpoint-row"][data-id="${vllmId}"]`).waitFor();
    await page.getByTestId('add-endpoint').click();
    await page.getByTestId('ep-name').fill('ollama-box');
    await page.getByTestId('ep-url').fill(ollama.url);
    await page.getByTestId('ep-interval').fill('15');
    await page.getByTestId('ep-save').click();
    await page.getByTestId('endpoint-dialog').waitFor({ state: 'detached' });
    const row = page.locator('[data-testid="endpoint-row"]', { hasText: 'ollama-box' });
    await row.waitFor();
    const id = await row.getAttribute('data-id');
    await badgeIs(`[data-testid="endpoint-row"][data-id="${id}"]`, 'online');
    expect(await row.textContent()).toMatch(/Ollama/i);
    const stored = await api(app.url).as(jwt).get(`/v0/endpoints/${id}`);
    expect(stored.body).toMatchObject({
      name: 'ollama-box',
      endpoint_type: 'ollama',
      health_check_interval_secs: 15,
    });

    // A duplicate name: the server's message stays inside the dialog.
    await page.getByTestId('add-endpoint').click();
    await page.getByTestId('ep-name').fill('ollama-box');
    await page.getByTestId('ep-url').fill('http://127.0.0.1:9');
    await page.getByTestId('ep-save').click();
    const err = page.getByTestId('endpoint-dialog').getByTestId('dialog-error');
    await err.waitFor({ state: 'visible' });
    expect(await err.textContent()).toBe(await dupMessage());
    await page.keyboard.press('Escape');

    await row.getByTestId('endpoint-open').click();
    const detail = page.getByTestId('endpoint-detail');
    await detail.waitFor();
    const modelRow = detail.locator(
      '[data-testid="endpoint-model-row"][data-id="llama3.2:latest"]',
    );
    await modelRow.waitFor();
    expect(await modelRow.textContent()).toContain('131,072');
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });

    await row.getByTestId('endpoint-test').click();
    await page.getByTestId('toast').filter({ hasText: 'ollama-box: online in' }).waitFor();
    await row.getByTestId('endpoint-sync').click();
    await page.getByTestId('toast').filter({ hasText: 'models synced (+0 −0 ~0)' }).waitFor();
  });

  async function dupMessage(): Promise<string> {
    const r = await api(app.url)
      .as(jwt)
      .post('/v0/endpoints', { name: 'ollama-box', base_url: 'http://127.0.0.1:9' });
    expect(r.status).toBe(409);
    return r.body.error.message as string;
  }

  it('endpoints: edit saves through the real API and keeps the key unless a new one is typed', async () => {
    await page.getByTestId('nav-endpoints').click();
    const row = page.locator(`[data-testid="endpoint-row"][data-id="${vllmId}"]`);
    await row.getByTestId('endpoint-edit').click();
    expect(await page.getByTestId('ep-name').inputValue()).toBe('vllm-h100');
    await page.getByTestId('ep-timeout').fill('300');
    await page.getByTestId('ep-save').click();
    await page.getByTestId('endpoint-dialog').waitFor({ state: 'detached' });
    const ep = await api(app.url).as(jwt).get(`/v0/endpoints/${vllmId}`);
    expect(ep.body).toMatchObject({
      name: 'vllm-h100',
      inference_timeout_secs: 300,
      has_api_key: false,
    });
  });

  it('models: search the catalog, register a file, and see the registered model', async () => {
    await page.getByTestId('nav-models').click();
    await page.getByTestId('catalog-search').fill('llama');
    await page.getByTestId('catalog-search-submit').click();
    const available = page.locator(`[data-testid="catalog-available"][data-id="${REPO}"]`);
    await available.waitFor();
    expect(await available.textContent()).toContain('98,000 downloads');
    await available.getByTestId('catalog-files').click();
    const file = available.locator(`[data-testid="file-row"][data-id="${FILE}"]`);
    await file.waitFor();
    expect(await file.textContent()).toMatch(/808 MB|770 MB|807/);
    await file.getByTestId('register-file').click();
    const modelRow = page.locator(`[data-testid="model-row"][data-id="${MODEL}"]`);
    await modelRow.waitFor();
    const models = await api(app.url).as(jwt).get('/v0/models');
    expect(models.body.models.map((m: any) => m.name)).toContain(MODEL);

    // Searching again lists it as supported (registered), with its file.
    await page.getByTestId('catalog-search-submit').click();
    const supported = page.locator(`[data-testid="catalog-supported"][data-id="${REPO}"]`);
    await supported.waitFor();
    expect(await supported.textContent()).toContain(FILE);
    // A second registration shows the server's conflict message.
    await supported.getByTestId('catalog-files').click();
    await supported.locator(`[data-testid="file-row"][data-id="${FILE}"]`).waitFor();
    await supported
      .locator(`[data-testid="file-row"][data-id="${FILE}"]`)
      .getByTestId('register-file')
      .click();
    const toast = page.getByTestId('toast-error');
    await toast.waitFor();
    expect(await toast.textContent()).toMatch(/already registered/);
  });

  /** Records every aria-valuenow of the first progress bar under `scope` (polled every 40 ms). */
  async function recordProgress(scope: string): Promise<void> {
    await page.evaluate((sel) => {
      const w = window as any;
      w.__seen = [];
      w.__rec = setInterval(() => {
        const v = document
          .querySelector(`${sel} [role="progressbar"]`)
          ?.getAttribute('aria-valuenow');
        if (v != null && w.__seen.at(-1) !== Number(v)) w.__seen.push(Number(v));
      }, 40);
    }, scope);
  }
  /** The recorded values, once the recorder has seen the final 100. */
  const seenProgress = async () => {
    await page.waitForFunction(() => (window as any).__seen.at(-1) === 100);
    return page.evaluate(() => (window as any).__seen as number[]);
  };
  const barReaches = (scope: string, value: number, timeout = 15_000) =>
    page.waitForFunction(
      ([sel, v]) =>
        document.querySelector(`${sel} [role="progressbar"]`)?.getAttribute('aria-valuenow') ===
        String(v),
      [scope, value] as const,
      { timeout, polling: 50 },
    );

  it('models: download a registered model to a node and watch its progress bar reach 100 %', async () => {
    // A node runtime that accepts pulls; it reports progress with its token, step by step.
    const runtime = await new PullingNode(app.url, '').start();
    runtime.auto = false;
    try {
      const port = Number(new URL(runtime.url).port);
      const node = await registerNode(app.url, { machine_name: 'gpu-pull-01', runtime_port: port });
      runtime.token = node.token;
      await api(app.url).as(jwt).post(`/v0/nodes/${node.nodeId}/approve`);
      await sendHeartbeat(app.url, node.token);
      await ensureModel();

      await page.getByTestId('nav-models').click();
      const modelRow = page.locator(`[data-testid="model-row"][data-id="${MODEL}"]`);
      await modelRow.getByTestId('model-download').click();
      await page.getByTestId('dl-target-specific').check();
      await page.locator(`[data-testid="dl-node"][data-id="${node.nodeId}"]`).check();
      await page.getByTestId('dl-submit').click();
      await page.getByTestId('model-download-dialog').waitFor({ state: 'detached' });
      await waitFor(() => runtime.pulls.length === 1);
      const taskId = runtime.pulls[0].task_id;
      expect(runtime.pulls[0].model).toBe(MODEL);
      const task = `[data-testid="task-row"][data-id="${taskId}"]`;
      await page.locator(task).waitFor();
      await recordProgress(task);

      const total = 807_694_464;
      const step = (p: number, extra: Record<string, unknown> = {}) =>
        runtime.report(taskId, {
          progress: p,
          downloaded_bytes: Math.round(total * p),
          total_bytes: total,
          speed_bps: 52_428_800,
          ...extra,
        });
      expect((await step(0.4)).status).toBeLessThan(300);
      await barReaches(task, 40);
      expect(await page.locator(task).textContent()).toMatch(/in_progress|in progress/);
      await screenshot(page, 'fleet-models-downloading');
      expect((await step(1, { status: 'completed' })).status).toBeLessThan(300);
      await barReaches(task, 100);
      await badgeIs(task, 'completed');
      const seen = await seenProgress();
      expect(seen[0]).toBeLessThan(40);
      expect(seen).toContain(40);
      expect(seen.at(-1)).toBe(100);
      // The finished pull puts the model on the node.
      await page.waitForFunction(
        (n) =>
          document
            .querySelector(`[data-testid="model-row"][data-id="${n}"]`)
            ?.textContent?.includes('gpu-pull-01'),
        MODEL,
        { timeout: 10_000 },
      );
    } finally {
      await runtime.stop();
    }
  });

  it('models: "download to all" makes one task per online node; a node that cannot be reached fails with its error', async () => {
    // The first node heartbeats once at the start of the file: after a slow run it may be past
    // LLMLB_NODE_TIMEOUT_SECS and offline. It reports in again (offline → registering →
    // online), so it is a target of "all".
    let status = (await sendHeartbeat(app.url, onlineNode.token)).body.status;
    if (status !== 'online') status = (await sendHeartbeat(app.url, onlineNode.token)).body.status;
    expect(status).toBe('online');
    const online = (await api(app.url).as(jwt).get('/v0/nodes?status=online')).body.nodes as {
      id: string;
    }[];
    expect(online.length).toBeGreaterThan(0);
    await ensureModel();
    await page.getByTestId('nav-models').click();
    const modelRow = page.locator(`[data-testid="model-row"][data-id="${MODEL}"]`);
    await modelRow.getByTestId('model-download').click();
    await page.getByTestId('dl-node').first().waitFor();
    expect(await page.getByTestId('dl-node').count()).toBe(online.length);
    await page.getByTestId('dl-submit').click();
    await page
      .getByTestId('toast')
      .filter({ hasText: `Started ${online.length} download task` })
      .waitFor();
    // The first node (renamed "Big box" by an earlier test) has no runtime listening: its
    // pull fails and the task row shows the node's display name and the reason.
    const n = (await api(app.url).as(jwt).get(`/v0/nodes/${onlineNode.nodeId}`)).body;
    const name: string = n.custom_name || n.machine_name;
    await page.waitForFunction(
      (nm) =>
        Array.from(document.querySelectorAll('[data-testid="task-row"]')).some(
          (r) =>
            r.textContent?.includes(`node ${nm}`) &&
            r.querySelector('[data-testid="status-badge"]')?.textContent === 'failed',
        ),
      name,
      { timeout: 15_000 },
    );
    const failed = await api(app.url)
      .as(jwt)
      .get(`/v0/tasks?status=failed&node_id=${onlineNode.nodeId}`);
    expect(failed.body.tasks[0].error).toBeTruthy();
    const row = page.locator('[data-testid="task-row"]', { hasText: `node ${name}` }).first();
    expect(await row.textContent()).toContain(failed.body.tasks[0].error);
  });

  it('endpoints: the download dialog of an Ollama endpoint shows a live progress bar to 100 %', async () => {
    const pull = await new FakeOllamaPull().start();
    pull.lineMs = 350;
    try {
      const ep = await api(app.url).as(jwt).post('/v0/endpoints', {
        name: 'ollama-pull',
        base_url: pull.url,
        endpoint_type: 'ollama',
      });
      expect(ep.status).toBe(201);
      await page.getByTestId('nav-endpoints').click();
      const row = page.locator(`[data-testid="endpoint-row"][data-id="${ep.body.id}"]`);
      await row.getByTestId('endpoint-download').click();
      await page.getByTestId('dl-model').fill('llama3.2:1b');
      await page.getByTestId('dl-start').click();
      const dlg = '[data-testid="download-dialog"]';
      await page.locator(`${dlg} [role="progressbar"]`).first().waitFor();
      await recordProgress(dlg);
      await barReaches(dlg, 100, 20_000);
      const seen = await seenProgress();
      expect(seen.some((v) => v > 0 && v < 100)).toBe(true);
      expect(seen.at(-1)).toBe(100);
      expect(pull.pulls.at(-1)).toEqual({ model: 'llama3.2:1b', stream: true });
      await badgeIs(dlg, 'completed');
      await screenshot(page, 'fleet-endpoint-download');
      await page.keyboard.press('Escape');
      // Completion re-syncs the endpoint: the pulled model is now among its models.
      await waitFor(async () => {
        const d = await api(app.url).as(jwt).get(`/v0/endpoints/${ep.body.id}`);
        return d.body.models.some((m: { id: string }) => m.id === 'llama3.2:1b');
      });
    } finally {
      await pull.stop();
    }
  });

  it('requests: the history shows the traffic that went through the balancer, with filters', async () => {
    await page.getByTestId('nav-requests').click();
    await page.locator('[data-testid="request-row"]').first().waitFor();
    expect(await page.locator('[data-testid="request-row"]').count()).toBe(3);
    const first = await page.locator('[data-testid="request-row"]').first().textContent();
    expect(first).toContain('Qwen/Qwen2.5-7B-Instruct');
    expect(first).toContain('vllm-h100');
    expect(first).toContain('200');
    await page.getByTestId('req-status').fill('502');
    await page.getByTestId('req-apply').click();
    await page.locator('[data-testid="request-row"]').first().waitFor({ state: 'detached' });
    await page.getByTestId('req-status').fill('200');
    await page.getByTestId('req-model').fill('Qwen/Qwen2.5-7B-Instruct');
    await page.getByTestId('req-apply').click();
    await page.locator('[data-testid="request-row"]').nth(2).waitFor();
  });

  // How fast it loads is measured outside the tests (a timed assertion fails on a loaded
  // machine without telling anything): here, a fresh load shows the whole fleet by itself.
  it('a fresh load of a deep link shows every node of the fleet', async () => {
    await page.goto(`${app.url}/dashboard#/nodes`);
    await page.locator('[data-testid="node-row"]').first().waitFor();
    const listed = await api(app.url).as(jwt).get('/v0/nodes');
    expect(listed.body.total).toBeGreaterThan(1);
    await waitFor(
      async () => (await page.locator('[data-testid="node-row"]').count()) === listed.body.total,
      {
        what: 'one row per node',
      },
    );
  });

  it('renders in the dark color scheme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByTestId('nav-nodes').click();
    await page.locator('[data-testid="node-row"]').first().waitFor();
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(15, 17, 23)');
    await screenshot(page, 'fleet-dark-nodes');
  });

  it('fits a 375 px window with data on every fleet page', async () => {
    await page.setViewportSize({ width: 375, height: 800 });
    for (const p of ['overview', 'nodes', 'endpoints', 'models', 'requests']) {
      await page.goto(`${app.url}/dashboard#/${p}`);
      await page.getByTestId(`page-${p}`).waitFor();
      await page.waitForTimeout(300);
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect({ page: p, overflow }).toEqual({ page: p, overflow: 0 });
      await screenshot(page, `fleet-narrow-${p}`);
    }
  });
});
