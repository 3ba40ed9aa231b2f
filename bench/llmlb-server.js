'use strict';
// Starts the BUILT llmlb (dist/) for bench/proxy.js, as a child process with IPC.
// Configuration comes from the environment like `node dist/src/main.js`. The only addition is a
// bench-only hook: the parent may send {type:'feed', backend} to put a backend straight into the
// routing table — used when the endpoints API (POST /v0/endpoints) is not available in the build.
const path = require('node:path');

const dist = path.join(__dirname, '..', 'dist', 'src');
const { createApp } = require(path.join(dist, 'app.factory.js'));
const { loadConfig } = require(path.join(dist, 'config', 'load-config.js'));
const { readEnvironment } = require(path.join(dist, 'config', 'environment.js'));
const { RoutingTable } = require(path.join(dist, 'routing', 'routing-table.service.js'));

async function main() {
  const config = loadConfig(readEnvironment());
  const app = await createApp(config, { logger: false });
  await app.listen({ host: config.server.host, port: config.server.port });
  const addr = app.getHttpServer().address();
  process.on('message', (msg) => {
    if (msg && msg.type === 'feed') {
      app.get(RoutingTable).upsert(msg.backend);
      process.send({ type: 'fed' });
    }
    if (msg && msg.type === 'stop') {
      app.close().then(() => process.exit(0));
    }
  });
  process.on('disconnect', () => app.close().then(() => process.exit(0)));
  process.send({ type: 'ready', port: addr.port });
}

main().catch((e) => {
  process.stderr.write(`llmlb bench server failed: ${e.stack || e}\n`);
  process.exit(1);
});
