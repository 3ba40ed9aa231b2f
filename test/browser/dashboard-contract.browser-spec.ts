/// <reference lib="dom" />
// The callbacks given to page.evaluate / waitForFunction run in the browser.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app';
import { launchBrowser, loginAs, screenshot, watchConsole } from '../helpers/browser';
import { type Call, FleetStub, IDS } from '../fakes/llmlb-fleet-api';

/**
 * The fleet pages (overview, nodes, endpoints, models, requests) driven against the API shapes
 * of the spec, answered by a stub inside the browser; login and everything else is the real
 * server. The same flows against the real modules live in the fleet browser tests.
 */
describe('dashboard fleet pages against the spec API shapes', () => {
  let app: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let stub: FleetStub;
  let problems: string[];

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.cleanup();
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1360, height: 860 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    problems = watchConsole(page);
    stub = new FleetStub();
    await stub.install(page);
    await loginAs(page, app.url, 'admin', ADMIN_PASSWORD);
  });

  afterEach(async () => {
    await context?.close();
    expect(problems.filter((p) => !/Failed to load resource/.test(p))).toEqual([]);
  });

  it('overview: counts by status, traffic figures and the last hour chart', async () => {
    await page.getByTestId('card-nodes-value').waitFor();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="card-nodes-value"]')?.textContent === '2',
    );
    expect(await page.getByTestId('card-nodes').textContent()).toMatch(/online 1.*pending 1/);
    expect(await page.getByTestId('card-endpoints-value').textContent()).toBe('3');
    expect(await page.getByTestId('card-endpoints').textContent()).toMatch(/online 2.*error 1/);
    expect(await page.getByTestId('card-models-value').textContent()).toBe('1');
    expect(await page.getByTestId('card-latency-value').textContent()).toBe('412 ms');
    expect(await page.getByTestId('card-latency').textContent()).toContain('p95 1.63 s');
    expect(await page.getByTestId('card-errors-value').textContent()).toMatch(/%$/);
    const bars = await page.locator('[data-testid="requests-chart"] rect.bar').count();
    expect(bars).toBe(60);
    await screenshot(page, 'fleet-overview');
  });

  it('nodes: a pending node shows its GPUs and is approved with one click', async () => {
    await page.getByTestId('nav-nodes').click();
    const row = page.locator(`[data-testid="node-row"][data-id="${IDS.nodePending}"]`);
    await row.waitFor();
    expect(await row.getByTestId('node-gpu').textContent()).toBe(
      'NVIDIA GeForce RTX 4090\u00a0×\u00a02 · 24 GB',
    );
    expect(await row.getByTestId('status-badge').textContent()).toBe('pending');
    const online = page.locator(`[data-testid="node-row"][data-id="${IDS.nodeOnline}"]`);
    expect(await online.getByTestId('node-gpu').textContent()).toBe(
      'NVIDIA A100 80GB\u00a0×\u00a04 · 80 GB',
    );
    expect(await online.getByTestId('approve-node').count()).toBe(0);
    await screenshot(page, 'fleet-nodes');

    await row.getByTestId('approve-node').click();
    await page.waitForFunction(
      (id) =>
        document.querySelector(
          `[data-testid="node-row"][data-id="${id}"] [data-testid="status-badge"]`,
        )?.textContent === 'online',
      IDS.nodePending,
    );
    expect(
      stub.calls.some(
        (c) => c.method === 'POST' && c.path === `/v0/nodes/${IDS.nodePending}/approve`,
      ),
    ).toBe(true);
    expect(await row.getByTestId('approve-node').count()).toBe(0);
  });

  it('nodes: the server message of a failed approval is shown', async () => {
    stub.failApprove = {
      status: 409,
      code: 'node_not_pending',
      message: 'Node gpu-4090-02 is not pending',
    };
    await page.getByTestId('nav-nodes').click();
    await page
      .locator(`[data-testid="node-row"][data-id="${IDS.nodePending}"]`)
      .getByTestId('approve-node')
      .click();
    const toast = page.getByTestId('toast-error');
    await toast.waitFor();
    expect(await toast.textContent()).toBe('Node gpu-4090-02 is not pending');
  });

  it('nodes: reject asks first, and settings are saved from the detail panel', async () => {
    await page.getByTestId('nav-nodes').click();
    const online = page.locator(`[data-testid="node-row"][data-id="${IDS.nodeOnline}"]`);
    await online.getByTestId('node-open').click();
    await page.getByTestId('node-detail').waitFor();
    await page.getByTestId('node-custom-name').fill('Big box');
    await page.getByTestId('node-tags').fill('rack-a, a100');
    await page.getByTestId('node-settings-save').click();
    await page.getByTestId('node-detail').waitFor({ state: 'detached' });
    const put = stub.calls.find((c) => c.method === 'PUT');
    expect(put).toMatchObject({
      method: 'PUT',
      path: `/v0/nodes/${IDS.nodeOnline}/settings`,
      body: { custom_name: 'Big box', tags: ['rack-a', 'a100'], notes: null },
    });

    const pending = page.locator(`[data-testid="node-row"][data-id="${IDS.nodePending}"]`);
    await pending.getByTestId('reject-node').click();
    await page.getByTestId('confirm').click();
    await pending.waitFor({ state: 'detached' });
    expect(
      stub.calls.some((c) => c.method === 'DELETE' && c.path === `/v0/nodes/${IDS.nodePending}`),
    ).toBe(true);
  });

  it('endpoints: add, see the models with max_tokens, and follow a download to 100 %', async () => {
    await page.getByTestId('nav-endpoints').click();
    await page.locator('[data-testid="endpoint-row"]').first().waitFor();
    expect(await page.locator('[data-testid="endpoint-row"]').count()).toBe(3);
    const broken = page.locator(`[data-testid="endpoint-row"][data-id="${IDS.epLmStudio}"]`);
    expect(await broken.textContent()).toContain('connect ECONNREFUSED');
    await screenshot(page, 'fleet-endpoints');

    await page.getByTestId('add-endpoint').click();
    await page.getByTestId('ep-name').fill('ollama-new');
    await page.getByTestId('ep-url').fill('http://10.0.1.9:11434');
    await page.getByTestId('ep-api-key').fill('secret-key');
    await page.getByTestId('ep-interval').fill('15');
    await screenshot(page, 'fleet-endpoint-add');
    await page.getByTestId('ep-save').click();
    await page.getByTestId('endpoint-dialog').waitFor({ state: 'detached' });
    const created = stub.calls.find((c) => c.method === 'POST' && c.path === '/v0/endpoints');
    expect(created!.body).toEqual({
      name: 'ollama-new',
      base_url: 'http://10.0.1.9:11434',
      api_key: 'secret-key',
      health_check_interval_secs: 15,
      inference_timeout_secs: 120,
      priority: 50,
      enabled: true,
    });
    const row = page.locator('[data-testid="endpoint-row"]', { hasText: 'ollama-new' });
    await row.waitFor();

    // A duplicate name: the server's message stays inside the dialog.
    await page.getByTestId('add-endpoint').click();
    await page.getByTestId('ep-name').fill('ollama-new');
    await page.getByTestId('ep-url').fill('http://10.0.1.10:11434');
    await page.getByTestId('ep-save').click();
    const err = page.getByTestId('endpoint-dialog').getByTestId('dialog-error');
    await err.waitFor({ state: 'visible' });
    expect(await err.textContent()).toBe('An endpoint named "ollama-new" already exists');
    await page.keyboard.press('Escape');

    const ollama = page.locator(`[data-testid="endpoint-row"][data-id="${IDS.epOllama}"]`);
    await ollama.getByTestId('endpoint-open').click();
    const detail = page.getByTestId('endpoint-detail');
    await detail.waitFor();
    const modelRow = detail.locator('[data-testid="endpoint-model-row"][data-id="llama3.2:3b"]');
    expect(await modelRow.textContent()).toContain('131,072');
    await page.keyboard.press('Escape');
    await detail.waitFor({ state: 'detached' });

    await ollama.getByTestId('endpoint-download').click();
    await page.getByTestId('dl-model').fill('llama3.2:1b');
    await page.getByTestId('dl-start').click();
    const bar = page.getByTestId('download-dialog').locator('[role="progressbar"]').first();
    await bar.waitFor();
    const seen = new Set<string>();
    await page
      .waitForFunction(
        () => {
          const el = document.querySelector('[data-testid="download-dialog"] [role="progressbar"]');
          return el?.getAttribute('aria-valuenow') === '100';
        },
        undefined,
        { timeout: 8000, polling: 50 },
      )
      .then(() => seen.add('100'));
    expect(seen.has('100')).toBe(true);
    expect(
      stub.calls.some(
        (c) =>
          c.method === 'POST' &&
          c.path === `/v0/endpoints/${IDS.epOllama}/download` &&
          c.body.model === 'llama3.2:1b',
      ),
    ).toBe(true);
    await screenshot(page, 'fleet-endpoint-download');
  });

  it('endpoints: edit sends only what the form holds, keeping the key unless a new one is typed', async () => {
    await page.getByTestId('nav-endpoints').click();
    const vllm = page.locator(`[data-testid="endpoint-row"][data-id="${IDS.epVllm}"]`);
    await vllm.getByTestId('endpoint-edit').click();
    expect(await page.getByTestId('ep-name').inputValue()).toBe('vllm-h100');
    await page.getByTestId('ep-timeout').fill('300');
    await page.getByTestId('ep-save').click();
    await page.getByTestId('endpoint-dialog').waitFor({ state: 'detached' });
    const put = stub.calls.find((c) => c.method === 'PUT');
    expect(put!.path).toBe(`/v0/endpoints/${IDS.epVllm}`);
    expect(put!.body).toEqual({
      name: 'vllm-h100',
      base_url: 'http://10.0.1.6:8000',
      health_check_interval_secs: 30,
      inference_timeout_secs: 300,
      priority: 50,
      enabled: true,
      notes: null,
    });
  });

  it('renders in the dark color scheme', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.getByTestId('nav-nodes').click();
    await page.locator('[data-testid="node-row"]').first().waitFor();
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(15, 17, 23)');
    await screenshot(page, 'fleet-dark-nodes');
  });

  it('endpoints: test and sync show their results', async () => {
    await page.getByTestId('nav-endpoints').click();
    const ollama = page.locator(`[data-testid="endpoint-row"][data-id="${IDS.epOllama}"]`);
    await ollama.getByTestId('endpoint-test').click();
    await page.getByTestId('toast').filter({ hasText: 'online in 11 ms' }).waitFor();
    await ollama.getByTestId('endpoint-sync').click();
    await page.getByTestId('toast').filter({ hasText: 'models synced (+1 −0 ~0)' }).waitFor();
  });

  it('models: search the catalog, register a file, download it to all nodes and watch the task finish', async () => {
    await page.getByTestId('nav-models').click();
    await page.locator('[data-testid="model-row"]').first().waitFor();
    await page.getByTestId('catalog-search').fill('llama');
    await page.getByTestId('catalog-search-submit').click();
    const available = page.locator(
      '[data-testid="catalog-available"][data-id="bartowski/Llama-3.2-1B-Instruct-GGUF"]',
    );
    await available.waitFor();
    expect(await page.locator('[data-testid="catalog-supported"]').count()).toBe(1);
    await available.getByTestId('catalog-files').click();
    const file = available.locator(
      '[data-testid="file-row"][data-id="Llama-3.2-1B-Instruct-Q4_K_M.gguf"]',
    );
    await file.waitFor();
    expect(
      stub.calls.some(
        (c) => c.path === '/v0/models/available/bartowski%2FLlama-3.2-1B-Instruct-GGUF/files',
      ),
    ).toBe(true);
    await file.getByTestId('register-file').click();
    const name = 'bartowski/llama-3.2-1b-instruct-gguf/llama-3.2-1b-instruct-q4_k_m';
    const modelRow = page.locator(`[data-testid="model-row"][data-id="${name}"]`);
    await modelRow.waitFor();
    expect(stub.calls.find((c) => c.path === '/v0/models/register')!.body).toEqual({
      repo: 'bartowski/Llama-3.2-1B-Instruct-GGUF',
      filename: 'Llama-3.2-1B-Instruct-Q4_K_M.gguf',
    });

    await modelRow.getByTestId('model-download').click();
    await page.getByTestId('dl-node').first().waitFor();
    await page.getByTestId('dl-submit').click();
    expect(stub.calls.find((c) => c.path === '/v0/models/download')!.body).toEqual({
      model: name,
      target: 'all',
    });
    const task = page.locator('[data-testid="task-row"]').first();
    await task.waitFor();
    const values: number[] = [];
    await page.waitForFunction(
      () => {
        const el = document.querySelector('[data-testid="task-row"] [role="progressbar"]');
        return el?.getAttribute('aria-valuenow') === '100';
      },
      undefined,
      { timeout: 15_000, polling: 100 },
    );
    values.push(Number(await task.locator('[role="progressbar"]').getAttribute('aria-valuenow')));
    expect(values).toEqual([100]);
    expect(await task.getByTestId('status-badge').textContent()).toBe('completed');
    // The finished pull shows the model on the node.
    await page.waitForFunction(
      (n) =>
        document
          .querySelector(`[data-testid="model-row"][data-id="${n}"]`)
          ?.textContent?.includes('gpu-a100-01'),
      name,
    );
    await screenshot(page, 'fleet-models');
  });

  it('models: download to selected nodes sends their ids', async () => {
    await page.getByTestId('nav-models').click();
    const row = page.locator('[data-testid="model-row"]').first();
    await row.getByTestId('model-download').click();
    await page.getByTestId('dl-target-specific').check();
    await page.locator(`[data-testid="dl-node"][data-id="${IDS.nodeOnline}"]`).check();
    await page.getByTestId('dl-submit').click();
    await page.getByTestId('model-download-dialog').waitFor({ state: 'detached' });
    expect(stub.calls.find((c) => c.path === '/v0/models/download')!.body).toMatchObject({
      target: 'specific',
      node_ids: [IDS.nodeOnline],
    });
  });

  it('requests: history with filters', async () => {
    await page.getByTestId('nav-requests').click();
    await page.locator('[data-testid="request-row"]').first().waitFor();
    expect(await page.locator('[data-testid="request-row"]').count()).toBe(8);
    await page.getByTestId('req-model').fill('qwen2.5:7b');
    await page.getByTestId('req-status').fill('502');
    await page.getByTestId('req-apply').click();
    await expect_call(
      stub,
      (c) =>
        c.path === '/v0/requests' &&
        c.query.get('model') === 'qwen2.5:7b' &&
        c.query.get('status') === '502' &&
        c.query.get('page') === '1',
    );
    await screenshot(page, 'fleet-requests');
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

async function expect_call(stub: FleetStub, pred: (c: Call) => boolean) {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (stub.calls.some(pred)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('expected call not made');
}
