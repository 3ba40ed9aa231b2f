import { FleetStub, IDS } from '../fakes/llmlb-fleet-api';
import { ensureBuilt, runCli } from '../helpers/cli';

/**
 * The fleet commands against the spec's API shapes (a contract fake of the nodes, endpoints,
 * models and tasks APIs); the same commands against the real modules run in cli.e2e-spec.ts.
 */
describe('llmlb CLI fleet commands (contract fake)', () => {
  let fake: FleetStub;
  let env: Record<string, string>;

  beforeAll(() => ensureBuilt(), 120_000);

  beforeEach(async () => {
    fake = new FleetStub();
    env = { LLMLB_URL: await fake.listen(), LLMLB_API_KEY: 'sk_test' };
  });
  afterEach(async () => {
    await fake.close();
  });

  it('nodes list shows GPUs, statuses and short ids; --json gives the server answer', async () => {
    const r = await runCli(['nodes', 'list'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('gpu-4090-02');
    expect(r.stdout).toContain('NVIDIA A100 80GB x4 80 GB');
    expect(r.stdout).toContain('pending');
    expect(r.stdout).toContain(IDS.nodePending.slice(0, 8));
    expect(fake.calls[0].query.get('status')).toBeNull();

    const json = await runCli(['nodes', 'list', '--status', 'pending', '--json'], env);
    const body = JSON.parse(json.stdout);
    expect(body.nodes.map((n: { id: string }) => n.id)).toEqual([IDS.nodePending]);
    expect(fake.calls.at(-1)!.query.get('status')).toBe('pending');
  });

  it('nodes approve takes a machine name or an id prefix', async () => {
    const r = await runCli(['nodes', 'approve', 'gpu-4090-02'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('approved gpu-4090-02 (now online)');
    expect(
      fake.calls.some(
        (c) => c.method === 'POST' && c.path === `/v0/nodes/${IDS.nodePending}/approve`,
      ),
    ).toBe(true);

    const rej = await runCli(['nodes', 'reject', IDS.nodeOnline.slice(0, 6)], env);
    expect(rej.code).toBe(0);
    expect(
      fake.calls.some((c) => c.method === 'DELETE' && c.path === `/v0/nodes/${IDS.nodeOnline}`),
    ).toBe(true);
  });

  it('an ambiguous or unknown node is an error before any change', async () => {
    const r = await runCli(['nodes', 'approve', 'nope'], env);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no node matches "nope"');
    expect(fake.calls.every((c) => c.method === 'GET')).toBe(true);
  });

  it('endpoints list, add with options, test, sync and rm', async () => {
    const list = await runCli(['endpoints', 'list'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/lm-studio-mac.*lm_studio.*error/);

    const add = await runCli(
      [
        'endpoints',
        'add',
        'new-box',
        'http://10.0.2.2:11434',
        '--type',
        'ollama',
        '--api-key',
        'k',
        '--interval',
        '20',
        '--timeout',
        '60',
        '--priority',
        '70',
      ],
      env,
    );
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('added new-box');
    expect(fake.calls.find((c) => c.method === 'POST' && c.path === '/v0/endpoints')!.body).toEqual(
      {
        name: 'new-box',
        base_url: 'http://10.0.2.2:11434',
        endpoint_type: 'ollama',
        api_key: 'k',
        health_check_interval_secs: 20,
        inference_timeout_secs: 60,
        priority: 70,
      },
    );

    const test = await runCli(['endpoints', 'test', 'ollama-box'], env);
    expect(test.stdout).toContain('ok: ollama in 11 ms, 3 models');
    const sync = await runCli(['endpoints', 'sync', 'ollama-box', '--json'], env);
    expect(JSON.parse(sync.stdout).added).toEqual(['a']);
    const rm = await runCli(['endpoints', 'rm', 'vllm-h100'], env);
    expect(rm.code).toBe(0);
    expect(
      fake.calls.some((c) => c.method === 'DELETE' && c.path === `/v0/endpoints/${IDS.epVllm}`),
    ).toBe(true);
  });

  it('models list, available, add', async () => {
    const list = await runCli(['models', 'list'], env);
    expect(list.stdout).toContain('qwen/qwen2.5-7b-instruct-gguf/qwen2.5-7b-instruct-q4_k_m');
    expect(list.stdout).toContain('gpu-a100-01');
    const avail = await runCli(['models', 'available', 'llama'], env);
    expect(avail.stdout).toMatch(/bartowski\/Llama-3.2-1B-Instruct-GGUF.*available/);
    expect(avail.stdout).toMatch(/Qwen\/Qwen2.5-7B-Instruct-GGUF.*registered/);
    expect(fake.calls.at(-1)!.query.get('search')).toBe('llama');
    const add = await runCli(
      [
        'models',
        'add',
        'bartowski/Llama-3.2-1B-Instruct-GGUF',
        'Llama-3.2-1B-Instruct-Q4_K_M.gguf',
      ],
      env,
    );
    expect(add.code).toBe(0);
    expect(add.stdout).toContain(
      'registered bartowski/llama-3.2-1b-instruct-gguf/llama-3.2-1b-instruct-q4_k_m (770 MB)',
    );
    const dup = await runCli(
      [
        'models',
        'add',
        'bartowski/Llama-3.2-1B-Instruct-GGUF',
        'Llama-3.2-1B-Instruct-Q4_K_M.gguf',
      ],
      env,
    );
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('is already registered');
  });

  it('models download --all follows the task to 100 % and exits 0', async () => {
    const name = fake.models[0].name;
    const r = await runCli(['models', 'download', name, '--all'], env);
    expect(r.stderr).toMatch(/100% completed/);
    expect(r.stderr).toMatch(/\b50% in_progress/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/completed\s+100%/);
    expect(fake.calls.find((c) => c.path === '/v0/models/download')!.body).toEqual({
      model: name,
      target: 'all',
    });
  });

  it('models download --node resolves names; a failed pull exits 1 with its error', async () => {
    fake.failPulls = 'disk full';
    const name = fake.models[0].name;
    const r = await runCli(['models', 'download', name, '--node', 'gpu-a100-01'], env);
    expect(fake.calls.find((c) => c.path === '/v0/models/download')!.body).toEqual({
      model: name,
      target: 'specific',
      node_ids: [IDS.nodeOnline],
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('failed: disk full');
  });

  it('models download --json returns the task ids at once', async () => {
    const r = await runCli(['models', 'download', fake.models[0].name, '--all', '--json'], env);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).task_ids).toHaveLength(1);
    expect(fake.calls.filter((c) => c.path === '/v0/tasks')).toEqual([]);
  });

  it('tasks lists tasks and --watch follows the active ones until done', async () => {
    fake.respond('POST', new URL('http://x/v0/models/download'), {
      model: fake.models[0].name,
      target: 'all',
    });
    const watch = await runCli(['tasks', '--watch'], env);
    expect(watch.code).toBe(0);
    expect(watch.stderr).toMatch(/100% completed/);
    const list = await runCli(['tasks'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/qwen.*node 11111111/);
    const none = await runCli(['tasks', '--watch'], env);
    expect(none.stdout).toContain('no active tasks');
  });

  it('status summarises the fleet', async () => {
    fake.respond = ((orig) =>
      function (this: FleetStub, method: string, url: URL, body: unknown) {
        if (url.pathname === '/healthz') return { status: 200, json: { status: 'ok' } };
        if (url.pathname === '/readyz') return { status: 200, json: { status: 'ready' } };
        if (url.pathname === '/v0/auth/me') return { status: 200, json: { kind: 'api_key' } };
        return orig.call(this, method, url, body);
      })(fake.respond);
    const r = await runCli(['status'], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Nodes\s+2 \(1 online, 1 pending\)/);
    expect(r.stdout).toMatch(/Endpoints\s+3 \(2 online, 1 error\)/);
    expect(r.stdout).toMatch(/Requests\s+\d+ total, \d+ errors, p50 412 ms, p95 1.63 s/);
  });
});
