'use strict';
// Shared helpers for the benchmark scripts: a closed-loop load generator and percentiles.
const { Agent, request } = require('undici');

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

/**
 * Runs `concurrency` workers, each sending requests back to back for `durationMs`.
 * `send(dispatcher)` performs one request and resolves when the response is fully read.
 */
async function load({ concurrency, durationMs, send, warmupMs = 500 }) {
  const dispatcher = new Agent({
    connections: concurrency * 2,
    pipelining: 1,
    keepAliveTimeout: 30_000,
  });
  const latencies = [];
  let errors = 0;
  const runFor = async (ms, record) => {
    const end = Date.now() + ms;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < end) {
          const t0 = process.hrtime.bigint();
          try {
            await send(dispatcher);
            if (record) latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          } catch {
            if (record) errors++;
          }
        }
      }),
    );
  };
  await runFor(warmupMs, false);
  const started = Date.now();
  await runFor(durationMs, true);
  const elapsed = (Date.now() - started) / 1000;
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

async function getJson(dispatcher, url, opts = {}) {
  const res = await request(url, { dispatcher, ...opts });
  const body = await res.body.text();
  if (res.statusCode >= 400) throw new Error(`${res.statusCode} ${body}`);
  return body;
}

function table(rows) {
  const cols = Object.keys(rows[0]);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (vals) => vals.map((v, i) => String(v).padEnd(width[i])).join('  ');
  return [
    line(cols),
    line(width.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(cols.map((c) => r[c]))),
  ].join('\n');
}

const fmt = (n, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : '-');

module.exports = { load, percentile, getJson, table, fmt };

/**
 * Starts the built server (dist/src/main.js) on a free port with a temp data dir; resolves
 * with {url, pid, stop(), rssMb()} once /readyz answers.
 */
async function startBuiltServer(env = {}) {
  const { spawn } = require('node:child_process');
  const { mkdtempSync, rmSync, readFileSync } = require('node:fs');
  const { createServer } = require('node:net');
  const { tmpdir } = require('node:os');
  const { join } = require('node:path');
  const port = await new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'llmlb-bench-'));
  const child = spawn(process.execPath, [join(__dirname, '..', 'dist', 'src', 'main.js')], {
    env: {
      ...process.env,
      LLMLB_HOST: '127.0.0.1',
      LLMLB_PORT: String(port),
      LLMLB_DATA_DIR: dataDir,
      LLMLB_LOG_LEVEL: 'error',
      LLMLB_ADMIN_PASSWORD: 'bench-admin-password',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error('server did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    pid: child.pid,
    rssMb() {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return m ? Number(m[1]) / 1024 : NaN;
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

module.exports.startBuiltServer = startBuiltServer;
