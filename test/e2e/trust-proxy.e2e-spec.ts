import { startApp, TestApp } from '../helpers/app';
import { api } from '../helpers/http';

/**
 * Failed logins are limited per source address (3 × LLMLB_LOGIN_RATE_LIMIT per minute). Behind a
 * reverse proxy the source is the proxy, unless LLMLB_TRUST_PROXY names it.
 */
async function failLogins(url: string, forwardedFor: string, n: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) {
    const r = await api(url)
      .with({ 'x-forwarded-for': forwardedFor })
      .post('/v0/auth/login', {
        username: `user-${forwardedFor}-${i}`,
        password: 'wrong-password',
      });
    statuses.push(r.status);
  }
  return statuses;
}

describe('client address behind a reverse proxy', () => {
  let t: TestApp | undefined;
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  it('with LLMLB_TRUST_PROXY naming the proxy, each forwarded client has its own limit', async () => {
    t = await startApp({ LLMLB_LOGIN_RATE_LIMIT: '1', LLMLB_TRUST_PROXY: '127.0.0.1' });
    expect(await failLogins(t.url, '203.0.113.7', 4)).toEqual([401, 401, 401, 429]);
    expect(await failLogins(t.url, '198.51.100.9', 1)).toEqual([401]);
  });

  it('without it, X-Forwarded-For is ignored and every client shares the socket address', async () => {
    t = await startApp({ LLMLB_LOGIN_RATE_LIMIT: '1' });
    expect(await failLogins(t.url, '203.0.113.7', 4)).toEqual([401, 401, 401, 429]);
    expect(await failLogins(t.url, '198.51.100.9', 1)).toEqual([429]);
  });
});
