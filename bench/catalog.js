#!/usr/bin/env node
/* eslint-disable */
// Benchmark of GET /v0/models/available (spec §11: p95 < 3 s, cache hit < 50 ms).
// Uses the BUILT server (npm run build first), a local fake Hugging Face Hub with realistic
// latency, and only 127.0.0.1. Prints a table and cleans up.
'use strict';
const { spawn } = require('node:child_process');
const http = require('node:http');
const net = require('node:net');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const HUB_LATENCY_MS = Number(process.env.BENCH_HUB_LATENCY_MS || 350); // typical HF list call
const HUB_JITTER_MS = Number(process.env.BENCH_HUB_JITTER_MS || 250);
const COLD_N = Number(process.env.BENCH_COLD_N || 60);
const WARM_N = Number(process.env.BENCH_WARM_N || 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY || 8);
const PASSWORD = 'bench-admin-password';

const REPOS = Array.from({ length: 500 }, (_, i) => ({
  _id: String(i).padStart(24, '0'),
  id: `owner${i % 37}/model-${i}-GGUF`,
  modelId: `owner${i % 37}/model-${i}-GGUF`,
  downloads: 100000 - i * 17,
  likes: 1000 - i,
  tags: ['gguf', 'text-generation', i % 2 ? 'llama' : 'qwen2'],
  private: false,
  library_name: 'gguf',
  createdAt: '2024-01-01T00:00:00.000Z',
}));

function startHub() {
  let calls = 0;
  const server = http.createServer((req, res) => {
    const u = new URL(req.url, 'http://x');
    if (u.pathname !== '/api/models') {
      res.writeHead(404).end();
      return;
    }
    calls++;
    const search = (u.searchParams.get('search') || '').toLowerCase();
    const limit = Number(u.searchParams.get('limit') || 100);
    const items = REPOS.filter((r) => !search || r.id.toLowerCase().includes(search)).slice(
      0,
      limit,
    );
    const body = JSON.stringify(items);
    setTimeout(
      () => {
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
      },
      HUB_LATENCY_MS + Math.random() * HUB_JITTER_MS,
    );
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${server.address().port}`, calls: () => calls }),
    ),
  );
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitReady(url, child) {
  const deadline = Date.now() + 30000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('server did not become ready');
}

function pct(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function run(n, concurrency, makePath, headers, url) {
  const times = [];
  let next = 0;
  let failures = 0;
  async function worker() {
    while (next < n) {
      const i = next++;
      const t0 = process.hrtime.bigint();
      const r = await fetch(url + makePath(i), { headers });
      await r.arrayBuffer();
      if (r.status !== 200) failures++;
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  times.sort((a, b) => a - b);
  return {
    n,
    failures,
    p50: pct(times, 50),
    p95: pct(times, 95),
    p99: pct(times, 99),
    max: times[times.length - 1],
  };
}

async function main() {
  const entry = path.join(__dirname, '..', 'dist', 'src', 'main.js');
  if (!fs.existsSync(entry))
    throw new Error('dist/src/main.js is missing: run `npm run build` first');
  const hub = await startHub();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llmlb-bench-catalog-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, [entry], {
    env: {
      ...process.env,
      LLMLB_DATA_DIR: dataDir,
      LLMLB_HOST: '127.0.0.1',
      LLMLB_PORT: String(port),
      LLMLB_ADMIN_PASSWORD: PASSWORD,
      LLMLB_LOG_LEVEL: 'error',
      HF_BASE_URL: hub.url,
      LLMLB_HF_CACHE_SECS: '600',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    await waitReady(url, child);
    const login = await fetch(`${url}/v0/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    const { token } = await login.json();
    const headers = { authorization: `Bearer ${token}` };

    // cold: every request is a different query, so each one goes to the hub
    const cold = await run(
      COLD_N,
      CONCURRENCY,
      (i) => `/v0/models/available?search=model-${i}&limit=20`,
      headers,
      url,
    );
    const hubCallsCold = hub.calls();
    // cached: the same pages again and again (warm them first)
    await run(5, 1, (i) => `/v0/models/available?limit=20&offset=${i * 20}`, headers, url);
    const callsBefore = hub.calls();
    const warm = await run(
      WARM_N,
      CONCURRENCY,
      (i) => `/v0/models/available?limit=20&offset=${(i % 5) * 20}`,
      headers,
      url,
    );
    const hubCallsWarm = hub.calls() - callsBefore;

    const f = (x) => x.toFixed(1).padStart(8);
    console.log(
      `\nGET /v0/models/available — fake hub latency ${HUB_LATENCY_MS}–${HUB_LATENCY_MS + HUB_JITTER_MS} ms, concurrency ${CONCURRENCY}`,
    );
    console.log('scenario        n   fail   p50 ms   p95 ms   p99 ms   max ms  hub calls  target');
    console.log(
      `cold (miss) ${String(cold.n).padStart(5)} ${String(cold.failures).padStart(6)} ${f(cold.p50)} ${f(cold.p95)} ${f(cold.p99)} ${f(cold.max)} ${String(hubCallsCold).padStart(10)}  p95 < 3000 ms: ${cold.p95 < 3000 ? 'PASS' : 'FAIL'}`,
    );
    console.log(
      `cached      ${String(warm.n).padStart(5)} ${String(warm.failures).padStart(6)} ${f(warm.p50)} ${f(warm.p95)} ${f(warm.p99)} ${f(warm.max)} ${String(hubCallsWarm).padStart(10)}  p95 < 50 ms: ${warm.p95 < 50 ? 'PASS' : 'FAIL'}`,
    );
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
    hub.server.closeAllConnections();
    hub.server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
