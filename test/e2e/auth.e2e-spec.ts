import { statSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_PASSWORD, makeDataDir, startApp, TestApp } from '../helpers/app';
import { api, login } from '../helpers/http';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('auth: login, users, API keys', () => {
  let t: TestApp;
  let admin: string;

  beforeAll(async () => {
    t = await startApp({ LLMLB_LOGIN_RATE_LIMIT: '3' });
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
  });
  afterAll(() => t.cleanup());

  describe('login', () => {
    it('returns a bearer JWT and the user', async () => {
      const res = await api(t.url).post('/v0/auth/login', {
        username: 'admin',
        password: ADMIN_PASSWORD,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        token_type: 'Bearer',
        expires_in: 86400,
        user: { username: 'admin', role: 'admin' },
      });
      expect(res.body.token.split('.')).toHaveLength(3);
      const me = await api(t.url).as(res.body.token).get('/v0/auth/me');
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ kind: 'user', name: 'admin', role: 'admin' });
      expect(me.body.permissions).toContain('users.manage');
    });

    it('answers a wrong password and an unknown user the same way', async () => {
      const wrong = await api(t.url).post('/v0/auth/login', {
        username: 'admin',
        password: 'nope-nope',
      });
      const unknown = await api(t.url).post('/v0/auth/login', {
        username: 'ghost',
        password: 'nope-nope',
      });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body.error).toMatchObject({
        code: 'invalid_credentials',
        type: 'authentication_error',
      });
    });

    it('rate-limits failed attempts per username with 429, even for the right password', async () => {
      await api(t.url)
        .as(admin)
        .post('/v0/users', { username: 'victim', password: 'victim-password', role: 'viewer' });
      for (let i = 0; i < 3; i++) {
        const r = await api(t.url).post('/v0/auth/login', {
          username: 'victim',
          password: 'wrong-password',
        });
        expect(r.status).toBe(401);
      }
      const blocked = await api(t.url).post('/v0/auth/login', {
        username: 'victim',
        password: 'victim-password',
      });
      expect(blocked.status).toBe(429);
      expect(blocked.body.error).toMatchObject({ code: 'rate_limited', type: 'rate_limit_error' });
      // other users are not affected
      expect(
        (await api(t.url).post('/v0/auth/login', { username: 'admin', password: ADMIN_PASSWORD }))
          .status,
      ).toBe(200);
    });

    it('refuses bad and tampered tokens', async () => {
      const tampered = admin.slice(0, -2) + (admin.endsWith('A') ? 'BB' : 'AA');
      const r1 = await api(t.url).as(tampered).get('/v0/auth/me');
      expect(r1.status).toBe(401);
      expect(r1.body.error.code).toBe('invalid_token');
      const r2 = await api(t.url).with({ authorization: 'Basic abc' }).get('/v0/auth/me');
      expect(r2.status).toBe(401);
      const r3 = await api(t.url).get('/v0/auth/me');
      expect(r3.status).toBe(401);
      expect(r3.body.error.code).toBe('unauthorized');
    });
  });

  describe('users', () => {
    it('creates, lists, updates and deletes users; refuses duplicates', async () => {
      const created = await api(t.url)
        .as(admin)
        .post('/v0/users', { username: 'bob', password: 'bob-password', role: 'viewer' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ username: 'bob', role: 'viewer' });
      expect(created.body.password_hash).toBeUndefined();
      const dup = await api(t.url)
        .as(admin)
        .post('/v0/users', { username: 'bob', password: 'bob-password', role: 'viewer' });
      expect(dup.status).toBe(409);
      expect(dup.body.error.code).toBe('username_taken');
      const list = await api(t.url).as(admin).get('/v0/users');
      expect(list.body.users.map((u: any) => u.username)).toContain('bob');
      expect(JSON.stringify(list.body)).not.toContain('$2');
      const upd = await api(t.url).as(admin).put(`/v0/users/${created.body.id}`, { role: 'admin' });
      expect(upd.body.role).toBe('admin');
      const del = await api(t.url).as(admin).delete(`/v0/users/${created.body.id}`);
      expect(del.status).toBe(204);
      expect((await api(t.url).as(admin).delete(`/v0/users/${created.body.id}`)).status).toBe(404);
    });

    it('never deletes or demotes the last admin', async () => {
      const users = (await api(t.url).as(admin).get('/v0/users')).body.users;
      const adminUser = users.find((u: any) => u.username === 'admin');
      const demote = await api(t.url)
        .as(admin)
        .put(`/v0/users/${adminUser.id}`, { role: 'viewer' });
      expect(demote.status).toBe(409);
      expect(demote.body.error.code).toBe('last_admin');
      const del = await api(t.url).as(admin).delete(`/v0/users/${adminUser.id}`);
      expect(del.status).toBe(409);
      expect(del.body.error.code).toBe('last_admin');
      expect((await api(t.url).as(admin).get('/v0/auth/me')).body.role).toBe('admin');
    });

    it('lets a viewer read but not manage, and applies a demotion at once', async () => {
      const carol = await api(t.url)
        .as(admin)
        .post('/v0/users', { username: 'carol', password: 'carol-password', role: 'admin' });
      const token = await login(t.url, 'carol', 'carol-password');
      expect((await api(t.url).as(token).get('/v0/users')).status).toBe(200);
      await api(t.url).as(admin).put(`/v0/users/${carol.body.id}`, { role: 'viewer' });
      const denied = await api(t.url).as(token).get('/v0/users');
      expect(denied.status).toBe(403);
      expect(denied.body.error).toMatchObject({ code: 'forbidden', type: 'permission_error' });
      expect((await api(t.url).as(token).get('/v0/auth/me')).body.role).toBe('viewer');
      expect(
        (
          await api(t.url)
            .as(token)
            .post('/v0/api-keys', { name: 'x', permissions: ['inference'] })
        ).status,
      ).toBe(403);
      await api(t.url).as(admin).delete(`/v0/users/${carol.body.id}`);
      expect((await api(t.url).as(token).get('/v0/auth/me')).status).toBe(401);
    });

    it('changes a password with the current one', async () => {
      await api(t.url)
        .as(admin)
        .post('/v0/users', { username: 'dave', password: 'dave-password', role: 'viewer' });
      const token = await login(t.url, 'dave', 'dave-password');
      const wrong = await api(t.url).as(token).post('/v0/auth/change-password', {
        current_password: 'xxxxxxxx',
        new_password: 'dave-new-password',
      });
      expect(wrong.status).toBe(401);
      const short = await api(t.url).as(token).post('/v0/auth/change-password', {
        current_password: 'dave-password',
        new_password: 'short',
      });
      expect(short.status).toBe(400);
      expect(short.body.error.details[0].field).toBe('new_password');
      const ok = await api(t.url).as(token).post('/v0/auth/change-password', {
        current_password: 'dave-password',
        new_password: 'dave-new-password',
      });
      expect(ok.status).toBe(200);
      expect(
        (await api(t.url).post('/v0/auth/login', { username: 'dave', password: 'dave-password' }))
          .status,
      ).toBe(401);
      expect(
        (
          await api(t.url).post('/v0/auth/login', {
            username: 'dave',
            password: 'dave-new-password',
          })
        ).status,
      ).toBe(200);
    });
  });

  describe('API keys', () => {
    it('shows the key once, stores only its hash, and lists the prefix', async () => {
      const res = await api(t.url)
        .as(admin)
        .post('/v0/api-keys', { name: 'app', permissions: ['inference', 'models.read'] });
      expect(res.status).toBe(201);
      expect(res.body.key).toMatch(/^sk_[0-9A-Za-z]{32,}$/);
      expect(res.body.key_prefix).toBe(res.body.key.slice(0, 7));
      const list = await api(t.url).as(admin).get('/v0/api-keys');
      const listed = list.body.api_keys.find((k: any) => k.id === res.body.id);
      expect(listed).toMatchObject({
        name: 'app',
        key_prefix: res.body.key_prefix,
        permissions: ['inference', 'models.read'],
      });
      expect(listed.key).toBeUndefined();
      expect(JSON.stringify(list.body)).not.toContain(res.body.key);
      const db =
        readFileSync(join(t.dataDir, 'llmlb.db')).toString('latin1') +
        readFileSync(join(t.dataDir, 'llmlb.db-wal')).toString('latin1');
      expect(db).not.toContain(res.body.key);
    });

    it('authenticates with Bearer and X-API-Key, and enforces each permission', async () => {
      const k = (
        await api(t.url)
          .as(admin)
          .post('/v0/api-keys', { name: 'users-only', permissions: ['users.manage'] })
      ).body.key;
      expect((await api(t.url).as(k).get('/v0/users')).status).toBe(200);
      expect((await api(t.url).with({ 'x-api-key': k }).get('/v0/users')).status).toBe(200);
      const denied = await api(t.url).as(k).get('/v0/api-keys');
      expect(denied.status).toBe(403);
      expect(denied.body.error.message).toContain('api_keys.manage');
      const me = await api(t.url).as(k).get('/v0/auth/me');
      expect(me.body).toMatchObject({
        kind: 'api_key',
        name: 'users-only',
        permissions: ['users.manage'],
      });
    });

    it('does not let a key grant permissions it does not hold', async () => {
      const k = (
        await api(t.url)
          .as(admin)
          .post('/v0/api-keys', {
            name: 'key-admin',
            permissions: ['api_keys.manage', 'inference'],
          })
      ).body.key;
      const ok = await api(t.url)
        .as(k)
        .post('/v0/api-keys', { name: 'child', permissions: ['inference'] });
      expect(ok.status).toBe(201);
      const escalate = await api(t.url)
        .as(k)
        .post('/v0/api-keys', { name: 'evil', permissions: ['users.manage'] });
      expect(escalate.status).toBe(403);
    });

    it('refuses revoked keys, unknown keys and unknown permissions', async () => {
      const created = (
        await api(t.url)
          .as(admin)
          .post('/v0/api-keys', { name: 'temp', permissions: ['users.manage'] })
      ).body;
      expect((await api(t.url).as(admin).delete(`/v0/api-keys/${created.id}`)).status).toBe(204);
      const r = await api(t.url).as(created.key).get('/v0/users');
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('invalid_api_key');
      expect(
        (await api(t.url).as('sk_doesnotexist0000000000000000000000').get('/v0/users')).status,
      ).toBe(401);
      expect((await api(t.url).as(admin).delete(`/v0/api-keys/${created.id}`)).status).toBe(404);
      const bad = await api(t.url)
        .as(admin)
        .post('/v0/api-keys', { name: 'x', permissions: ['root'] });
      expect(bad.status).toBe(400);
      expect(bad.body.error.details[0].field).toBe('permissions');
    });

    it('expires keys at expires_at and refuses a past expiry', async () => {
      const past = await api(t.url)
        .as(admin)
        .post('/v0/api-keys', {
          name: 'old',
          permissions: ['users.manage'],
          expires_at: '2001-01-01T00:00:00Z',
        });
      expect(past.status).toBe(400);
      const soon = new Date(Date.now() + 1200).toISOString();
      const k = (
        await api(t.url)
          .as(admin)
          .post('/v0/api-keys', { name: 'short', permissions: ['users.manage'], expires_at: soon })
      ).body;
      expect(k.expires_at).toBe(soon);
      expect((await api(t.url).as(k.key).get('/v0/users')).status).toBe(200);
      await sleep(1500);
      expect((await api(t.url).as(k.key).get('/v0/users')).status).toBe(401);
    });
  });
});

describe('auth: tokens expire', () => {
  it('refuses a JWT after its lifetime', async () => {
    const t = await startApp({ LLMLB_JWT_EXPIRES_SECS: '1' });
    try {
      const token = await login(t.url, 'admin', ADMIN_PASSWORD);
      expect((await api(t.url).as(token).get('/v0/auth/me')).status).toBe(200);
      await sleep(2100);
      const r = await api(t.url).as(token).get('/v0/auth/me');
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('invalid_token');
    } finally {
      await t.cleanup();
    }
  });
});

describe('auth: first boot and restart', () => {
  it('generates an admin password once, writes it 0600, and keeps users and keys across a restart', async () => {
    const dataDir = makeDataDir();
    const first = await startApp({ LLMLB_ADMIN_PASSWORD: '' }, dataDir);
    const file = join(dataDir, 'initial-admin-password');
    const password = readFileSync(file, 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'jwt-secret')).mode & 0o777).toBe(0o600);
    const token = await login(first.url, 'admin', password);
    await api(first.url)
      .as(token)
      .post('/v0/users', { username: 'erin', password: 'erin-password', role: 'viewer' });
    const key = (
      await api(first.url)
        .as(token)
        .post('/v0/api-keys', { name: 'persist', permissions: ['users.manage'] })
    ).body.key;
    await first.close();

    const second = await startApp({ LLMLB_ADMIN_PASSWORD: '' }, dataDir);
    try {
      expect(readFileSync(file, 'utf8').trim()).toBe(password);
      // the JWT secret persisted too, so the old token still works
      expect((await api(second.url).as(token).get('/v0/auth/me')).status).toBe(200);
      expect(
        (await api(second.url).as(key).get('/v0/users')).body.users.map((u: any) => u.username),
      ).toEqual(['admin', 'erin']);
      expect(
        (
          await api(second.url).post('/v0/auth/login', {
            username: 'erin',
            password: 'erin-password',
          })
        ).status,
      ).toBe(200);
    } finally {
      await second.cleanup();
    }
  });
});
