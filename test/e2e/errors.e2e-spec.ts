import { UsersService } from '../../src/auth/users.service';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { api, login } from '../helpers/http';

describe('the one error shape', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startApp({ LLMLB_BODY_LIMIT_BYTES: '4096', LLMLB_PROXY_BODY_LIMIT_BYTES: '8192' });
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
  });
  afterAll(() => t.cleanup());

  const expectShape = (body: any, status: number, code: string, type: string) => {
    expect(Object.keys(body)).toEqual(['error']);
    expect(body.error).toMatchObject({ code, type });
    expect(body.error).toHaveProperty('param');
    expect(typeof body.error.message).toBe('string');
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(status).toBeGreaterThanOrEqual(400);
  };

  it('malformed JSON → 400 invalid_json', async () => {
    const r = await api(t.url).request('POST', '/v0/auth/login', undefined, '{"username": ');
    expect(r.status).toBe(400);
    expectShape(r.body, r.status, 'invalid_json', 'invalid_request_error');
    expect(r.headers.get('x-request-id')).toBeTruthy();
  });

  it('bodies over the management limit → 413 payload_too_large; /v1 has its own larger limit', async () => {
    const big = JSON.stringify({ username: 'x'.repeat(5000), password: 'y' });
    const r = await api(t.url).request('POST', '/v0/auth/login', undefined, big);
    expect(r.status).toBe(413);
    expectShape(r.body, r.status, 'payload_too_large', 'invalid_request_error');
    // 5 KB is under the /v1 limit: the body is accepted by the parser (then auth refuses it)
    const v1 = await api(t.url).request('POST', '/v1/chat/completions', undefined, big);
    expect(v1.status).not.toBe(413);
    const hugeBody = JSON.stringify({ x: 'z'.repeat(9000) });
    const huge = await api(t.url)
      .as(admin)
      .request('POST', '/v1/chat/completions', undefined, hugeBody);
    expect(huge.status).toBe(413);
    expectShape(huge.body, huge.status, 'payload_too_large', 'invalid_request_error');
    // credentials are checked first, before the body is read
    const anonymous = await api(t.url).request('POST', '/v1/chat/completions', undefined, hugeBody);
    expect(anonymous.status).toBe(401);
  });

  it('unknown routes → 404 route_not_found', async () => {
    const r = await api(t.url).get('/v0/nothing-here');
    expect(r.status).toBe(404);
    expectShape(r.body, r.status, 'route_not_found', 'not_found_error');
    expect(r.body.error.message).toContain('/v0/nothing-here');
  });

  it('validation errors name every bad field, including unknown ones', async () => {
    const r = await api(t.url)
      .as(admin)
      .post('/v0/users', { username: 42, password: 'short', role: 'root', extra: true });
    expect(r.status).toBe(400);
    expectShape(r.body, r.status, 'validation_failed', 'invalid_request_error');
    const fields = r.body.error.details.map((d: any) => d.field).sort();
    expect(fields).toEqual(['extra', 'password', 'role', 'username']);
    expect(r.body.error.param).toBeTruthy();
    expect(r.body.error.message).toContain('password');
  });

  it('missing body on a route that needs one → 400 with the missing fields', async () => {
    const r = await api(t.url).as(admin).request('POST', '/v0/users');
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('validation_failed');
    expect(r.body.error.details.map((d: any) => d.field)).toEqual(
      expect.arrayContaining(['username', 'password', 'role']),
    );
  });

  it('ids that are not UUIDs → 400, not 500', async () => {
    const r = await api(t.url).as(admin).delete('/v0/users/not-a-uuid');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'validation_failed', param: 'id' });
  });

  it('a wrong content type → 415 in the same shape', async () => {
    const r = await api(t.url)
      .with({ 'content-type': 'application/xml' })
      .request('POST', '/v0/auth/login', undefined, '<a/>');
    expect(r.status).toBe(415);
    expect(r.body.error.code).toBe('unsupported_media_type');
  });

  it('an unexpected failure → 500 internal_error with the request id and no stack trace', async () => {
    const users = t.app.get(UsersService);
    const spy = jest
      .spyOn(users, 'list')
      .mockRejectedValueOnce(new Error('secret detail at /srv/app.ts:12'));
    const r = await api(t.url).as(admin).with({ 'x-request-id': 'req-500-test' }).get('/v0/users');
    spy.mockRestore();
    expect(r.status).toBe(500);
    expectShape(r.body, r.status, 'internal_error', 'internal_error');
    expect(r.text).not.toContain('secret detail');
    expect(r.text).not.toMatch(/at .*\.ts:\d+/);
    expect(r.body.error.message).toContain('req-500-test');
    expect(r.headers.get('x-request-id')).toBe('req-500-test');
  });

  it('nothing half-written stays after a refused request', async () => {
    const before = (await api(t.url).as(admin).get('/v0/users')).body.total;
    await api(t.url)
      .as(admin)
      .post('/v0/users', { username: 'half', password: 'half-password', role: 'superuser' });
    expect((await api(t.url).as(admin).get('/v0/users')).body.total).toBe(before);
  });
});
