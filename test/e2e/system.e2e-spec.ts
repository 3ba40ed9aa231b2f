import { api } from '../helpers/http';
import { startApp, TestApp } from '../helpers/app';

describe('system routes', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.cleanup());

  it('serves liveness and readiness publicly, with a request id', async () => {
    const live = await api(t.url).get('/healthz');
    expect(live.status).toBe(200);
    expect(live.body).toEqual({ status: 'ok' });
    expect(live.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const ready = await api(t.url).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
  });

  it('echoes a sane incoming x-request-id and replaces an unsafe one', async () => {
    const ok = await api(t.url).with({ 'x-request-id': 'abc-123' }).get('/healthz');
    expect(ok.headers.get('x-request-id')).toBe('abc-123');
    const bad = await api(t.url).with({ 'x-request-id': 'has spaces and <tags>' }).get('/healthz');
    expect(bad.headers.get('x-request-id')).not.toBe('has spaces and <tags>');
  });
});
