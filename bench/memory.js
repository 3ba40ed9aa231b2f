'use strict';
// Idle memory with a registered fleet (spec §11: RSS < 200 MB idle with 1000 nodes and 100
// endpoints). Starts the built server, registers 1000 approved nodes with heartbeats and 100
// endpoints on local fake vLLM servers (all online), lets it settle, then samples RSS.
// Usage: npm run bench:memory   [NODES=1000 ENDPOINTS=100]
const http = require('node:http');
const { startBuiltServer, table, fmt } = require('./lib');

const NODES = Number(process.env.NODES ?? 1000);
const ENDPOINTS = Number(process.env.ENDPOINTS ?? 100);
const json = { 'content-type': 'application/json' };

function fakeVllm(i) {
  const server = http.createServer((req, res) => {
    res.writeHead(200, { ...json, server: 'uvicorn' });
    res.end(
      JSON.stringify({
        object: 'list',
        data: [{ id: `model-${i % 10}`, object: 'model', owned_by: 'vllm' }],
      }),
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function post(url, path, body, headers = {}) {
  const r = await fetch(url + path, {
    method: 'POST',
    headers: { ...json, ...headers },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  if (r.status >= 300) throw new Error(`${path}: ${r.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

async function inBatches(n, size, fn) {
  for (let i = 0; i < n; i += size)
    await Promise.all(Array.from({ length: Math.min(size, n - i) }, (_, k) => fn(i + k)));
}

(async () => {
  const fakes = await Promise.all(Array.from({ length: ENDPOINTS }, (_, i) => fakeVllm(i)));
  const srv = await startBuiltServer({
    LLMLB_NODE_REACHABILITY_CHECK: 'false',
    LLMLB_NODE_REGISTRATION_RATE_LIMIT: '100000',
    LLMLB_MAX_PENDING_NODES: '100000',
  });
  const rows = [];
  try {
    const sample = (stage) => rows.push({ stage, 'RSS MB': fmt(srv.rssMb(), 1) });
    await new Promise((r) => setTimeout(r, 2000));
    sample('empty, idle');
    const { token } = await post(srv.url, '/v0/auth/login', {
      username: 'admin',
      password: 'bench-admin-password',
    });
    const auth = { authorization: `Bearer ${token}` };
    await inBatches(NODES, 16, async (i) => {
      const reg = await post(
        srv.url,
        '/v0/nodes',
        {
          machine_name: `gpu-${i}`,
          ip_address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
          runtime_version: '0.4.2',
          runtime_port: 8080,
          gpu_available: true,
          gpu_devices: [{ model: 'NVIDIA RTX 4090', count: 2, memory_bytes: 25769803776 }],
        },
        auth, // addresses other than the bench's own: registration needs nodes.register
      );
      await post(srv.url, `/v0/nodes/${reg.node_id}/approve`, {}, auth);
      await post(
        srv.url,
        '/v0/health',
        {
          cpu_usage: 10,
          memory_usage: 20,
          loaded_models: [`model-${i % 10}`],
          ready_models: [1, 1],
        },
        { 'x-node-token': reg.node_token },
      );
    });
    await inBatches(ENDPOINTS, 8, (i) =>
      post(
        srv.url,
        '/v0/endpoints',
        { name: `vllm-${i}`, base_url: `http://127.0.0.1:${fakes[i].address().port}` },
        auth,
      ),
    );
    const nodes = await (
      await fetch(`${srv.url}/v0/nodes?status=online`, { headers: auth })
    ).json();
    const eps = await (
      await fetch(`${srv.url}/v0/endpoints?status=online`, { headers: auth })
    ).json();
    sample(`after registering (${nodes.total} nodes online, ${eps.total} endpoints online)`);
    await new Promise((r) => setTimeout(r, 10_000));
    sample('idle 10 s later');
    console.log(table(rows));
    console.log('target: RSS < 200 MB idle with 1000 nodes and 100 endpoints (spec §11)');
  } finally {
    await srv.stop();
    for (const f of fakes) f.close();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
