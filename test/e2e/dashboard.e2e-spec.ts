import { startApp, type TestApp } from '../helpers/app';
import { api } from '../helpers/http';

describe('dashboard static files', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startApp();
  });
  afterAll(async () => {
    await app?.cleanup();
  });

  it.each(['/dashboard', '/dashboard/'])('%s serves the page without credentials', async (path) => {
    const res = await api(app.url).get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.text).toContain('<script type="module" src="/dashboard/app.js">');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });

  it('serves scripts and styles with their types', async () => {
    const js = await api(app.url).get('/dashboard/app.js');
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.text).toContain("from './api.js'");
    const css = await api(app.url).get('/dashboard/style.css');
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const icon = await api(app.url).get('/dashboard/favicon.svg');
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
  });

  it('answers 304 to a matching If-None-Match', async () => {
    const first = await api(app.url).get('/dashboard/ui.js');
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await api(app.url).with({ 'if-none-match': etag! }).get('/dashboard/ui.js');
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
  });

  it.each([
    '/dashboard/nope.js',
    '/dashboard/..%2Fpackage.json',
    '/dashboard/%2e%2e%2f%2e%2e%2fpackage.json',
    '/dashboard/a/b',
  ])('%s is a 404 in the error shape', async (path) => {
    const res = await api(app.url).get(path);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('route_not_found');
    expect(res.text).not.toContain('"version"');
  });
});
