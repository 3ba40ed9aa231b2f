import bcrypt from 'bcryptjs';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { api, login } from '../helpers/http';

const attempt = (t: TestApp, from: string, username: string, password: string) =>
  api(t.url).with({ 'x-forwarded-for': from }).post('/v0/auth/login', { username, password });

/** Issue 10 §3: logins that cannot be flooded through, nor used to lock the admin out. */
describe('security: logins', () => {
  describe('rate limit', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startApp({ LLMLB_LOGIN_RATE_LIMIT: '5', LLMLB_TRUST_PROXY: 'true' });
    });
    afterAll(() => t.cleanup());

    it('25 concurrent wrong passwords: only the limit is checked, the rest get 429', async () => {
      const results = await Promise.all(
        Array.from({ length: 25 }, () => attempt(t, '203.0.113.7', 'admin', 'wrong-password')),
      );
      const statuses = results.map((r) => r.status);
      expect(statuses.filter((s) => s === 401)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(20);
      const limited = results.find((r) => r.status === 429)!;
      expect(limited.body.error).toMatchObject({ code: 'rate_limited', type: 'rate_limit_error' });
    });

    it('the attacker stays locked out, even with the right password', async () => {
      const r = await attempt(t, '203.0.113.7', 'admin', ADMIN_PASSWORD);
      expect(r.status).toBe(429);
    });

    it('the admin from another address can still log in', async () => {
      const r = await attempt(t, '198.51.100.20', 'admin', ADMIN_PASSWORD);
      expect(r.status).toBe(200);
      expect(r.body.user).toMatchObject({ username: 'admin', role: 'admin' });
    });
  });

  describe('hashing off the event loop', () => {
    let t: TestApp;
    let admin: string;
    beforeAll(async () => {
      t = await startApp({ LLMLB_LOGIN_RATE_LIMIT: '1000', LLMLB_TRUST_PROXY: 'true' });
      admin = await login(t.url, 'admin', ADMIN_PASSWORD);
    });
    afterAll(() => t.cleanup());

    it('/healthz and /v1 answer while a login flood is still being verified', async () => {
      const order: string[] = [];
      // The server runs in this process: how busy its event loop is during the flood.
      const loopBefore = performance.eventLoopUtilization();
      const flood = Array.from({ length: 30 }, (_, i) =>
        attempt(t, `192.0.2.${i + 1}`, 'admin', `wrong-${i}`).then((r) => {
          order.push(`login:${r.status}`);
        }),
      );
      // Wait until the flood is being served (the first answer is out), then ask for health.
      await Promise.race(flood);
      const health = api(t.url)
        .get('/healthz')
        .then((r) => order.push(`healthz:${r.status}`));
      const models = api(t.url)
        .as(admin)
        .get('/v1/models')
        .then((r) => order.push(`v1:${r.status}`));
      await Promise.all([...flood, health, models]);
      const loop = performance.eventLoopUtilization(loopBefore);
      expect(order.filter((e) => e.startsWith('login:'))).toEqual(Array(30).fill('login:401'));
      // Both answered before the flood was over: the verifications queued off the loop.
      const lastLogin = order.lastIndexOf('login:401');
      expect(order.indexOf('healthz:200')).toBeGreaterThanOrEqual(0);
      expect(order.indexOf('healthz:200')).toBeLessThan(lastLogin);
      expect(order.indexOf('v1:200')).toBeGreaterThanOrEqual(0);
      expect(order.indexOf('v1:200')).toBeLessThan(lastLogin);
      // Thirty password checks ran, yet the event loop kept idle time to answer others:
      // hashing on the event loop (bcryptjs) pins it at 1 for the whole flood. The margin is
      // wide because this machine may be busy (the loop's own work then takes longer too).
      expect(loop.utilization).toBeLessThan(0.9);
    });

    it('stores new passwords as argon2id', async () => {
      const r = await api(t.url)
        .as(admin)
        .post('/v0/users', { username: 'carol', password: 'carol-password', role: 'viewer' });
      expect(r.status).toBe(201);
      const [row] = await t.app
        .get(DataSource)
        .query(`SELECT password_hash FROM users WHERE username = 'carol'`);
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
    });

    it('an old bcryptjs hash still logs in, and is replaced by argon2id at that login', async () => {
      const ds = t.app.get(DataSource);
      const created = await api(t.url)
        .as(admin)
        .post('/v0/users', { username: 'legacy', password: 'placeholder-pw', role: 'viewer' });
      const legacyHash = bcrypt.hashSync('legacy-password', 10);
      await ds.query(`UPDATE users SET password_hash = ? WHERE id = ?`, [
        legacyHash,
        created.body.id,
      ]);
      expect((await attempt(t, '192.0.2.200', 'legacy', 'not-it')).status).toBe(401);
      const ok = await attempt(t, '192.0.2.200', 'legacy', 'legacy-password');
      expect(ok.status).toBe(200);
      const [row] = await ds.query(`SELECT password_hash FROM users WHERE id = ?`, [
        created.body.id,
      ]);
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      expect((await attempt(t, '192.0.2.200', 'legacy', 'legacy-password')).status).toBe(200);
    });
  });
});
