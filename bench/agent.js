'use strict';
// `llmlb agent` start-up time and memory (spec §4.5: starts in < 1 s, RSS < 60 MB). Starts the
// built agent beside a tiny OpenAI-compatible runtime and a tiny server that accepts the
// registration and heartbeats, measures the time to the first heartbeat accepted, then samples
// the peak RSS (VmHWM, Linux) after some heartbeats.
// Usage: npm run bench:agent   [RUNS=5]
const http = require('node:http');
const { spawn } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const RUNS = Number(process.env.RUNS ?? 5);

function listen(handler) {
  const s = http.createServer(handler);
  return new Promise((r) => s.listen(0, '127.0.0.1', () => r(s)));
}

function send(res, body) {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function once(runtimeUrl, serverUrl) {
  const dir = mkdtempSync(join(tmpdir(), 'llmlb-bench-agent-'));
  const started = process.hrtime.bigint();
  const child = spawn(
    process.execPath,
    [
      join(__dirname, '..', 'bin', 'llmlb.js'),
      'agent',
      '--server',
      serverUrl,
      '--runtime',
      runtimeUrl,
      '--interval',
      '0.2',
    ],
    {
      env: {
        PATH: '',
        LLMLB_AGENT_GPUS: 'NVIDIA L4:1',
        LLMLB_AGENT_DATA_DIR: dir,
        LLMLB_AGENT_ADVERTISE_ADDRESS: '127.0.0.1',
      },
    },
  );
  let out = '';
  const ready = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      if (/heartbeats accepted/.test(out)) resolve(Number(process.hrtime.bigint() - started) / 1e6);
    });
    child.on('exit', (c) => reject(new Error(`agent exited ${c}: ${out}`)));
  });
  for (let i = 0; i < 10; i++) await new Promise((r) => setTimeout(r, 200));
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)[1]) * 1024;
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
  rmSync(dir, { recursive: true, force: true });
  return { ready, hwm };
}

(async () => {
  const runtime = await listen((req, res) =>
    send(res, { object: 'list', data: [{ id: 'm', object: 'model', owned_by: 'x' }] }),
  );
  const server = await listen((req, res) => {
    req.resume();
    req.on('end', () =>
      req.url === '/v0/nodes'
        ? send(res, {
            node_id: '00000000-0000-4000-8000-000000000000',
            status: 'registered',
            node_token: 'nt_x',
          })
        : send(res, { status: 'online', tasks: [] }),
    );
  });
  const url = (s) => `http://127.0.0.1:${s.address().port}`;
  const results = [];
  for (let i = 0; i < RUNS; i++) results.push(await once(url(runtime), url(server)));
  runtime.close();
  server.close();
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const ready = med(results.map((r) => r.ready));
  const hwm = Math.max(...results.map((r) => r.hwm));
  console.log(
    `agent: first heartbeat accepted after ${ready.toFixed(0)} ms (median of ${RUNS}; target < 1000 ms)`,
  );
  console.log(
    `agent: peak RSS ${(hwm / 2 ** 20).toFixed(1)} MiB (max of ${RUNS}; target < 60 MiB)`,
  );
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
