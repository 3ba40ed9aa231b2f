import { PERMISSIONS, type Permission } from '../../src/auth/permissions';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { api, login } from '../helpers/http';
import { nodeBody } from '../helpers/nodes';

const UUID = '00000000-0000-4000-8000-000000000000';

/** One route guarded by each permission, with a request that the route accepts or refuses on content. */
const ROUTES: Record<Permission, { method: 'GET' | 'POST'; path: string; body?: () => unknown }> = {
  inference: {
    method: 'POST',
    path: '/v1/chat/completions',
    body: () => ({ model: 'nowhere', messages: [] }),
  },
  'models.read': { method: 'GET', path: '/v0/models' },
  'endpoints.read': { method: 'GET', path: '/v0/endpoints' },
  'endpoints.manage': { method: 'POST', path: '/v0/endpoints', body: () => ({}) },
  'nodes.read': { method: 'GET', path: '/v0/nodes' },
  'nodes.manage': { method: 'POST', path: `/v0/nodes/${UUID}/approve` },
  'nodes.register': { method: 'POST', path: '/v0/nodes', body: () => nodeBody() },
  'models.manage': { method: 'POST', path: '/v0/models/register', body: () => ({}) },
  'tasks.read': { method: 'GET', path: '/v0/tasks' },
  'api_keys.manage': { method: 'GET', path: '/v0/api-keys' },
  'users.manage': { method: 'GET', path: '/v0/users' },
  'metrics.read': { method: 'GET', path: '/metrics' },
};

describe('each API-key permission opens its routes and nothing else', () => {
  let t: TestApp;
  const keys = new Map<Permission, string>();

  beforeAll(async () => {
    t = await startApp({ LLMLB_NODE_REGISTRATION_KEY_REQUIRED: 'true' });
    const admin = await login(t.url, 'admin', ADMIN_PASSWORD);
    for (const p of PERMISSIONS) {
      const res = await api(t.url)
        .as(admin)
        .post('/v0/api-keys', { name: `only-${p}`, permissions: [p] });
      keys.set(p, res.body.key);
    }
  });
  afterAll(() => t.cleanup());

  it('covers every permission', () => {
    expect(Object.keys(ROUTES).sort()).toEqual([...PERMISSIONS].sort());
  });

  it.each([...PERMISSIONS])('a key with only %s', async (perm) => {
    const key = keys.get(perm)!;
    for (const [routePerm, route] of Object.entries(ROUTES) as [
      Permission,
      (typeof ROUTES)[Permission],
    ][]) {
      const res = await api(t.url).as(key).request(route.method, route.path, route.body?.());
      const allowed = routePerm === perm;
      if (allowed) {
        expect({ route: route.path, status: res.status }).not.toEqual({
          route: route.path,
          status: 403,
        });
        expect(res.status).not.toBe(401);
      } else {
        expect({
          route: `${route.method} ${route.path}`,
          status: res.status,
          code: res.body?.error?.code,
        }).toEqual({
          route: `${route.method} ${route.path}`,
          status: 403,
          code: 'forbidden',
        });
      }
    }
  });
});
