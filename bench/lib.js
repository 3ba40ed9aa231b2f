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
