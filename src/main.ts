import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { installGracefulShutdown } from './common/graceful-shutdown';
import { readEnvironment } from './config/environment';
import { ConfigError, loadConfig } from './config/load-config';

/** `llmlb serve`: validate configuration, open the database, listen. */
export async function serve(): Promise<void> {
  let config;
  try {
    config = loadConfig(readEnvironment());
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const app = await createApp(config);
  installGracefulShutdown(app, config.server.shutdownGraceSecs * 1000);
  await app.listen({ host: config.server.host, port: config.server.port });
  const url = await app.getUrl();
  const logger = new Logger('llmlb');
  logger.log(`listening on ${url}`);
  logger.log(`dashboard   ${url}/dashboard`);
  logger.log(`API docs    ${url}/api/docs`);
  logger.log(`data dir    ${config.server.dataDir}`);
}

if (require.main === module) {
  serve().catch((e: unknown) => {
    process.stderr.write(
      `llmlb failed to start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exit(1);
  });
}
