import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source-options';

describe('migrations', () => {
  let dir: string;
  let ds: DataSource;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'llmlb-mig-'));
    ds = new DataSource({
      ...buildDataSourceOptions({ database: { type: 'sqlite', path: join(dir, 'db.sqlite') } }),
      migrationsRun: false,
      logging: false,
    });
    await ds.initialize();
  });

  afterAll(async () => {
    await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('apply to an empty database', async () => {
    const applied = await ds.runMigrations({ transaction: 'each' });
    expect(applied.length).toBeGreaterThan(0);
    expect(await ds.showMigrations()).toBe(false);
  });

  it('leave a schema that matches the entities exactly (generate-check)', async () => {
    const sql = await ds.driver.createSchemaBuilder().log();
    expect(sql.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('run in WAL mode with a busy timeout', async () => {
    const [{ journal_mode }] = await ds.query('PRAGMA journal_mode');
    expect(journal_mode).toBe('wal');
    const [{ timeout }] = await ds.query('PRAGMA busy_timeout');
    expect(timeout).toBeGreaterThan(0);
  });

  it('can be reverted and re-applied', async () => {
    const n = ds.migrations.length;
    for (let i = 0; i < n; i++) await ds.undoLastMigration();
    const tables = await ds.query(
      "SELECT name FROM sqlite_master WHERE type='table' AND name NOT IN ('migrations','sqlite_sequence')",
    );
    expect(tables).toEqual([]);
    await ds.runMigrations();
    const sql = await ds.driver.createSchemaBuilder().log();
    expect(sql.upQueries).toEqual([]);
  });
});
