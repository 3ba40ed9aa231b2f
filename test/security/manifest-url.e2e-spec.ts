import { request } from 'node:http';
import { FakeHfHub } from '../fakes/hf-hub';
import { PullingNode } from '../fakes/pulling-node';
import { Fleet } from '../helpers/fleet';
import { api, login, waitFor } from '../helpers/http';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';

const MODEL = 'org/tiny-gguf/tiny.q4_k_m';

/** POST with a Host header of the caller's choosing (fetch would not send it). */
function postWithHost(url: string, path: string, host: string, jwt: string, body: unknown) {
  return new Promise<number>((resolve, reject) => {
    const u = new URL(url);
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method: 'POST',
        headers: { host, authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/**
 * The manifest URL sent to nodes came from the request's Host header (issue 10 §4): whoever
 * started a download could send the node, with its token, to a host of their choosing.
 */
describe.each([
  [
    'without LLMLB_PUBLIC_URL: a path the node resolves',
    {},
    `/v0/models/${encodeURIComponent(MODEL)}/manifest`,
  ],
  [
    'with LLMLB_PUBLIC_URL: under it',
    { LLMLB_PUBLIC_URL: 'http://llmlb.internal:32768/' },
    `http://llmlb.internal:32768/v0/models/${encodeURIComponent(MODEL)}/manifest`,
  ],
])('security: the manifest URL %s', (_name, env: Record<string, string>, expected) => {
  let hub: FakeHfHub;
  let t: TestApp;
  let fleet: Fleet;
  let node: PullingNode;

  beforeAll(async () => {
    hub = await new FakeHfHub([
      { id: 'org/tiny-GGUF', files: [{ path: 'tiny.Q4_K_M.gguf', size: 4_000_000 }] },
    ]).start();
    t = await startApp({ HF_BASE_URL: hub.url, ...env });
    fleet = new Fleet(t);
  });
  afterAll(async () => {
    fleet.stop();
    await t.cleanup();
    await node?.stop();
    await hub.stop();
  });

  it('never comes from the Host header of the request', async () => {
    const jwt = await login(t.url, 'admin', ADMIN_PASSWORD);
    await api(t.url)
      .as(jwt)
      .post('/v0/models/register', { repo: 'org/tiny-GGUF', filename: 'tiny.Q4_K_M.gguf' });
    node = await new PullingNode(t.url, '').start();
    node.auto = false;
    const { id, token } = await fleet.addNode({ baseUrl: node.url, status: 'online' });
    node.token = token;
    const status = await postWithHost(t.url, '/v0/models/download', 'attacker.example:8080', jwt, {
      model: MODEL,
      target: 'specific',
      node_ids: [id],
    });
    expect(status).toBe(202);
    await waitFor(() => node.pulls.length === 1, { what: 'the pull' });
    expect(node.pulls[0].manifest_url).toBe(expected);
    expect(node.pulls[0].manifest_url).not.toContain('attacker');
  });
});
