'use strict';
/**
 * Proxy overhead benchmark (spec §11): a fixed-latency mock backend, then the same traffic
 *   direct → mock, through nginx → mock, through llmlb (built, dist/) → mock
 * at concurrency 1 and 16, non-streaming and streaming. Prints req/s, p50/p99 latency, added
 * latency and added time-to-first-token against direct, llmlb's RSS, and the balancer's
 * selection time for 1000 candidates. Bounded: about a minute. Run: `npm run bench:proxy`.
 *
 * Each scenario runs BENCH_ROUNDS times (default 3) with the targets interleaved, and the
 * samples of all rounds are merged, so that load from other processes on the machine hits
 * every target alike.
 *
 * Env: BENCH_SECONDS (measure per scenario and round, default 2), BENCH_WARMUP_SECONDS (default
 * 0.3), BENCH_ROUNDS (default 3), MOCK_LATENCY_MS (default 20), BENCH_JSON=path to also write
 * the figures as JSON.
 */
const { fork, spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const { Pool } = require('undici');

const ROOT = path.join(__dirname, '..');
const SECONDS = Number(process.env.BENCH_SECONDS || 2);
const WARMUP = Number(process.env.BENCH_WARMUP_SECONDS || 0.3);
const ROUNDS = Number(process.env.BENCH_ROUNDS || 3);
const LATENCY_MS = Number(process.env.MOCK_LATENCY_MS || 20);
const MODEL = 'bench-model';
const ADMIN_PASSWORD = 'bench-admin-password';

const children = [];
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llmlb-bench-'));

function cleanup() {
  for (const c of children) {
    try {
      if (c.exitCode === null) c.kill('SIGTERM');
    } catch {
      /* gone */
    }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.on('exit', cleanup);
process.on('SIGINT', () => process.exit(130));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function forkChild(file, env) {
  const child = fork(file, [], {
    env: { ...process.env, ...env },
    cwd: tmp,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  return child;
}

function waitMessage(child, pred, what, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
    const on = (m) => {
      if (pred(m)) {
        clearTimeout(timer);
        child.off('message', on);
        resolve(m);
      }
    };
    child.on('message', on);
    child.once('exit', (code) => reject(new Error(`${what}: child exited with ${code}`)));
  });
}

async function http(method, url, body, headers = {}) {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, body: json };
}

function rssMb(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- nginx

function ensureNginx() {
  const candidates = ['/usr/sbin/nginx', '/usr/bin/nginx'];
  let bin = candidates.find((p) => fs.existsSync(p));
  if (!bin) {
    try {
      bin =
        execFileSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).trim() || undefined;
    } catch {
      bin = undefined;
    }
  }
  if (bin) return bin;
  console.log('nginx not found: installing nginx-light from Debian (apt-get)…');
  try {
    execFileSync(
      'sh',
      [
        '-c',
        'apt-get install -y nginx-light || (apt-get update && apt-get install -y nginx-light)',
      ],
      {
        stdio: 'inherit',
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      },
    );
  } catch (e) {
    console.log(`could not install nginx (${e.message}); the nginx column will be empty`);
    return null;
  }
  return candidates.find((p) => fs.existsSync(p)) ?? null;
}

async function startNginx(bin, upstreamPort) {
  const port = await freePort();
  const dir = path.join(tmp, 'nginx');
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const conf = `
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream backend { server 127.0.0.1:${upstreamPort}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
`;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const child = spawn(bin, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/v1/models`);
      if (r.ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) throw new Error('nginx did not start');
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `http://127.0.0.1:${port}`, child };
}

// ---------------------------------------------------------------- llmlb

async function startLlmlb(mockUrl) {
  const port = await freePort();
  const child = forkChild(path.join(__dirname, 'llmlb-server.js'), {
    LLMLB_DATA_DIR: path.join(tmp, 'data'),
    LLMLB_HOST: '127.0.0.1',
    LLMLB_PORT: String(port),
    LLMLB_LOG_LEVEL: 'error',
    LLMLB_ADMIN_PASSWORD: ADMIN_PASSWORD,
    NODE_ENV: 'production',
  });
  await waitMessage(child, (m) => m && m.type === 'ready', 'llmlb start');
  const url = `http://127.0.0.1:${port}`;
  const login = await http('POST', `${url}/v0/auth/login`, {
    username: 'admin',
    password: ADMIN_PASSWORD,
  });
  const jwt = login.body.token;
  const auth = { authorization: `Bearer ${jwt}` };
  const created = await http(
    'POST',
    `${url}/v0/api-keys`,
    { name: 'bench', permissions: ['inference', 'models.read'] },
    auth,
  );
  const key = created.body.key;

  // Prefer the real path: register the mock as an endpoint with its type set manually.
  const how = 'POST /v0/endpoints (endpoint_type openai_compatible)';
  const reg = await http(
    'POST',
    `${url}/v0/endpoints`,
    {
      name: 'bench-mock',
      base_url: mockUrl,
      endpoint_type: 'openai_compatible',
      inference_timeout_secs: 60,
    },
    auth,
  );
  let listed = false;
  if (reg.status === 201) {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !listed) {
      const m = await http('GET', `${url}/v1/models`, undefined, {
        authorization: `Bearer ${key}`,
      });
      listed = m.status === 200 && m.body.data.some((x) => x.id === MODEL);
      if (!listed) await new Promise((r) => setTimeout(r, 100));
    }
  }
  if (!listed) {
    throw new Error(`the mock did not become routable: POST /v0/endpoints answered ${reg.status}`);
  }
  return { url, key, child, how };
}

// ---------------------------------------------------------------- load

function percentile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

async function oneRequest(pool, headers, body, stream) {
  const t0 = performance.now();
  const res = await pool.request({ path: '/v1/chat/completions', method: 'POST', headers, body });
  let ttft = null;
  let bytes = 0;
  for await (const chunk of res.body) {
    if (ttft === null) ttft = performance.now() - t0;
    bytes += chunk.length;
  }
  const total = performance.now() - t0;
  if (res.statusCode !== 200 || bytes === 0) throw new Error(`status ${res.statusCode}`);
  return { total, ttft: stream ? ttft : null };
}

async function scenario(target, concurrency, stream) {
  const pool = new Pool(target.url, {
    connections: concurrency,
    pipelining: 1,
    keepAliveTimeout: 60_000,
  });
  const headers = { 'content-type': 'application/json', ...(target.headers || {}) };
  const body = JSON.stringify({
    model: MODEL,
    messages: [{ role: 'user', content: 'Say hello five times.' }],
    max_tokens: 16,
    ...(stream ? { stream: true } : {}),
  });
  const lat = [];
  const ttft = [];
  let errors = 0;
  let measuring = false;
  const startAt = performance.now();
  const measureFrom = startAt + WARMUP * 1000;
  const stopAt = measureFrom + SECONDS * 1000;
  let rssPeak = 0;
  const rssTimer = target.pid
    ? setInterval(() => {
        const r = rssMb(target.pid);
        if (r && r > rssPeak) rssPeak = r;
      }, 200)
    : null;
  let count = 0;
  const worker = async () => {
    while (performance.now() < stopAt) {
      const began = performance.now();
      try {
        const r = await oneRequest(pool, headers, body, stream);
        if (began >= measureFrom) {
          lat.push(r.total);
          if (r.ttft !== null) ttft.push(r.ttft);
          count += 1;
        }
      } catch {
        if (began >= measureFrom) errors += 1;
      }
      if (!measuring && performance.now() >= measureFrom) measuring = true;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  if (rssTimer) clearInterval(rssTimer);
  await pool.close();
  return { lat, ttft, errors, n: count, seconds: SECONDS, rssPeak };
}

/** Merges the samples of several rounds into the figures of one scenario. */
function summarise(runs, stream) {
  const lat = runs.flatMap((r) => r.lat).sort((a, b) => a - b);
  const ttft = runs.flatMap((r) => r.ttft).sort((a, b) => a - b);
  const n = runs.reduce((x, r) => x + r.n, 0);
  const seconds = runs.reduce((x, r) => x + r.seconds, 0);
  return {
    rps: n / seconds,
    p50: percentile(lat, 0.5),
    p99: percentile(lat, 0.99),
    ttft50: stream ? percentile(ttft, 0.5) : null,
    ttft99: stream ? percentile(ttft, 0.99) : null,
    errors: runs.reduce((x, r) => x + r.errors, 0),
    n,
    rssPeak: Math.max(0, ...runs.map((r) => r.rssPeak)) || null,
  };
}

function balancerBench() {
  const { Balancer } = require(path.join(ROOT, 'dist', 'src', 'routing', 'balancer.js'));
  const b = new Balancer();
  const cands = Array.from({ length: 1000 }, (_, i) => ({
    id: `b${i}`,
    priority: i % 101,
    load: { inFlight: i % 7, tokensPerSec: i % 3 ? 50 + (i % 40) : null },
  }));
  for (let i = 0; i < 5000; i++) b.pick(cands);
  const n = 20000;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) b.pick(cands);
  return Number(process.hrtime.bigint() - t0) / 1e6 / n;
}

// ---------------------------------------------------------------- main

const fmt = (v, d = 2) => (v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d));

async function main() {
  const started = Date.now();
  if (!fs.existsSync(path.join(ROOT, 'dist', 'src', 'app.factory.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm run bench:proxy does)');
  }
  const mock = forkChild(path.join(__dirname, 'mock-backend.js'), {
    MOCK_LATENCY_MS: String(LATENCY_MS),
    MOCK_MODEL: MODEL,
  });
  const { port: mockPort } = await waitMessage(mock, (m) => m && m.port, 'mock backend');
  const mockUrl = `http://127.0.0.1:${mockPort}`;

  const nginxBin = ensureNginx();
  const nginx = nginxBin ? await startNginx(nginxBin, mockPort) : null;
  const llmlb = await startLlmlb(mockUrl);
  const idleRss = rssMb(llmlb.child.pid);
  const selectMs = balancerBench();

  const targets = [
    { name: 'direct', url: mockUrl },
    ...(nginx ? [{ name: 'nginx', url: nginx.url }] : []),
    {
      name: 'llmlb',
      url: llmlb.url,
      headers: { authorization: `Bearer ${llmlb.key}` },
      pid: llmlb.child.pid,
    },
  ];

  console.log(
    `\nllmlb proxy benchmark — mock backend ${LATENCY_MS} ms, ${ROUNDS} rounds × ${SECONDS}s per scenario and target (+${WARMUP}s warm-up each)`,
  );
  console.log(
    `node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), load avg ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log(`llmlb backend registered via: ${llmlb.how}\n`);

  const rows = [];
  for (const stream of [false, true]) {
    for (const concurrency of [1, 16])
      rows.push({
        stream,
        concurrency,
        runs: Object.fromEntries(targets.map((t) => [t.name, []])),
      });
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const row of rows) {
      for (const t of targets)
        row.runs[t.name].push(await scenario(t, row.concurrency, row.stream));
    }
  }
  const results = rows.map((row) => ({
    stream: row.stream,
    concurrency: row.concurrency,
    by: Object.fromEntries(targets.map((t) => [t.name, summarise(row.runs[t.name], row.stream)])),
  }));

  const header = [
    'mode',
    'conc',
    'target',
    'req/s',
    'p50 ms',
    'p99 ms',
    '+p50 ms',
    '+p99 ms',
    'ttft p50',
    '+ttft p50',
    'errors',
  ];
  const lines = [header];
  for (const r of results) {
    const d = r.by.direct;
    for (const t of targets) {
      const x = r.by[t.name];
      const added = t.name === 'direct' ? null : x.p50 - d.p50;
      const added99 = t.name === 'direct' ? null : x.p99 - d.p99;
      const addedTtft = t.name === 'direct' || !r.stream ? null : x.ttft50 - d.ttft50;
      lines.push([
        r.stream ? 'stream' : 'json',
        String(r.concurrency),
        t.name,
        fmt(x.rps, 0),
        fmt(x.p50),
        fmt(x.p99),
        fmt(added),
        fmt(added99),
        fmt(x.ttft50),
        fmt(addedTtft),
        String(x.errors),
      ]);
    }
  }
  const widths = header.map((_, i) => Math.max(...lines.map((l) => l[i].length)));
  for (const l of lines) console.log(l.map((c, i) => c.padStart(widths[i])).join('  '));

  const peak = Math.max(...results.map((r) => r.by.llmlb.rssPeak || 0));
  console.log(`\nllmlb RSS: ${fmt(idleRss, 1)} MB idle, ${fmt(peak, 1)} MB peak under load`);
  console.log(`balancer selection among 1000 candidates: ${fmt(selectMs * 1000, 2)} µs per pick`);
  if (nginx) {
    const ratios = results.map((r) => r.by.llmlb.rps / r.by.nginx.rps);
    console.log(
      `throughput llmlb / nginx: ${ratios.map((x) => fmt(x, 2)).join(', ')} (json c1, json c16, stream c1, stream c16)`,
    );
  }
  console.log(`total bench time ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (process.env.BENCH_JSON) {
    fs.writeFileSync(
      process.env.BENCH_JSON,
      JSON.stringify(
        {
          latencyMs: LATENCY_MS,
          seconds: SECONDS,
          rounds: ROUNDS,
          idleRss,
          peakRss: peak,
          selectMs,
          how: llmlb.how,
          results,
        },
        null,
        2,
      ),
    );
  }

  llmlb.child.send({ type: 'stop' });
  await new Promise((r) => llmlb.child.once('exit', r));
}

main()
  .then(() => process.exit(0))
  .catch((e) => {
    console.error(e.stack || e);
    process.exit(1);
  });
