'use strict';
// Starts the BUILT llmlb (dist/) for bench/proxy.js, as a child process with IPC.
// Configuration comes from the environment like `node dist/src/main.js`; the parent learns the
// port from a {type:'ready'} message and stops it with {type:'stop'} or by disconnecting.
const path = require('node:path');

const dist = path.join(__dirname, '..', 'dist', 'src');
const { createApp } = require(path.join(dist, 'app.factory.js'));
const { loadConfig } = require(path.join(dist, 'config', 'load-config.js'));
const { readEnvironment } = require(path.join(dist, 'config', 'environment.js'));

async function main() {
  const config = loadConfig(readEnvironment());
  const app = await createApp(config, { logger: false });
  await app.listen({ host: config.server.host, port: config.server.port });
  const addr = app.getHttpServer().address();
  process.on('message', (msg) => {
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
