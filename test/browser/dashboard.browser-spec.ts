/// <reference lib="dom" />
// The callbacks given to page.evaluate / waitForFunction run in the browser.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN_PASSWORD, startApp, type TestApp } from '../helpers/app';
import { launchBrowser, loginAs, screenshot, watchConsole } from '../helpers/browser';
import { api } from '../helpers/http';

const PAGES = ['overview', 'nodes', 'endpoints', 'models', 'requests', 'api-keys', 'users'];

/** Console errors other than the HTTP failures the pages show themselves. */
const realProblems = (list: string[]) => list.filter((p) => !/Failed to load resource/.test(p));

describe('dashboard in Chromium (real server)', () => {
  let app: TestApp;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    [app, browser] = await Promise.all([startApp(), launchBrowser()]);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.cleanup();
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    problems = watchConsole(page);
  });

  afterEach(async () => {
    await context?.close();
    expect(realProblems(problems)).toEqual([]);
  });

  it('shows the server message for a wrong password, then logs in', async () => {
    const expected = await api(app.url).post('/v0/auth/login', {
      username: 'admin',
      password: 'not-the-password',
    });
    expect(expected.status).toBe(401);

    await page.goto(`${app.url}/dashboard`);
    await screenshot(page, 'login');
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill('not-the-password');
    await page.getByTestId('login-submit').click();
    const err = page.getByTestId('login-error');
    await err.waitFor({ state: 'visible' });
    expect(await err.textContent()).toBe(expected.body.error.message);
    await screenshot(page, 'login-error');

    await page.getByTestId('login-password').fill(ADMIN_PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('page-overview').waitFor();
    expect(await page.getByTestId('current-user').textContent()).toContain('admin');
    // The token is kept for the tab only.
    expect(await page.evaluate(() => sessionStorage.getItem('llmlb.token'))).toMatch(/^ey/);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
  });

  it('shows the overview cards and chart section, and every page renders', async () => {
    await loginAs(page, app.url, 'admin', ADMIN_PASSWORD);
    await page.getByTestId('card-nodes').waitFor();
    for (const id of [
      'card-nodes',
      'card-endpoints',
      'card-models',
      'card-rpm',
      'card-errors',
      'card-latency',
    ]) {
      expect(await page.getByTestId(id).isVisible()).toBe(true);
    }
    await screenshot(page, 'overview');
    for (const p of PAGES) {
      await page.getByTestId(`nav-${p}`).click();
      await page.getByTestId(`page-${p}`).waitFor();
      expect(await page.getByTestId(`nav-${p}`).getAttribute('aria-current')).toBe('page');
      expect(page.url()).toContain(`#/${p}`);
      await page.waitForLoadState('networkidle');
      await screenshot(page, `page-${p}`);
    }
  });

  it('creates an API key, shows it once with a copy button, and not after a reload', async () => {
    await loginAs(page, app.url, 'admin', ADMIN_PASSWORD);
    await page.getByTestId('nav-api-keys').click();
    await page.getByTestId('create-key').click();
    const dlg = page.getByTestId('key-dialog');
    await dlg.waitFor();
    await page.getByTestId('key-name').fill('browser-key');
    await page.getByTestId('perm-models.read').check();
    await screenshot(page, 'api-key-dialog');
    await page.getByTestId('key-submit').click();

    const keyEl = page.getByTestId('new-key');
    await keyEl.waitFor();
    const key = (await keyEl.textContent())!.trim();
    expect(key).toMatch(/^sk_[A-Za-z0-9]{32,}$/);
    expect(await page.getByTestId('copy-key').isVisible()).toBe(true);
    await page.locator('[data-testid="key-row"]', { hasText: 'browser-key' }).waitFor();
    await screenshot(page, 'api-key-created');

    // The key works and carries the chosen permissions.
    const me = await api(app.url).as(key).get('/v0/auth/me');
    expect(me.status).toBe(200);
    const keys = await api(app.url).as(key).get('/v0/api-keys');
    expect(keys.status).toBe(403);

    await page.reload();
    await page.getByTestId('page-api-keys').waitFor();
    await page.locator('[data-testid="key-row"]', { hasText: 'browser-key' }).waitFor();
    expect(await page.getByTestId('new-key').count()).toBe(0);
    expect(await page.content()).not.toContain(key);
  });

  it('shows a validation error from the server inside the dialog', async () => {
    await loginAs(page, app.url, 'admin', ADMIN_PASSWORD);
    await page.goto(`${app.url}/dashboard#/api-keys`);
    await page.getByTestId('create-key').click();
    await page.getByTestId('key-name').fill('no-perms');
    await page.getByTestId('perm-inference').uncheck();
    await page.getByTestId('key-submit').click();
    const err = page.getByTestId('key-dialog').getByTestId('dialog-error');
    await err.waitFor({ state: 'visible' });
    const expected = await api(app.url)
      .as((await page.evaluate(() => sessionStorage.getItem('llmlb.token')))!)
      .post('/v0/api-keys', { name: 'no-perms', permissions: [] });
    expect(expected.status).toBe(400);
    expect(await err.textContent()).toBe(expected.body.error.message);
  });

  it('revokes a key after confirmation', async () => {
    const token = await page.evaluate(() => null); // not logged in yet
    expect(token).toBeNull();
    await loginAs(page, app.url, 'admin', ADMIN_PASSWORD);
    const jwt = (await page.evaluate(() => sessionStorage.getItem('llmlb.token')))!;
    const created = await api(app.url)
      .as(jwt)
      .post('/v0/api-keys', { name: 'doomed', permissions: ['inference'] });
    await page.goto(`${app.url}/dashboard#/api-keys`);
    const row = page.locator(`[data-testid="key-row"][data-id="${created.body.id}"]`);
    await row.getByTestId('revoke-key').click();
    await page.getByTestId('confirm').click();
    await row.waitFor({ state: 'detached' });
    expect((await api(app.url).as(created.body.key).get('/v0/auth/me')).status).toBe(401);
  });

  it('lists users with the admin, adds a viewer, and shows the last-admin error', async () => {
    await loginAs(page, app.url, 'admin', ADMIN_PASSWORD);
    await page.getByTestId('nav-users').click();
    const adminRow = page.locator('[data-testid="user-row"]', { hasText: 'admin' }).first();
    await adminRow.waitFor();
    expect(await adminRow.textContent()).toContain('admin');

    await page.getByTestId('add-user').click();
    await page.getByTestId('user-name').fill('viewer1');
    await page.getByTestId('user-password').fill('viewer-password');
    await page.getByTestId('user-submit').click();
    await page.locator('[data-testid="user-row"]', { hasText: 'viewer1' }).waitFor();
    await screenshot(page, 'users');

    await adminRow.getByTestId('delete-user').click();
    await page.getByTestId('confirm').click();
    const err = page.getByTestId('confirm-dialog').getByTestId('dialog-error');
    await err.waitFor({ state: 'visible' });
    expect(await err.textContent()).toMatch(/admin/i);
  });

  it('a viewer sees no admin pages', async () => {
    const jwt = (
      await api(app.url).post('/v0/auth/login', { username: 'admin', password: ADMIN_PASSWORD })
    ).body.token;
    await api(app.url)
      .as(jwt)
      .post('/v0/users', { username: 'reader', password: 'reader-password', role: 'viewer' });
    await loginAs(page, app.url, 'reader', 'reader-password');
    expect(await page.getByTestId('nav-nodes').count()).toBe(1);
    expect(await page.getByTestId('nav-api-keys').count()).toBe(0);
    expect(await page.getByTestId('nav-users').count()).toBe(0);
    await page.goto(`${app.url}/dashboard#/users`);
    await page.getByTestId('page-overview').waitFor();
  });

  it('goes back to the login form with a message when the session is no longer valid', async () => {
    // A token the server does not accept (expired, or signed with another secret).
    await page.addInitScript(() => sessionStorage.setItem('llmlb.token', 'not-a-valid-jwt'));
    await page.goto(`${app.url}/dashboard#/users`);
    const err = page.getByTestId('login-error');
    await err.waitFor({ state: 'visible' });
    expect(await err.textContent()).toMatch(/session has expired/);
  });

  it('polls only the visible page, without reloading it', async () => {
    // The page's clock is a fake one: the test moves time on and every timer that was due has
    // run, so "no request while hidden" is checked without waiting.
    await page.clock.install();
    await page.addInitScript(() => {
      (window as any).__refreshes = 0;
      document.addEventListener('llmlb:refreshed', () => (window as any).__refreshes++);
    });
    const refreshes = () => page.evaluate(() => (window as any).__refreshes as number);
    const refreshed = (n: number) =>
      page.waitForFunction((k) => (window as any).__refreshes >= k, n, { polling: 50 });
    await loginAs(page, app.url, 'admin', ADMIN_PASSWORD);
    await refreshed(1); // the overview
    const before = await refreshes();
    await page.getByTestId('nav-users').click();
    await refreshed(before + 1); // the users page, whose next poll is now scheduled
    const seen: string[] = [];
    page.on('request', (r) => seen.push(new URL(r.url()).pathname));
    // A user added elsewhere shows up without a reload at the next poll.
    const jwt = (await page.evaluate(() => sessionStorage.getItem('llmlb.token')))!;
    await api(app.url)
      .as(jwt)
      .post('/v0/users', { username: 'elsewhere', password: 'elsewhere-pw', role: 'viewer' });
    let n = await refreshes();
    await page.clock.runFor(3000);
    await page.locator('[data-testid="user-row"]', { hasText: 'elsewhere' }).waitFor();
    await refreshed(n + 1);
    n = await refreshes();
    await page.clock.runFor(3000);
    await refreshed(n + 1);
    expect(seen).toEqual(['/v0/users', '/v0/users']);

    // A hidden tab stops polling; showing it again resumes at once.
    const setVisibility = (state: string) =>
      page.evaluate((st) => {
        Object.defineProperty(document, 'visibilityState', { value: st, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await setVisibility('hidden');
    seen.length = 0;
    n = await refreshes();
    await page.clock.runFor(60_000);
    expect(seen).toEqual([]);
    expect(await refreshes()).toBe(n);
    await setVisibility('visible');
    await refreshed(n + 1);
    expect(seen).toEqual(['/v0/users']);
  }, 30_000);

  it('fits a 375 px window without horizontal scrolling on every page', async () => {
    await page.setViewportSize({ width: 375, height: 740 });
    await loginAs(page, app.url, 'admin', ADMIN_PASSWORD);
    const jwt = (await page.evaluate(() => sessionStorage.getItem('llmlb.token')))!;
    await api(app.url)
      .as(jwt)
      .post('/v0/api-keys', {
        name: 'a-key-with-a-rather-long-name',
        permissions: ['inference', 'models.read', 'endpoints.read', 'nodes.read'],
      });
    for (const p of PAGES) {
      await page.goto(`${app.url}/dashboard#/${p}`);
      await page.getByTestId(`page-${p}`).waitFor();
      await page.waitForLoadState('networkidle');
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      expect({ page: p, overflow }).toEqual({ page: p, overflow: 0 });
      await screenshot(page, `narrow-${p}`);
    }
    await page.goto(`${app.url}/dashboard#/api-keys`);
    await page.getByTestId('create-key').click();
    await page.getByTestId('key-dialog').waitFor();
    await screenshot(page, 'narrow-key-dialog');
    const dialogBox = await page.getByTestId('key-dialog').boundingBox();
    expect(dialogBox!.x).toBeGreaterThanOrEqual(0);
    expect(dialogBox!.x + dialogBox!.width).toBeLessThanOrEqual(375);
  });
});
