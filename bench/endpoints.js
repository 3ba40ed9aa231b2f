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
  const proc = child;
  return new Promise((resolve) => {
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return resolve();
    const kill = setTimeout(() => proc.kill('SIGKILL'), 10_000);
    proc.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

// ---------------------------------------------------------------- helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (m) =>
  process.env.BENCH_VERBOSE && process.stderr.write(`[${new Date().toISOString()}] ${m}\n`);

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

/** Restarts llmlb and waits for its first full probe round; returns the round's figures. */
async function probeRound(dataDir, port, { fakes, ids, fast, slow, refused, hang }) {
  log('round: restarting');
  await stopServer();
  const restartAt = Date.now();
  for (const f of fakes) {
    f.since = restartAt;
    f.firstProbeAt = null;
    f.answeredAt = null;
  }
  const base = await startServer(dataDir, port);
  const readyAt = Date.now();
  log('round: server ready');
  const login = await fetch(`${base}/v0/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
  });
  const token = (await login.json()).token;
  log(`round: logged in (${login.status})`);
  const fastIds = new Set(fast.map((f) => ids.get(f)));
  let endpoints = [];
  let fastOnlineAt = null;
  for (;;) {
    if (Date.now() > DEADLINE) throw new Error('probe round did not finish in time');
    const listed = await call(base, token, 'GET', '/v0/endpoints');
    if (listed.status !== 200)
      throw new Error(`GET /v0/endpoints: ${listed.status} ${JSON.stringify(listed.body)}`);
    endpoints = listed.body.endpoints;
    const now = Date.now();
    const online = new Set(endpoints.filter((e) => e.status === 'online').map((e) => e.id));
    if (fastOnlineAt === null && [...fastIds].every((id) => online.has(id))) fastOnlineAt = now;
    const allChecked = endpoints.every(
      (e) => e.last_checked_at && Date.parse(e.last_checked_at) >= restartAt,
    );
    if (allChecked && fastOnlineAt !== null) break;
    await sleep(100);
  }
  const roundStart = Math.min(
    ...fakes.filter((f) => f.firstProbeAt !== null).map((f) => f.firstProbeAt),
  );
  const byId = new Map(endpoints.map((e) => [e.id, e]));
  const checkedAt = (group) =>
    group
      .map((f) => Date.parse(byId.get(ids.get(f)).last_checked_at) - roundStart)
      .sort((a, b) => a - b);
  const r = {
    restartAt,
    readyAt,
    roundStart,
    fastOnlineAt,
    fastChecked: checkedAt(fast),
    slowChecked: checkedAt(slow),
    refusedChecked: checkedAt(refused),
    hangChecked: checkedAt(hang),
    fastAnswered: fast.map((f) => f.answeredAt - roundStart).sort((a, b) => a - b),
    counts: {},
  };
  r.roundWall = Math.max(...r.fastChecked, ...r.slowChecked, ...r.refusedChecked, ...r.hangChecked);
  for (const e of endpoints) r.counts[e.status] = (r.counts[e.status] || 0) + 1;
  return r;
}

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
    log('server up; registering');
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
    //    First round: all 200 were `error`, so none is preferred; dead ones sit at the head of
    //    the queue and 150 endpoints recover (re-detection + model sync each).
    log('registered; starting rounds');
    const recovery = await probeRound(dataDir, port, { fakes, ids, fast, slow, refused, hang });
    //    Second round: steady state (healthy ones `online`, dead ones `offline`).
    const steady = await probeRound(dataDir, port, { fakes, ids, fast, slow, refused, hang });

    const head = [
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
    ];
    const labels = [
      ['restart → ready', (r) => fmt(r.readyAt - r.restartAt)],
      ['ready → first probe of the round', (r) => fmt(r.roundStart - r.readyAt)],
      ['one full probe round (first probe → last result stored)', (r) => fmt(r.roundWall)],
      [
        'fast healthy: probe answered p50 / max',
        (r) => `${fmt(pct(r.fastAnswered, 50))} / ${fmt(r.fastAnswered.at(-1))}`,
      ],
      [
        'fast healthy: result stored p50 / max',
        (r) => `${fmt(pct(r.fastChecked, 50))} / ${fmt(r.fastChecked.at(-1))}`,
      ],
      [
        'fast healthy: all seen online via API after',
        (r) => (r.fastOnlineAt < r.roundStart ? 'were online' : fmt(r.fastOnlineAt - r.roundStart)),
      ],
      ['slow healthy: result stored max', (r) => fmt(r.slowChecked.at(-1))],
      ['refused: result stored max', (r) => fmt(r.refusedChecked.at(-1))],
      [
        'hanging: timed out min / max',
        (r) => `${fmt(r.hangChecked[0])} / ${fmt(r.hangChecked.at(-1))}`,
      ],
      ['statuses after the round', (r) => JSON.stringify(r.counts)],
      [
        'dead ones delayed fast healthy ones?',
        (r) => (r.fastChecked.at(-1) < r.hangChecked[0] ? 'no' : 'YES'),
      ],
    ];
    const w = Math.max(...head.map((r) => r[0].length), ...labels.map((l) => l[0].length));
    const out = [
      `\nllmlb endpoint health benchmark (times of a round are from its first probe)`,
      '-'.repeat(w + 44),
    ];
    for (const [k, v] of head) out.push(`${k.padEnd(w)}  ${v}`);
    out.push(`${''.padEnd(w)}  ${'recovery round'.padEnd(20)}  steady round`);
    for (const [k, f] of labels)
      out.push(`${k.padEnd(w)}  ${String(f(recovery)).padEnd(20)}  ${f(steady)}`);
    process.stdout.write(`${out.join('\n')}\n\n`);
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
