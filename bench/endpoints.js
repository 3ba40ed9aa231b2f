#!/usr/bin/env node
'use strict';
/**
 * Endpoint health benchmark (spec §5.3, §11).
 *
 * Starts 200 local fake vLLM servers, registers them on the BUILT llmlb server
 * (`npm run build` first), then turns some of them slow, hanging or refusing and restarts
 * llmlb so that every endpoint is due at its first health tick. Measures one full probe
 * round and shows that dead and slow endpoints do not delay the healthy ones.
 *
 *   node bench/endpoints.js            (BENCH_ENDPOINTS=200 BENCH_SLOW_MS=1500 to tune)
 *
 * Everything runs on 127.0.0.1; the script cleans up its server, fakes and data dir.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const TOTAL = Number(process.env.BENCH_ENDPOINTS || 200);
const N_HANG = Math.round(TOTAL * 0.125);
const N_REFUSED = Math.round(TOTAL * 0.125);
const N_SLOW = Math.round(TOTAL * 0.15);
const N_FAST = TOTAL - N_HANG - N_REFUSED - N_SLOW;
const SLOW_MS = Number(process.env.BENCH_SLOW_MS || 1500);
const HEALTH_TIMEOUT_SECS = 5;
const HEALTH_CONCURRENCY = 32;
const ADMIN_PASSWORD = 'bench-admin-password';
const MAIN = path.join(__dirname, '..', 'dist', 'src', 'main.js');
const DEADLINE = Date.now() + 180_000;

// ---------------------------------------------------------------- fakes (vLLM wire format)

/** A vLLM-like server: GET /v1/models with owned_by "vllm", `server: uvicorn`, 404 detail elsewhere. */
function startFake(i) {
  const fake = {
    i,
    mode: 'ok',
    delayMs: 0,
    server: null,
    port: 0,
    sockets: new Set(),
    firstProbeAt: null,
    answeredAt: null,
    since: Infinity,
  };
  const handler = (req, res) => {
    const url = req.url.split('?')[0];
    if (url === '/v1/models' && Date.now() >= fake.since && fake.firstProbeAt === null)
      fake.firstProbeAt = Date.now();
    if (fake.mode === 'hang') return; // never answers
    const send = () => {
      if (fake.mode === '500') {
        res.writeHead(500, { 'content-type': 'application/json', server: 'uvicorn' });
        return res.end(
          '{"object":"error","message":"Internal Server Error","type":"InternalServerError","code":500}',
        );
      }
      if (url === '/v1/models') {
        const body = JSON.stringify({
          object: 'list',
          data: [
            {
              id: `bench/model-${i}`,
              object: 'model',
              created: 1730000000,
              owned_by: 'vllm',
              root: `bench/model-${i}`,
              parent: null,
              max_model_len: 8192,
            },
          ],
        });
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          server: 'uvicorn',
        });
        res.end(body);
        if (Date.now() >= fake.since && fake.answeredAt === null) fake.answeredAt = Date.now();
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json', server: 'uvicorn' });
      res.end('{"detail":"Not Found"}');
    };
    if (fake.delayMs > 0) setTimeout(send, fake.delayMs);
    else send();
  };
  fake.listen = () =>
    new Promise((resolve) => {
      fake.server = http.createServer(handler);
      fake.server.keepAliveTimeout = 5000;
      fake.server.on('connection', (s) => {
        fake.sockets.add(s);
        s.on('close', () => fake.sockets.delete(s));
      });
      fake.server.listen(fake.port, '127.0.0.1', () => {
        fake.port = fake.server.address().port;
        resolve(fake);
      });
    });
  fake.stop = () =>
    new Promise((resolve) => {
      if (!fake.server) return resolve();
      for (const s of fake.sockets) s.destroy();
      fake.server.close(() => resolve());
      fake.server = null;
    });
  return fake.listen();
}

// ---------------------------------------------------------------- llmlb process

function freePort() {
  return new Promise((resolve) => {
    const s = http.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

let child = null;
let childLog = '';

async function startServer(dataDir, port) {
  child = spawn(process.execPath, [MAIN], {
    env: {
      ...process.env,
      LLMLB_DATA_DIR: dataDir,
      LLMLB_HOST: '127.0.0.1',
      LLMLB_PORT: String(port),
      LLMLB_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LLMLB_LOG_LEVEL: 'warn',
      LLMLB_HEALTH_TICK_MS: '200',
      LLMLB_HEALTH_TIMEOUT_SECS: String(HEALTH_TIMEOUT_SECS),
      LLMLB_HEALTH_CONCURRENCY: String(HEALTH_CONCURRENCY),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => (childLog = (childLog + d).slice(-4000)));
  child.stderr.on('data', (d) => (childLog = (childLog + d).slice(-4000)));
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (Date.now() > DEADLINE) throw new Error('server did not become ready');
    if (child.exitCode !== null) throw new Error(`server exited: ${childLog}`);
    try {
      const r = await fetch(`${base}/readyz`);
      if (r.status === 200) return base;
    } catch {
      /* not up yet */
    }
    await sleep(50);
  }
}

function stopServer() {
  return new Promise((resolve) => {
    if (!child || child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child && child.exitCode === null && child.kill('SIGKILL'), 10_000).unref();
  });
}

// ---------------------------------------------------------------- helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function call(base, token, method, p, body) {
  const res = await fetch(base + p, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function pool(items, limit, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

const pct = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const fmt = (ms) =>
  ms === undefined || ms === null || Number.isNaN(ms) ? '-' : `${Math.round(ms)} ms`;

// ---------------------------------------------------------------- main

async function main() {
  if (!fs.existsSync(MAIN)) throw new Error(`${MAIN} not found: run \`npm run build\` first`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmlb-bench-endpoints-'));
  const fakes = [];
  try {
    for (let i = 0; i < TOTAL; i++) fakes.push(await startFake(i));
    // Roles; the ones that will die are registered FIRST so they sit at the head of the
    // probe queue (the worst case for healthy endpoints).
    const hang = fakes.slice(0, N_HANG);
    const refused = fakes.slice(N_HANG, N_HANG + N_REFUSED);
    const slow = fakes.slice(N_HANG + N_REFUSED, N_HANG + N_REFUSED + N_SLOW);
    const fast = fakes.slice(N_HANG + N_REFUSED + N_SLOW);

    const port = await freePort();
    let base = await startServer(dataDir, port);
    const login = await fetch(`${base}/v0/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const token = (await login.json()).token;

    // 1. Registration: detection + first probe + model sync, all right away.
    const ids = new Map();
    const register = async (f, times) => {
      const t0 = performance.now();
      const r = await call(base, token, 'POST', '/v0/endpoints', {
        name: `bench-${f.i}`,
        base_url: `http://127.0.0.1:${f.port}`,
      });
      times.push(performance.now() - t0);
      if (r.status !== 201 || r.body.status !== 'online')
        throw new Error(`registration ${f.i}: ${r.status} ${JSON.stringify(r.body)}`);
      ids.set(f, r.body.id);
    };
    // One at a time (latency), then the rest 16 in parallel (throughput).
    const seqTimes = [];
    for (const f of fakes.slice(0, 40)) await register(f, seqTimes);
    const regTimes = [];
    const regStart = Date.now();
    await pool(fakes.slice(40), 16, (f) => register(f, regTimes));
    const regWall = Date.now() - regStart;
    regTimes.sort((a, b) => a - b);
    seqTimes.sort((a, b) => a - b);

    // 2. Every endpoint fails once (→ error), so that recovering ones make a visible transition.
    for (const f of fakes) f.mode = '500';
    await pool(fakes, 16, async (f) => {
      await call(base, token, 'POST', `/v0/endpoints/${ids.get(f)}/test`);
    });
    const { body: afterFail } = await call(base, token, 'GET', '/v0/endpoints?status=error');
    if (afterFail.total !== TOTAL)
      throw new Error(`expected ${TOTAL} endpoints in error, got ${afterFail.total}`);

    // 3. Faults: hanging (accept, never answer), refused (port closed), slow; the rest heal.
    for (const f of fakes) f.mode = 'ok';
    for (const f of hang) f.mode = 'hang';
    for (const f of slow) f.delayMs = SLOW_MS;
    await Promise.all(refused.map((f) => f.stop()));

    // 4. Restart: every enabled endpoint is due at the first tick → one full probe round.
    await stopServer();
    const restartAt = Date.now();
    for (const f of fakes) f.since = restartAt;
    base = await startServer(dataDir, port);
    const readyAt = Date.now();
    const token2 = (
      await (
        await fetch(`${base}/v0/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
        })
      ).json()
    ).token;

    let endpoints = [];
    let healthyOnlineAt = null;
    const healthyIds = new Set([...fast, ...slow].map((f) => ids.get(f)));
    const fastIds = new Set(fast.map((f) => ids.get(f)));
    let fastOnlineAt = null;
    for (;;) {
      if (Date.now() > DEADLINE) throw new Error('probe round did not finish in time');
      endpoints = (await call(base, token2, 'GET', '/v0/endpoints')).body.endpoints;
      const now = Date.now();
      const online = new Set(endpoints.filter((e) => e.status === 'online').map((e) => e.id));
      if (fastOnlineAt === null && [...fastIds].every((id) => online.has(id))) fastOnlineAt = now;
      if (healthyOnlineAt === null && [...healthyIds].every((id) => online.has(id)))
        healthyOnlineAt = now;
      const allChecked = endpoints.every(
        (e) => e.last_checked_at && Date.parse(e.last_checked_at) >= restartAt,
      );
      if (allChecked && healthyOnlineAt !== null) break;
      await sleep(200);
    }

    const roundStart = Math.min(
      ...fakes.filter((f) => f.firstProbeAt !== null).map((f) => f.firstProbeAt),
    );
    const checkedAt = (group) =>
      group
        .map(
          (f) =>
            Date.parse(endpoints.find((e) => e.id === ids.get(f)).last_checked_at) - roundStart,
        )
        .sort((a, b) => a - b);
    const fastChecked = checkedAt(fast);
    const slowChecked = checkedAt(slow);
    const refusedChecked = checkedAt(refused);
    const hangChecked = checkedAt(hang);
    const fastAnswered = fast.map((f) => f.answeredAt - roundStart).sort((a, b) => a - b);
    const roundWall = Math.max(...fastChecked, ...slowChecked, ...refusedChecked, ...hangChecked);
    const counts = {};
    for (const e of endpoints) counts[e.status] = (counts[e.status] || 0) + 1;

    const rows = [
      [
        'endpoints',
        `${TOTAL} (${N_FAST} fast, ${N_SLOW} slow ${SLOW_MS} ms, ${N_HANG} hanging, ${N_REFUSED} refused)`,
      ],
      ['health timeout / concurrency', `${HEALTH_TIMEOUT_SECS * 1000} ms / ${HEALTH_CONCURRENCY}`],
      [
        'registration one at a time (detect+probe+sync) p50 / p99',
        `${fmt(pct(seqTimes, 50))} / ${fmt(pct(seqTimes, 99))}`,
      ],
      [
        `registration of ${TOTAL - 40} more, 16 parallel: p50 / p99 / wall`,
        `${fmt(pct(regTimes, 50))} / ${fmt(pct(regTimes, 99))} / ${fmt(regWall)}`,
      ],
      ['restart → ready', fmt(readyAt - restartAt)],
      ['ready → first probe of the round', fmt(roundStart - readyAt)],
      ['one full probe round (first probe → last result stored)', fmt(roundWall)],
      [
        'fast healthy: answered p50 / max (from round start)',
        `${fmt(pct(fastAnswered, 50))} / ${fmt(fastAnswered.at(-1))}`,
      ],
      [
        'fast healthy: result stored p50 / max',
        `${fmt(pct(fastChecked, 50))} / ${fmt(fastChecked.at(-1))}`,
      ],
      ['fast healthy: all seen online via API after', fmt(fastOnlineAt - roundStart)],
      ['slow healthy: result stored max', fmt(slowChecked.at(-1))],
      ['all healthy (fast + slow) seen online after', fmt(healthyOnlineAt - roundStart)],
      ['refused: result stored max', fmt(refusedChecked.at(-1))],
      ['hanging: timed out min / max', `${fmt(hangChecked[0])} / ${fmt(hangChecked.at(-1))}`],
      ['statuses after the round', JSON.stringify(counts)],
      [
        'dead ones delayed healthy ones?',
        fastChecked.at(-1) < hangChecked[0]
          ? 'no (all fast results stored before the first hang timed out)'
          : 'YES',
      ],
    ];
    const w = Math.max(...rows.map((r) => r[0].length));
    process.stdout.write(`\nllmlb endpoint health benchmark\n${'-'.repeat(w + 40)}\n`);
    for (const [k, v] of rows) process.stdout.write(`${k.padEnd(w)}  ${v}\n`);
    process.stdout.write('\n');
  } finally {
    await stopServer();
    await Promise.all(fakes.map((f) => f.stop()));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  async (e) => {
    process.stderr.write(
      `bench failed: ${e.stack || e}\n${childLog ? `server log tail:\n${childLog}\n` : ''}`,
    );
    await stopServer();
    process.exit(1);
  },
);
