import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config';

/** Directory holding the compiled (dist) or source (ts-jest) tree root. */
const ROOT = join(__dirname, '..', '..');

/**
 * The one DataSource definition, shared by the application and the TypeORM CLI.
 * Entities and migrations are found by file name so that each module owns its own files.
 */
export function buildDataSourceOptions(config: Pick<AppConfig, 'database'>): DataSourceOptions {
  return {
    type: 'better-sqlite3',
    database: config.database.path,
    enableWAL: true,
    // WAL with synchronous=FULL: a committed transaction survives a power cut, not only a crash.
    prepareDatabase: (db: { pragma(sql: string): unknown }) => {
      db.pragma('synchronous = FULL');
    },
    // busy timeout in milliseconds: a writer waits instead of failing with SQLITE_BUSY
    timeout: 5000,
    entities: [join(ROOT, 'src', '**', '*.entity.{ts,js}')],
    migrations: [join(ROOT, 'migrations', '*.{ts,js}')],
    migrationsTableName: 'migrations',
    migrationsRun: true,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error', 'warn', 'migration'],
  };
}
