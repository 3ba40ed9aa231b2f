/// <reference lib="dom" />
// The callbacks given to page.evaluate / waitForFunction run in the browser.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { FakeLlmServer } from '../fakes/llm-server';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app';
import { launchBrowser, loginAs, watchConsole } from '../helpers/browser';
import { api, login } from '../helpers/http';
import { approveNode, registerNode, sendHeartbeat } from '../helpers/nodes';

type Marked = Element & { __kept?: boolean };

/**
 * The pages poll every few seconds. A refresh patches the page in place: what the user is doing
 * (a focused button or field, a text selection, an open dialog, a scrolled table) survives it,
 * while the data it shows changes. Each test waits for the change to appear, never for a time.
 */
describe('dashboard: polling updates the page in place', () => {
  let app: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];
  let jwt: string;
  const fakes: FakeLlmServer[] = [];
  const endpoints: Array<{ id: string; name: string; base_url: string }> = [];

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
    jwt = await login(app.url, 'admin', ADMIN_PASSWORD);
    for (const name of ['alpha-endpoint', 'beta-endpoint']) {
      const fake = await FakeLlmServer.start('vllm');
      fakes.push(fake);
      const res = await api(app.url).as(jwt).post('/v0/endpoints', { name, base_url: fake.url });
      expect(res.status).toBe(201);
      endpoints.push(res.body);
    }
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.cleanup();
    await Promise.all(fakes.map((f) => f.close()));
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    problems = watchConsole(page);
    await loginAs(page, app.url, 'admin', ADMIN_PASSWORD);
  });

  afterEach(async () => {
    await context?.close();
    expect(problems.filter((p) => !/Failed to load resource/.test(p))).toEqual([]);
  });

  const rowSel = (testid: string, id: string) => `[data-testid="${testid}"][data-id="${id}"]`;

  /** Resolves after the shell's next completed refresh of the page. */
  const nextRefresh = () =>
    page.evaluate(
      () =>
        new Promise<void>((resolve) =>
          document.addEventListener('llmlb:refreshed', () => resolve(), { once: true }),
        ),
    );

  it('a changed row is updated, with its focus and a text selection elsewhere kept', async () => {
    const [a, b] = endpoints;
    await page.getByTestId('nav-endpoints').click();
    await page.locator(rowSel('endpoint-row', a.id)).waitFor();
    await page.locator(rowSel('endpoint-row', b.id)).waitFor();

    // Mark the rows, focus A's "Test" button and select B's URL, as a user would.
    await page.evaluate(
      ([aSel, bSel]) => {
        const rowA = document.querySelector(aSel) as Marked;
        const rowB = document.querySelector(bSel) as Marked;
        rowA.__kept = true;
        rowB.__kept = true;
        const test = rowA.querySelector('[data-testid="endpoint-test"]') as HTMLButtonElement;
        (test as unknown as Marked).__kept = true;
        test.focus();
        const url = rowB.querySelector('code.url') as HTMLElement;
        const range = document.createRange();
        range.selectNodeContents(url);
        getSelection()!.removeAllRanges();
        getSelection()!.addRange(range);
      },
      [rowSel('endpoint-row', a.id), rowSel('endpoint-row', b.id)] as const,
    );

    // Renamed behind the page's back: the poll shows the new name in the same row.
    const renamed = await api(app.url).as(jwt).put(`/v0/endpoints/${a.id}`, { name: 'alpha-2' });
    expect(renamed.status).toBe(200);
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.includes('alpha-2'),
      rowSel('endpoint-row', a.id),
    );
    const after = await page.evaluate(
      ([aSel, bSel]) => {
        const rowA = document.querySelector(aSel) as Marked;
        const rowB = document.querySelector(bSel) as Marked;
        return {
          rowA: rowA.__kept === true,
          rowB: rowB.__kept === true,
          focused: (document.activeElement as Marked | null)?.__kept === true,
          focusedTestId: document.activeElement?.getAttribute('data-testid'),
          selection: getSelection()!.toString(),
        };
      },
      [rowSel('endpoint-row', a.id), rowSel('endpoint-row', b.id)] as const,
    );
    expect(after).toEqual({
      rowA: true,
      rowB: true,
      focused: true,
      focusedTestId: 'endpoint-test',
      selection: b.base_url,
    });
    await api(app.url).as(jwt).put(`/v0/endpoints/${a.id}`, { name: a.name });
  });

  it('buttons of a kept row act on the data of the latest refresh', async () => {
    const [a] = endpoints;
    await page.getByTestId('nav-endpoints').click();
    const row = page.locator(rowSel('endpoint-row', a.id));
    await row.waitFor();
    const res = await api(app.url).as(jwt).put(`/v0/endpoints/${a.id}`, { name: 'alpha-3' });
    expect(res.status).toBe(200);
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.includes('alpha-3'),
      rowSel('endpoint-row', a.id),
    );
    await row.getByTestId('endpoint-delete').click();
    const confirm = page.getByTestId('confirm-dialog');
    await confirm.waitFor();
    expect(await confirm.textContent()).toContain('Delete alpha-3?');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await api(app.url).as(jwt).put(`/v0/endpoints/${a.id}`, { name: a.name });
  });

  it('an open dialog keeps what the user typed across refreshes', async () => {
    const node = await registerNode(app.url, { machine_name: 'gpu-dialog-01' });
    await approveNode(app.url, node.nodeId, jwt);
    await sendHeartbeat(app.url, node.token, { gpu_usage: 10 });
    await page.getByTestId('nav-nodes').click();
    const row = page.locator(rowSel('node-row', node.nodeId));
    await row.waitFor();
    await row.getByTestId('node-open').click();
    const name = page.getByTestId('node-custom-name');
    await name.fill('rack-7 box');
    // The node reports new usage: the table behind the dialog changes, the dialog does not.
    await sendHeartbeat(app.url, node.token, { gpu_usage: 93 });
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.includes('93%'),
      rowSel('node-row', node.nodeId),
    );
    await nextRefresh();
    expect(await page.getByTestId('node-detail').isVisible()).toBe(true);
    expect(await name.inputValue()).toBe('rack-7 box');
    expect(await name.evaluate((el) => el === document.activeElement)).toBe(true);
  });

  it('a table scrolled sideways stays where it is when its rows change', async () => {
    const [a] = endpoints;
    await page.setViewportSize({ width: 800, height: 700 });
    await page.getByTestId('nav-endpoints').click();
    await page.locator(rowSel('endpoint-row', a.id)).waitFor();
    const scrolled = await page.evaluate(() => {
      const wrap = document.querySelector('[data-testid="page-endpoints"] .table-wrap')!;
      wrap.scrollLeft = 10_000;
      return wrap.scrollLeft;
    });
    expect(scrolled).toBeGreaterThan(0);
    const res = await api(app.url).as(jwt).put(`/v0/endpoints/${a.id}`, { name: 'alpha-4' });
    expect(res.status).toBe(200);
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.includes('alpha-4'),
      rowSel('endpoint-row', a.id),
    );
    expect(
      await page.evaluate(
        () => document.querySelector('[data-testid="page-endpoints"] .table-wrap')!.scrollLeft,
      ),
    ).toBe(scrolled);
    await api(app.url).as(jwt).put(`/v0/endpoints/${a.id}`, { name: a.name });
  });
});
