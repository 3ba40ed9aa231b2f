'use strict';
/**
 * Nodes benchmark: starts the BUILT server (dist/src/main.js) with a temp data dir and the
 * reachability check off, registers N nodes (concurrency 16), approves them, then measures
 * heartbeat latency with N nodes registered (sequential and concurrency 16).
 *
 *   npm run build && node bench/nodes.js [--nodes 1000] [--rounds 3] [--interval 5] [--open-secs 10]
 *
 * Heartbeats are measured three ways: one at a time (service time), 16 in flight (a stress
 * figure: mostly queueing), and open loop at the rate of a real fleet (every node once per
 * --interval seconds), which is what the spec's target describes.
 *
 * Targets (spec §11): registration p99 < 100 ms, heartbeat p99 < 10 ms with 1000 nodes.
 */
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync, readFileSync, existsSync } = require('node:fs');
const { createServer } = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const { Pool } = require('undici');
const Table = require('cli-table3');

const args = process.argv.slice(2);
const arg = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const NODES = arg('nodes', 1000);
const ROUNDS = arg('rounds', 3);
/** Heartbeat interval of the simulated fleet for the open-loop run (every node once per interval). */
const FLEET_INTERVAL_SECS = arg('interval', 5);
const OPEN_LOOP_SECS = arg('open-secs', 10);
const CONCURRENCY = 16;
const DEADLINE_MS = 5 * 60_000;
const MAIN = join(__dirname, '..', 'dist', 'src', 'main.js');
const PASSWORD = 'bench-admin-password';

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(name, samples, target) {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return [
    name,
    s.length,
    mean.toFixed(2),
    percentile(s, 50).toFixed(2),
    percentile(s, 99).toFixed(2),
    s[s.length - 1].toFixed(2),
    target,
  ];
}

async function call(pool, method, path, body, headers = {}) {
  const t0 = process.hrtime.bigint();
  const res = await pool.request({
    method,
    path,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { status: res.statusCode, body: text ? JSON.parse(text) : undefined, ms };
}

/** Runs `fn(i)` for i in [0, n) with `concurrency` workers. */
async function runPool(n, concurrency, fn) {
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) {
      const i = next++;
      await fn(i);
    }
  });
  await Promise.all(workers);
}

function rssMb(pid) {
  const f = `/proc/${pid}/status`;
  if (!existsSync(f)) return null;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(f, 'utf8'));
  return m ? (Number(m[1]) / 1024).toFixed(0) : null;
}

async function main() {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} not found: run "npm run build" first`);
  const dataDir = mkdtempSync(join(tmpdir(), 'llmlb-bench-nodes-'));
  const port = await freePort();
  const profDir = process.env.BENCH_CPU_PROF_DIR;
  const nodeArgs = profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [];
  const server = spawn(process.execPath, [...nodeArgs, MAIN], {
    env: {
      ...process.env,
      LLMLB_DATA_DIR: dataDir,
      LLMLB_HOST: '127.0.0.1',
      LLMLB_PORT: String(port),
      LLMLB_LOG_LEVEL: 'warn',
      LLMLB_ADMIN_PASSWORD: PASSWORD,
      LLMLB_NODE_REACHABILITY_CHECK: 'false',
      LLMLB_NODE_REGISTRATION_RATE_LIMIT: '1000000',
      LLMLB_MAX_PENDING_NODES: '1000000',
      LLMLB_NODE_TIMEOUT_SECS: '600',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const killer = setTimeout(() => {
    console.error('bench: deadline passed, stopping');
    server.kill('SIGKILL');
    process.exit(1);
  }, DEADLINE_MS);
  const base = `http://127.0.0.1:${port}`;
  const pool = new Pool(base, { connections: CONCURRENCY, pipelining: 1 });
  try {
    // wait for readiness
    const ready = Date.now() + 30_000;
    for (;;) {
      try {
        if ((await call(pool, 'GET', '/readyz')).status === 200) break;
      } catch {
        /* not up yet */
      }
      if (Date.now() > ready) throw new Error('server did not become ready');
      await new Promise((r) => setTimeout(r, 100));
    }
    const login = await call(pool, 'POST', '/v0/auth/login', {
      username: 'admin',
      password: PASSWORD,
    });
    const admin = { authorization: `Bearer ${login.body.token}` };

    const regBody = (i) => ({
      machine_name: `bench-${i}`,
      ip_address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
      runtime_version: '0.4.2',
      runtime_port: 32769,
      gpu_available: true,
      gpu_devices: [{ model: 'NVIDIA RTX 4090', count: 2, memory_bytes: 25769803776 }],
    });
    // warm-up (JIT, validation metadata, connection pool): 100 registrations, not counted, deleted again
    const warm = [];
    await runPool(100, CONCURRENCY, async (i) => {
      const r = await call(
        pool,
        'POST',
        '/v0/nodes',
        { ...regBody(i), ip_address: `192.168.${i >> 8}.${i & 255}` },
        admin, // the bench registers addresses other than its own: needs nodes.register
      );
      warm.push(r.body.node_id);
    });
    for (const id of warm) await call(pool, 'DELETE', `/v0/nodes/${id}`, undefined, admin);
    // 1. registration, concurrency 16
    const nodes = new Array(NODES);
    const regMs = [];
    await runPool(NODES, CONCURRENCY, async (i) => {
      const r = await call(pool, 'POST', '/v0/nodes', regBody(i), admin);
      if (r.status !== 201) throw new Error(`register ${i}: ${r.status} ${JSON.stringify(r.body)}`);
      nodes[i] = { id: r.body.node_id, token: r.body.node_token };
      regMs.push(r.ms);
    });
    // 2. approve everything (heartbeats then take the online path)
    await runPool(NODES, CONCURRENCY, async (i) => {
      const r = await call(pool, 'POST', `/v0/nodes/${nodes[i].id}/approve`, undefined, admin);
      if (r.status !== 200) throw new Error(`approve ${i}: ${r.status}`);
    });
    const hb = (i, round) => ({
      node_id: nodes[i].id,
      cpu_usage: (i + round) % 100,
      memory_usage: 40,
      gpu_usage: 80,
      gpu_memory_usage: 60,
      active_requests: round % 4,
      loaded_models: ['llama-3.1-8b-instruct', `model-${i % 20}`],
      ready_models: [2, 2],
      initializing: false,
    });
    const sendHb = async (i, round, into) => {
      const r = await call(pool, 'POST', '/v0/health', hb(i, round), {
        'x-node-token': nodes[i].token,
      });
      if (r.status !== 200)
        throw new Error(`heartbeat ${i}: ${r.status} ${JSON.stringify(r.body)}`);
      into.push(r.ms);
    };
    // warm-up round (JIT, connection pool)
    await runPool(NODES, CONCURRENCY, (i) => sendHb(i, 0, []));
    // 3. heartbeats one at a time (service time), then 16 in flight (a busy fleet)
    const hbSeq = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (let i = 0; i < NODES; i++) await sendHb(i, round, hbSeq);
    }
    const hbConc = [];
    for (let round = 1; round <= ROUNDS; round++)
      await runPool(NODES, CONCURRENCY, (i) => sendHb(i, round, hbConc));
    // 4. open loop: the fleet as it really behaves, every node once per FLEET_INTERVAL_SECS
    const hbOpen = [];
    {
      const rate = NODES / FLEET_INTERVAL_SECS;
      const total = Math.round(rate * OPEN_LOOP_SECS);
      const start = performance.now();
      const inflight = [];
      for (let k = 0; k < total; k++) {
        const due = start + (k * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
        inflight.push(sendHb(k % NODES, ROUNDS + 1 + Math.floor(k / NODES), hbOpen));
      }
      await Promise.all(inflight);
    }
    // 5. the admin list with N nodes
    const listMs = [];
    for (let i = 0; i < 20; i++) {
      const r = await call(pool, 'GET', '/v0/nodes', undefined, admin);
      if (r.body.total !== NODES) throw new Error(`list total ${r.body.total}`);
      listMs.push(r.ms);
    }
    // 6. re-registration one at a time (the update path of a node restart, proven by its token;
    // service time without queueing)
    const reregMs = [];
    for (let i = 0; i < Math.min(NODES, 300); i++) {
      const r = await call(pool, 'POST', '/v0/nodes', regBody(i), {
        ...admin,
        'x-node-token': nodes[i].token,
      });
      if (r.status !== 200) throw new Error(`re-register ${i}: ${r.status}`);
      nodes[i].token = r.body.node_token;
      reregMs.push(r.ms);
    }
    const rss = rssMb(server.pid);

    const table = new Table({
      head: ['measure', 'n', 'mean ms', 'p50 ms', 'p99 ms', 'max ms', 'target'],
    });
    table.push(
      summary(`register (concurrency ${CONCURRENCY})`, regMs, 'p99 < 100'),
      summary(`re-register, sequential (${reregMs.length})`, reregMs, 'p99 < 100'),
      summary(`heartbeat, ${NODES} nodes, sequential`, hbSeq, 'p99 < 10'),
      summary(`heartbeat, ${NODES} nodes, concurrency ${CONCURRENCY}`, hbConc, 'p99 < 10'),
      summary(
        `heartbeat, open loop ${(NODES / FLEET_INTERVAL_SECS).toFixed(0)}/s (${NODES} nodes every ${FLEET_INTERVAL_SECS} s)`,
        hbOpen,
        'p99 < 10',
      ),
      summary(`GET /v0/nodes (${NODES} nodes)`, listMs, '-'),
    );
    console.log(table.toString());
    console.log(`server RSS after the run: ${rss ?? '?'} MB (${NODES} nodes)`);
    console.log(
      `load average during the run: ${require('node:os')
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} on ${require('node:os').cpus().length} cores`,
    );
  } finally {
    clearTimeout(killer);
    await pool.close().catch(() => undefined);
    server.kill('SIGTERM');
    await new Promise((r) => {
      const t = setTimeout(() => {
        server.kill('SIGKILL');
        r();
      }, 5000);
      server.once('exit', () => {
        clearTimeout(t);
        r();
      });
    });
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
