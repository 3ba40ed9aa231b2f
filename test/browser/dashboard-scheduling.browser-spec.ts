/// <reference lib="dom" />
import OpenAI from 'openai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { FakeOpenAiBackend } from '../fakes/openai-backend';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app';
import { launchBrowser, loginAs, screenshot, watchConsole } from '../helpers/browser';
import { api, login, waitFor } from '../helpers/http';
import { approveNode, registerNode, sendHeartbeat } from '../helpers/nodes';

const MODEL = 'slot-model';

/**
 * Issue 14 in the dashboard, against the real server: the endpoint dialog saves
 * max_concurrency, and the overview's Scheduling panel shows a backend's slots in use, the
 * requests waiting for them, and an ejected backend. The backends are fake OpenAI-compatible
 * servers on 127.0.0.1 that can hold requests or fail them.
 */
describe('dashboard scheduling (queues, slots, ejection) against the real server', () => {
  let app: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let jwt: string;
  let slow: FakeOpenAiBackend;
  let sick: FakeOpenAiBackend;
  let spare: FakeOpenAiBackend;
  let slowId: string;

  const stats = async () => (await api(app.url).as(jwt).get('/v0/stats')).body;
  const endpoint = async (id: string) =>
    (await api(app.url).as(jwt).get(`/v0/endpoints/${id}`)).body;
  const client = () => new OpenAI({ apiKey: jwt, baseURL: `${app.url}/v1`, maxRetries: 0 });
  const ask = (content: string) =>
    client().chat.completions.create({ model: MODEL, messages: [{ role: 'user', content }] });
  const openOverview = async () => {
    await page.getByTestId('nav-overview').click();
    await page.getByTestId('scheduling-panel').waitFor();
  };
  /** Waits until the element's text is `text` (the overview refreshes every 3 s). */
  const textOf = async (selector: string, text: string) => {
    await page.waitForFunction(
      ([sel, want]) => document.querySelector(sel)?.textContent?.trim() === want,
      [selector, text] as const,
      { timeout: 15_000 },
    );
  };
  const slotRow = (id: string) => `[data-testid="backend-slots-row"][data-id="${id}"]`;

  beforeAll(async () => {
    [slow, sick, spare] = await Promise.all([
      new FakeOpenAiBackend({ name: 'slow', models: [MODEL] }).start(),
      new FakeOpenAiBackend({ name: 'sick', models: [MODEL] }).start(),
      new FakeOpenAiBackend({ name: 'spare', models: ['spare-model'] }).start(),
    ]);
    [app, browser] = await Promise.all([startApp({ LLMLB_AFFINITY: 'false' }), launchBrowser()]);
    jwt = await login(app.url, 'admin', ADMIN_PASSWORD);
    // One slot: a held request fills it and the next one waits.
    const created = await api(app.url)
      .as(jwt)
      .post('/v0/endpoints', { name: 'slow-box', base_url: slow.url, max_concurrency: 1 });
    expect(created.status).toBe(201);
    slowId = created.body.id;
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.cleanup();
    await Promise.all([slow?.stop(), sick?.stop(), spare?.stop()]);
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    problems = watchConsole(page);
    await loginAs(page, app.url, 'admin', ADMIN_PASSWORD);
  });

  afterEach(async () => {
    await context?.close();
    expect(problems).toEqual([]);
  });

  it('saves max_concurrency from the endpoint dialog; empty returns to automatic', async () => {
    await page.getByTestId('nav-endpoints').click();
    await page.getByTestId('add-endpoint').click();
    const dlg = page.getByTestId('endpoint-dialog');
    await dlg.getByTestId('ep-name').fill('spare-box');
    await dlg.getByTestId('ep-url').fill(spare.url);
    await dlg.getByTestId('ep-max-concurrency').fill('3');
    await dlg.getByTestId('ep-save').click();
    await dlg.waitFor({ state: 'detached' });
    const list = (await api(app.url).as(jwt).get('/v0/endpoints')).body.endpoints;
    const created = list.find((e: { name: string }) => e.name === 'spare-box');
    expect(created).toMatchObject({ max_concurrency: 3, effective_max_concurrency: 3 });
    const row = page.locator(`[data-testid="endpoint-row"][data-id="${created.id}"]`);
    await row.waitFor();
    await row.getByTestId('endpoint-open').click();
    const detail = page.getByTestId('endpoint-detail');
    await detail.waitFor();
    expect(await detail.textContent()).toContain('3 (set)');
    await detail.getByRole('button', { name: 'Close' }).last().click();
    await detail.waitFor({ state: 'detached' });

    // Edit: the field shows the setting; emptying it saves null (automatic → unlimited here).
    await row.getByTestId('endpoint-edit').click();
    expect(await dlg.getByTestId('ep-max-concurrency').inputValue()).toBe('3');
    await dlg.getByTestId('ep-max-concurrency').fill('');
    await dlg.getByTestId('ep-save').click();
    await dlg.waitFor({ state: 'detached' });
    expect(await endpoint(created.id)).toMatchObject({
      max_concurrency: null,
      effective_max_concurrency: null,
    });
    await row.getByTestId('endpoint-edit').click();
    expect(await dlg.getByTestId('ep-max-concurrency').inputValue()).toBe('');
    expect(await dlg.getByTestId('ep-max-concurrency').getAttribute('placeholder')).toBe(
      'automatic',
    );
    await screenshot(page, 'scheduling-endpoint-dialog');
  });

  it('shows the slot in use and the request queued behind it, then both gone', async () => {
    const release = slow.hold();
    const first = ask('first');
    await waitFor(() => slow.inFlight === 1, { what: 'the held request' });
    const second = ask('second');
    await waitFor(async () => (await stats()).scheduling.waiting === 1, { what: 'one waiting' });
    try {
      await openOverview();
      await textOf(`${slotRow(slowId)} [data-testid="backend-slots"]`, '1 / 1');
      await textOf(
        `[data-testid="queue-row"][data-id="${MODEL}"] [data-testid="queue-waiting"]`,
        '1',
      );
      await textOf('[data-testid="sched-waiting"]', '1');
      await textOf('[data-testid="sched-in-flight"]', '1');
      await screenshot(page, 'scheduling-overview');
      await page.setViewportSize({ width: 375, height: 800 });
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect(overflow).toBe(0);
      await screenshot(page, 'scheduling-overview-375');
    } finally {
      release();
    }
    const answers = await Promise.all([first, second]);
    expect(answers.map((a) => a.choices[0].message.content)).toHaveLength(2);
    expect(slow.maxInFlight).toBe(1);
    await textOf(`${slotRow(slowId)} [data-testid="backend-slots"]`, '0 / 1');
    await page.getByTestId('queues-empty').waitFor();
    await textOf('[data-testid="sched-waiting"]', '0');
  });

  it('marks an ejected backend in the slots table', async () => {
    const created = await api(app.url)
      .as(jwt)
      .post('/v0/endpoints', { name: 'sick-box', base_url: sick.url });
    expect(created.status).toBe(201);
    const sickId = created.body.id as string;
    sick.fault = { kind: 'status', status: 500, message: 'boom' };
    // After its first failure the sick backend is only a last resort, so the healthy one is
    // kept full (its one slot held): every request then tries the sick one first, which fails
    // five times in a row and leaves the rotation.
    const isEjected = async () =>
      (await stats()).scheduling.backends.find((b: { id: string }) => b.id === sickId)?.ejected;
    const release = slow.hold();
    const held = ask('holds the slot');
    await waitFor(() => slow.inFlight === 1, { what: 'the held request' });
    const tries = Array.from({ length: 6 }, (_, i) => ask(`try ${i}`).catch((e: Error) => e));
    try {
      await waitFor(isEjected, { what: 'the sick backend ejected' });
    } finally {
      release();
    }
    await Promise.all([held, ...tries]);

    await openOverview();
    const row = page.locator(slotRow(sickId));
    await row.getByTestId('backend-ejected').waitFor();
    expect(await row.getAttribute('class')).toContain('row-ejected');
    expect(await row.textContent()).toMatch(/until \d\d:\d\d:\d\d/);
    expect(await page.locator(slotRow(slowId)).getByTestId('backend-ejected').count()).toBe(0);
    await screenshot(page, 'scheduling-ejected');
  });

  it("shows a node's slots from its heartbeats in the slots table and its detail", async () => {
    const n = await registerNode(app.url, { machine_name: 'gpu-slots-01', max_concurrency: 4 });
    await approveNode(app.url, n.nodeId, jwt);
    const hb = await sendHeartbeat(app.url, n.token, {
      loaded_models: ['node-model'],
      max_concurrency: 6,
    });
    expect(hb.status).toBe(200);
    await openOverview();
    await textOf(`${slotRow(n.nodeId)} [data-testid="backend-slots"]`, '0 / 6');

    await page.getByTestId('nav-nodes').click();
    await page
      .locator(`[data-testid="node-row"][data-id="${n.nodeId}"]`)
      .getByTestId('node-open')
      .click();
    const detail = page.getByTestId('node-detail');
    await detail.waitFor();
    const text = (await detail.textContent()) ?? '';
    expect(text).toContain('Slots6');
    expect(text).toContain('(push mode)');
  });
});
