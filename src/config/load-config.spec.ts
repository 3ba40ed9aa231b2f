import { ConfigError, loadConfig } from './load-config';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({ LLMLB_DATA_DIR: '/tmp/llmlb-x' });
    expect(c.server).toMatchObject({
      host: '0.0.0.0',
      port: 32768,
      dataDir: '/tmp/llmlb-x',
      bodyLimitBytes: 1048576,
    });
    expect(c.database).toEqual({ type: 'sqlite', path: '/tmp/llmlb-x/llmlb.db' });
    expect(c.nodes).toMatchObject({
      timeoutSecs: 60,
      monitorIntervalSecs: 5,
      reachabilityCheck: true,
      registrationKeyRequired: false,
      allowedNetworks: [],
      maxPending: 100,
      pendingTtlHours: 72,
    });
    expect(c.health).toMatchObject({ concurrency: 32, timeoutSecs: 5, failuresForOffline: 2 });
    expect(c.proxy.maxAttempts).toBe(3);
    expect(c.models.hfBaseUrl).toBe('https://huggingface.co');
  });

  it('parses LLMLB_NODE_ALLOWED_NETWORKS as a list of CIDRs', () => {
    expect(
      loadConfig({ LLMLB_NODE_ALLOWED_NETWORKS: '127.0.0.0/8, fd00::/8' }).nodes.allowedNetworks,
    ).toEqual(['127.0.0.0/8', 'fd00::/8']);
    for (const bad of ['127.0.0.1', '10.0.0.0/33', 'fd00::/129', 'lab/8', '300.0.0.0/8'])
      expect(() => loadConfig({ LLMLB_NODE_ALLOWED_NETWORKS: bad })).toThrow(
        /LLMLB_NODE_ALLOWED_NETWORKS/,
      );
  });

  it('expands ~ in the data directory', () => {
    expect(loadConfig({ LLMLB_DATA_DIR: '~/x' }).server.dataDir).not.toContain('~');
  });

  it.each([
    ['LLMLB_PORT', 'abc'],
    ['LLMLB_PORT', '70000'],
    ['LLMLB_NODE_REACHABILITY_CHECK', 'maybe'],
    ['LLMLB_LOG_LEVEL', 'loud'],
    ['HF_BASE_URL', 'ftp://hub'],
    ['LLMLB_ADMIN_PASSWORD', 'short'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`${name}=`));
  });

  it('parses booleans and integers', () => {
    const c = loadConfig({
      LLMLB_NODE_REACHABILITY_CHECK: 'false',
      LLMLB_PORT: '8080',
      LLMLB_HISTORY_BODIES: 'yes',
    });
    expect(c.nodes.reachabilityCheck).toBe(false);
    expect(c.server.port).toBe(8080);
    expect(c.stats.historyBodies).toBe(true);
  });

  it('parses LLMLB_TRUST_PROXY as off, on, or a list of proxies', () => {
    expect(loadConfig({}).server.trustProxy).toBe(false);
    expect(loadConfig({ LLMLB_TRUST_PROXY: 'true' }).server.trustProxy).toBe(true);
    expect(loadConfig({ LLMLB_TRUST_PROXY: '10.0.0.1, 192.168.0.0/16' }).server.trustProxy).toEqual(
      ['10.0.0.1', '192.168.0.0/16'],
    );
    expect(() => loadConfig({ LLMLB_TRUST_PROXY: 'everyone' })).toThrow(/LLMLB_TRUST_PROXY=/);
  });

  it('accepts sqlite URLs and refuses other databases clearly', () => {
    expect(
      loadConfig({ LLMLB_DATABASE_URL: 'sqlite:/var/lib/llmlb/db.sqlite' }).database.path,
    ).toBe('/var/lib/llmlb/db.sqlite');
    expect(() => loadConfig({ LLMLB_DATABASE_URL: 'postgres://u@h/db' })).toThrow(
      /LLMLB_DATABASE_URL/,
    );
    expect(() => loadConfig({ LLMLB_DATABASE_URL: 'mysql://h' })).toThrow(/LLMLB_DATABASE_URL/);
  });

  it('logs JSON in production or off a terminal, readable text on a terminal', () => {
    const base = { LLMLB_DATA_DIR: '/tmp/llmlb-x' };
    const format = (env: Record<string, string>, stdoutIsTty: boolean) =>
      loadConfig({ ...base, ...env }, { stdoutIsTty }).server.logFormat;
    expect(format({}, true)).toBe('text');
    expect(format({}, false)).toBe('json');
    expect(format({ NODE_ENV: 'production' }, true)).toBe('json');
    expect(format({ LLMLB_LOG_FORMAT: 'text' }, false)).toBe('text');
    expect(format({ LLMLB_LOG_FORMAT: 'json', NODE_ENV: 'development' }, true)).toBe('json');
    expect(() => format({ LLMLB_LOG_FORMAT: 'xml' }, true)).toThrow(/LLMLB_LOG_FORMAT/);
  });
});
