import type { ServerResponse } from 'node:http';
import { NodeRuntimeClient } from '../../src/nodes/node-runtime.client';
import { FakeNodeRuntime, startFakeNodeRuntime } from '../fakes/node-runtime';
import { api, login } from '../helpers/http';
import { ADMIN_PASSWORD, startApp, TestApp } from '../helpers/app';
import { nodeBody } from '../helpers/nodes';

/**
 * Blind SSRF through the reachability check of `POST /v0/nodes` (issue 10 §1): the server
 * followed redirects, read whole bodies and told the caller what answered.
 */
describe('security: the node reachability check', () => {
  let t: TestApp;
  let admin: string;
  let node: FakeNodeRuntime;
  let internal: FakeNodeRuntime;

  beforeAll(async () => {
    node = await startFakeNodeRuntime();
    // Stands for an internal service only the server can reach (metadata, admin consoles).
    internal = await startFakeNodeRuntime();
    internal.route('GET', '/secret', (_req, res) => void res.end('{"secret":true}'));
    t = await startApp({ LLMLB_NODE_REACHABILITY_CHECK: 'true' });
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await t.cleanup();
    await Promise.all([node.stop(), internal.stop()]);
  });

  const total = async () => (await api(t.url).as(admin).get('/v0/nodes')).body.total as number;
  const register = () =>
    api(t.url).post('/v0/nodes', nodeBody({ ip_address: '127.0.0.1', runtime_port: node.port }));
  const expectOnlyUnreachable = (res: { status: number; body: any; text: string }) => {
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('node_unreachable');
    // the caller learns nothing about what answered
    expect(res.body.error.message).toBe('Node runtime is not reachable');
    expect(res.text).not.toMatch(/redirect|30\d|answered|bytes|ECONN|within|secret/i);
  };

  it('does not follow a redirect to an internal URL, stores nothing, tells nothing', async () => {
    for (const status of [301, 302, 307, 308]) {
      node.route('GET', '/v1/models', (_req, res) => {
        res.writeHead(status, { location: `${internal.url}/secret` });
        res.end();
      });
      const before = await total();
      const res = await register();
      expectOnlyUnreachable(res);
      expect(await total()).toBe(before);
    }
    expect(internal.requests).toEqual([]);
  });

  it('reads at most 64 KiB of a huge answer and drops the connection', async () => {
    const MiB = 1024 * 1024;
    let written = 0;
    let closed!: Promise<void>;
    node.route('GET', '/v1/models', (_req, res: ServerResponse) => {
      closed = new Promise((resolve) => res.on('close', () => resolve()));
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(MiB, 0x20);
      const pump = () => {
        while (written < 150 * MiB && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end();
      };
      pump();
    });
    const before = await total();
    const res = await register();
    expectOnlyUnreachable(res);
    expect(await total()).toBe(before);
    await closed;
    // Socket buffers hold a few MiB at most; reading the whole answer would take all 150.
    expect(written).toBeLessThan(32 * MiB);
  });

  it('gives a slow runtime one deadline for headers and body together', async () => {
    const client = t.app.get(NodeRuntimeClient);
    const saved = client.timeoutMs;
    client.timeoutMs = 500;
    let timer: NodeJS.Timeout | undefined;
    let closed!: Promise<void>;
    node.route('GET', '/v1/models', (_req, res) => {
      closed = new Promise((resolve) => res.on('close', () => resolve()));
      // headers at once, then one byte every 100 ms: each read is quick, the whole is not
      res.writeHead(200, { 'content-type': 'application/json' });
      timer = setInterval(() => res.write(' '), 100);
      res.on('close', () => clearInterval(timer));
    });
    try {
      const started = Date.now();
      const res = await register();
      expectOnlyUnreachable(res);
      expect(Date.now() - started).toBeLessThan(3000);
      await closed;
    } finally {
      clearInterval(timer);
      client.timeoutMs = saved;
    }
  });

  it('still registers a runtime that answers 2xx', async () => {
    node.route('GET', '/v1/models', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"object":"list","data":[]}');
    });
    expect((await register()).status).toBe(201);
  });
});

describe('security: the node address policy', () => {
  let t: TestApp;
  let admin: string;
  let local: FakeNodeRuntime;

  beforeAll(async () => {
    local = await startFakeNodeRuntime();
    // Production defaults: no allowed networks, reachability check on.
    t = await startApp({ LLMLB_NODE_ALLOWED_NETWORKS: '', LLMLB_NODE_REACHABILITY_CHECK: 'true' });
    admin = await login(t.url, 'admin', ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await t.cleanup();
    await local.stop();
  });

  const refused = [
    '127.0.0.1',
    '127.9.9.9',
    '0.0.0.0',
    '0.1.2.3',
    '::',
    '::1',
    '0:0:0:0:0:0:0:1',
    '169.254.169.254',
    'fe80::1',
    'febf::1',
    'fe80::1%eth0',
    '224.0.0.1',
    '239.255.255.250',
    'ff02::1',
    '255.255.255.255',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::127.0.0.1',
    '::ffff:169.254.169.254',
    '::ffff:0:127.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '::ffff:0.0.0.0',
  ];

  it.each(refused)('%s is 400 address_not_allowed, even for an admin', async (ip) => {
    const res = await api(t.url)
      .as(admin)
      .post('/v0/nodes', nodeBody({ ip_address: ip, runtime_port: local.port }));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('address_not_allowed');
    expect((await api(t.url).as(admin).get('/v0/nodes')).body.total).toBe(0);
  });

  it('never called any of those addresses', () => {
    expect(local.requests).toEqual([]);
  });

  it('an anonymous node on loopback is refused too', async () => {
    const res = await api(t.url).post(
      '/v0/nodes',
      nodeBody({ ip_address: '127.0.0.1', runtime_port: local.port }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('address_not_allowed');
    expect(local.requests).toEqual([]);
  });

  it('LLMLB_NODE_ALLOWED_NETWORKS lets a lab register inside its networks only', async () => {
    const lab = await startApp({ LLMLB_NODE_ALLOWED_NETWORKS: '127.0.0.0/8, fd00::/8' });
    try {
      const labAdmin = await login(lab.url, 'admin', ADMIN_PASSWORD);
      const post = (ip: string) =>
        api(lab.url)
          .as(labAdmin)
          .post('/v0/nodes', nodeBody({ ip_address: ip }));
      expect((await post('127.0.0.1')).status).toBe(201);
      expect((await post('::ffff:127.0.0.2')).status).toBe(201);
      expect((await post('fd00::5')).status).toBe(201);
      expect((await post('::1')).body.error.code).toBe('address_not_allowed');
      expect((await post('169.254.169.254')).body.error.code).toBe('address_not_allowed');
      // an ordinary address needs no allowance
      expect((await post('10.1.2.3')).status).toBe(201);
    } finally {
      await lab.cleanup();
    }
  });

  it('refuses a malformed LLMLB_NODE_ALLOWED_NETWORKS at boot, naming the variable', async () => {
    await expect(startApp({ LLMLB_NODE_ALLOWED_NETWORKS: '10.0.0.0/33' })).rejects.toThrow(
      /LLMLB_NODE_ALLOWED_NETWORKS/,
    );
    await expect(startApp({ LLMLB_NODE_ALLOWED_NETWORKS: 'localhost' })).rejects.toThrow(
      /LLMLB_NODE_ALLOWED_NETWORKS/,
    );
  });
});
