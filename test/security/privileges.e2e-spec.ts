import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { api, login } from '../helpers/http';
import { createKey } from '../helpers/backends';

/** Issue 10 §3: what a key may do to users and keys, and when JWTs stop working. */
describe('security: privileges', () => {
  let t: TestApp;
  let admin: string;
  let adminId: string;
  beforeAll(async () => {
    t = await startApp();
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
    adminId = (await api(t.url).as(admin).get('/v0/auth/me')).body.id;
  });
  afterAll(() => t.cleanup());

  describe('a key with users.manage', () => {
    let key: string;
    beforeAll(async () => {
      key = await createKey(t, admin, ['users.manage']);
    });

    it('cannot create an admin', async () => {
      const r = await api(t.url)
        .as(key)
        .post('/v0/users', { username: 'evil-admin', password: 'evil-password', role: 'admin' });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('admin_session_required');
      const users = await api(t.url).as(admin).get('/v0/users');
      expect(users.body.users.map((u: any) => u.username)).not.toContain('evil-admin');
    });

    it("cannot reset the admin's password", async () => {
      const r = await api(t.url).as(key).put(`/v0/users/${adminId}`, { password: 'hijacked-pw' });
      expect(r.status).toBe(403);
      expect(r.body.error.code).toBe('admin_session_required');
      expect(
        (await api(t.url).post('/v0/auth/login', { username: 'admin', password: 'hijacked-pw' }))
          .status,
      ).toBe(401);
    });

    it('cannot promote a viewer to admin, but may still manage viewers', async () => {
      const created = await api(t.url).as(key).post('/v0/users', {
        username: 'plain-viewer',
        password: 'viewer-password',
        role: 'viewer',
      });
      expect(created.status).toBe(201);
      const promote = await api(t.url)
        .as(key)
        .put(`/v0/users/${created.body.id}`, { role: 'admin' });
      expect(promote.status).toBe(403);
      // The same actions are allowed to an admin signed in with a password.
      const byAdmin = await api(t.url)
        .as(admin)
        .put(`/v0/users/${created.body.id}`, { role: 'admin', password: 'new-viewer-pw' });
      expect(byAdmin.status).toBe(200);
      expect(byAdmin.body.role).toBe('admin');
    });
  });

  describe('keys made by keys', () => {
    it('never outlive their creator: not created to expire later, and dead with it', async () => {
      const soon = new Date(Date.now() + 3_600_000).toISOString();
      const parent = await api(t.url)
        .as(admin)
        .post('/v0/api-keys', {
          name: 'parent',
          permissions: ['api_keys.manage', 'models.read'],
          expires_at: soon,
        });
      expect(parent.status).toBe(201);
      const later = new Date(Date.now() + 30 * 86_400_000).toISOString();
      const tooLong = await api(t.url)
        .as(parent.body.key)
        .post('/v0/api-keys', { name: 'child', permissions: ['models.read'], expires_at: later });
      expect(tooLong.status).toBe(403);
      const child = await api(t.url)
        .as(parent.body.key)
        .post('/v0/api-keys', { name: 'child', permissions: ['models.read'] });
      expect(child.status).toBe(201);
      expect(child.body.expires_at).toBe(soon);
      const grandchild = await api(t.url)
        .as(child.body.key)
        .post('/v0/api-keys', { name: 'grandchild', permissions: [] });
      expect(grandchild.status).toBe(403); // the child has no api_keys.manage
      expect((await api(t.url).as(child.body.key).get('/v0/models')).status).toBe(200);

      // Revoking the parent kills the key it created.
      expect((await api(t.url).as(admin).delete(`/v0/api-keys/${parent.body.id}`)).status).toBe(
        204,
      );
      const after = await api(t.url).as(child.body.key).get('/v0/models');
      expect(after.status).toBe(401);
      expect(after.body.error.code).toBe('invalid_api_key');
    });

    it('never hold more than their creator holds now, nor outlive a deleted creator', async () => {
      const creator = await api(t.url)
        .as(admin)
        .post('/v0/users', { username: 'key-maker', password: 'key-maker-pw', role: 'admin' });
      const makerJwt = await login(t.url, 'key-maker', 'key-maker-pw');
      const made = await createKey(t, makerJwt, ['endpoints.manage', 'endpoints.read']);
      expect((await api(t.url).as(made).get('/v0/endpoints')).status).toBe(200);
      expect(
        (await api(t.url).as(made).post('/v0/endpoints', { name: 'x', base_url: 'not a url' }))
          .status,
      ).toBe(400);
      // Demoted to viewer: the key keeps only what a viewer may do.
      await api(t.url).as(admin).put(`/v0/users/${creator.body.id}`, { role: 'viewer' });
      expect((await api(t.url).as(made).get('/v0/endpoints')).status).toBe(200);
      expect(
        (await api(t.url).as(made).post('/v0/endpoints', { name: 'x', base_url: 'not a url' }))
          .status,
      ).toBe(403);
      // Deleted: the key stops working.
      await api(t.url).as(admin).delete(`/v0/users/${creator.body.id}`);
      expect((await api(t.url).as(made).get('/v0/endpoints')).status).toBe(401);
    });
  });

  describe('JWTs', () => {
    it('changing a password invalidates the earlier tokens of that user', async () => {
      await api(t.url)
        .as(admin)
        .post('/v0/users', { username: 'dave', password: 'dave-password-1', role: 'viewer' });
      const stolen = await login(t.url, 'dave', 'dave-password-1');
      expect((await api(t.url).as(stolen).get('/v0/auth/me')).status).toBe(200);
      const changed = await api(t.url).as(stolen).post('/v0/auth/change-password', {
        current_password: 'dave-password-1',
        new_password: 'dave-password-2',
      });
      expect(changed.status).toBe(200);
      const old = await api(t.url).as(stolen).get('/v0/auth/me');
      expect(old.status).toBe(401);
      expect(old.body.error.code).toBe('invalid_token');
      const fresh = await login(t.url, 'dave', 'dave-password-2');
      expect((await api(t.url).as(fresh).get('/v0/auth/me')).status).toBe(200);
    });

    it("an admin resetting a user's password invalidates that user's tokens", async () => {
      const created = await api(t.url)
        .as(admin)
        .post('/v0/users', { username: 'erin', password: 'erin-password-1', role: 'viewer' });
      const token = await login(t.url, 'erin', 'erin-password-1');
      await api(t.url).as(admin).put(`/v0/users/${created.body.id}`, { password: 'erin-reset-1' });
      expect((await api(t.url).as(token).get('/v0/auth/me')).status).toBe(401);
      // The admin's own token is untouched.
      expect((await api(t.url).as(admin).get('/v0/auth/me')).status).toBe(200);
    });

    it('a correctly signed JWT without exp is refused', async () => {
      const secret = readFileSync(join(t.dataDir, 'jwt-secret'), 'utf8').trim();
      const forever = jwt.sign({ sub: adminId, username: 'admin', role: 'admin', ver: 0 }, secret, {
        algorithm: 'HS256',
      });
      const r = await api(t.url).as(forever).get('/v0/auth/me');
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe('invalid_token');
      // The same claims with an expiry are accepted: only the missing exp is refused.
      const bounded = jwt.sign({ sub: adminId, username: 'admin', role: 'admin', ver: 0 }, secret, {
        algorithm: 'HS256',
        expiresIn: 60,
      });
      expect((await api(t.url).as(bounded).get('/v0/auth/me')).status).toBe(200);
    });
  });
});
