import type { Server } from 'node:http';
import { Logger } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';

/**
 * SIGTERM / SIGINT for `llmlb serve`, in this order:
 * 1. stop accepting connections; idle keep-alive connections are closed, and every response
 *    still to be sent says `Connection: close`;
 * 2. let in-flight requests (streams included) finish, for up to `graceMs`; then cut the rest;
 * 3. `app.close()`: the modules flush (stats) and close their pools, then the database.
 * Nest's own shutdown hooks are not used: they would close pools and the database first,
 * under the feet of running streams.
 */
export function installGracefulShutdown(
  app: INestApplication,
  graceMs: number,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  const logger = new Logger('Shutdown');
  const server = app.getHttpServer() as Server;
  let closing = false;

  server.prependListener('request', (_req, res) => {
    if (closing) res.setHeader('connection', 'close');
    res.once('close', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });

  const shutdown = async (signal: string): Promise<void> => {
    if (closing) return;
    closing = true;
    logger.log(`${signal}: no new connections; waiting up to ${graceMs / 1000} s for requests`);
    const drained = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), graceMs);
    });
    if (await Promise.race([drained.then(() => false), expired])) {
      logger.warn('grace period over: closing the connections still open');
      server.closeAllConnections();
      await drained;
    }
    clearTimeout(timer);
    try {
      await app.close();
      logger.log('stopped');
      exit(0);
    } catch (e) {
      logger.error(`shutdown failed: ${e instanceof Error ? e.message : String(e)}`);
      exit(1);
    }
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void shutdown(signal));
  }
}
