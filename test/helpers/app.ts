import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../../src/app.factory';
import type { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';

export const ADMIN_PASSWORD = 'admin-password-for-tests';

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  config: AppConfig;
  dataDir: string;
  /** Stops the server (the data directory stays until `cleanup`). */
  close(): Promise<void>;
  /** Stops the server and removes its data directory. */
  cleanup(): Promise<void>;
}

export function makeDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'llmlb-test-'));
}

/**
 * Starts the whole application on 127.0.0.1 and a random port with its own data directory
 * (or `dataDir`, to test a restart), real SQLite and real migrations.
 */
export async function startApp(
  env: Record<string, string> = {},
  dataDir = makeDataDir(),
): Promise<TestApp> {
  const config = loadConfig({
    LLMLB_DATA_DIR: dataDir,
    LLMLB_HOST: '127.0.0.1',
    LLMLB_PORT: '0',
    LLMLB_LOG_LEVEL: 'error',
    LLMLB_ADMIN_PASSWORD: ADMIN_PASSWORD,
    LLMLB_NODE_REACHABILITY_CHECK: 'false',
    // Tests run nodes (fakes) on this machine: let them register loopback addresses.
    LLMLB_NODE_ALLOWED_NETWORKS: '127.0.0.0/8',
    ...env,
  });
  const app = await createApp(config, { logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.getHttpServer().address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await app.close();
  };
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    config,
    dataDir,
    close,
    cleanup: async () => {
      await close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
