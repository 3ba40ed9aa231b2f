import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { NodesMaintenance } from '../../src/nodes/nodes-maintenance.service';
import { api, login } from '../helpers/http';
import { ADMIN_PASSWORD, makeDataDir, startApp } from '../helpers/app';
import { sendHeartbeat } from '../helpers/nodes';

interface Row {
  id: string;
  machine_name: string;
  gpu_available: number;
  gpu_devices: string;
  gpu_count: number;
  gpu_model: string | null;
}

/** Opens a data dir's SQLite database directly (as another process or an older version would). */
async function openDb(dataDir: string): Promise<DataSource> {
  return new DataSource({
    type: 'better-sqlite3',
    database: join(dataDir, 'llmlb.db'),
  }).initialize();
}

let seq = 0;
async function insertNode(db: DataSource, row: Partial<Row>): Promise<string> {
  seq += 1;
  const id = `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`;
  const r = {
    machine_name: `n${seq}`,
    gpu_available: 1,
    gpu_devices: JSON.stringify([{ model: 'A100', count: 1 }]),
    gpu_count: 1,
    gpu_model: 'A100' as string | null,
    ...row,
  };
  await db.query(
    `INSERT INTO nodes (id, machine_name, ip_address, runtime_version, runtime_port, status, gpu_available, gpu_devices,
       gpu_count, gpu_model, supported_runtimes, loaded_models, loaded_embedding_models, initializing, registered_at, tags)
     VALUES (?, ?, '10.1.0.1', '0.1.0', ?, 'online', ?, ?, ?, ?, '[]', '[]', '[]', 0, '2025-01-01 00:00:00.000', '[]')`,
    [id, r.machine_name, 10000 + seq, r.gpu_available, r.gpu_devices, r.gpu_count, r.gpu_model],
  );
  return id;
}

/** Starts once to apply the migrations, then stops; returns the data dir. */
async function preparedDataDir(): Promise<string> {
  const t = await startApp();
  await t.close();
  return t.dataDir;
}

describe('startup cleanup of stored nodes without GPU info', () => {
  it('removes GPU-less rows, repairs known gpu_model, keeps valid rows, before serving', async () => {
    const dataDir = await preparedDataDir();
    const db = await openDb(dataDir);
    const keep = await insertNode(db, {});
    const repair = await insertNode(db, { gpu_devices: '[]', gpu_model: 'RTX 3090', gpu_count: 2 });
    const noDevices = await insertNode(db, { gpu_devices: '[]', gpu_model: null });
    const notAvailable = await insertNode(db, { gpu_available: 0 });
    const zeroCount = await insertNode(db, {
      gpu_devices: JSON.stringify([{ model: 'A100', count: 0 }]),
    });
    const blankModel = await insertNode(db, {
      gpu_devices: JSON.stringify([{ model: ' ', count: 1 }]),
      gpu_model: null,
    });
    const nullDevices = await insertNode(db, { gpu_devices: 'null', gpu_model: '' });
    await db.destroy();

    const t = await startApp({}, dataDir);
    try {
      expect(t.app.get(NodesMaintenance).lastReport).toMatchObject({
        nodes_loaded: 2,
        nodes_repaired: 1,
        nodes_removed: 5,
      });
      const admin = await login(t.url, 'admin', ADMIN_PASSWORD);
      const list = (await api(t.url).as(admin).get('/v0/nodes')).body;
      expect(list.total).toBe(2);
      const ids = list.nodes.map((n: { id: string }) => n.id);
      expect(ids.sort()).toEqual([keep, repair].sort());
      for (const gone of [noDevices, notAvailable, zeroCount, blankModel, nullDevices])
        expect(ids).not.toContain(gone);
      const repaired = list.nodes.find((n: { id: string }) => n.id === repair);
      expect(repaired).toMatchObject({
        gpu_devices: [{ model: 'RTX 3090', count: 2 }],
        gpu_count: 2,
        gpu_available: true,
      });
    } finally {
      await t.close();
    }
    // the removal is durable
    const check = await openDb(dataDir);
    expect(await check.query('SELECT COUNT(*) AS c FROM nodes')).toEqual([{ c: 2 }]);
    await check.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });
});

describe('one-time import of <data dir>/nodes.json', () => {
  const legacy = [
    {
      id: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
      machine_name: 'legacy-1',
      ip_address: '10.2.0.1',
      runtime_version: '0.3.0',
      runtime_port: 32769,
      status: 'online',
      gpu_available: true,
      gpu_devices: [{ model: 'RTX 4090', count: 2 }],
      loaded_models: ['llama'],
      registered_at: '2025-10-30T10:00:00Z',
      last_seen: '2025-10-30T12:30:00Z',
      runtime_token: 'nt_old-token-that-must-not-work',
    },
    {
      machineName: 'legacy-2',
      ipAddress: '10.2.0.2',
      runtimePort: 32769,
      gpuInfo: [{ model: 'A100', count: 1 }],
    },
    {
      machine_name: 'nogpu',
      ip_address: '10.2.0.3',
      runtime_port: 32769,
      gpu_available: false,
      gpu_devices: [],
    },
    {
      machine_name: 'empty',
      ip_address: '10.2.0.4',
      runtime_port: 32769,
      gpu_available: true,
      gpu_devices: [],
    },
    {
      machine_name: 'zero',
      ip_address: '10.2.0.5',
      runtime_port: 32769,
      gpu_devices: [{ model: 'A100', count: 0 }],
    },
  ];

  it('imports valid nodes as pending without a token, skips GPU-less ones, renames the file', async () => {
    const dataDir = makeDataDir();
    writeFileSync(join(dataDir, 'nodes.json'), JSON.stringify(legacy));
    // The test client stands in for the node at 10.2.0.1, behind a proxy we trust.
    const t = await startApp({ LLMLB_TRUST_PROXY: '127.0.0.1' }, dataDir);
    try {
      expect(existsSync(join(dataDir, 'nodes.json'))).toBe(false);
      expect(existsSync(join(dataDir, 'nodes.json.migrated'))).toBe(true);
      expect(t.app.get(NodesMaintenance).lastReport?.legacy_import).toMatchObject({
        status: 'imported',
        imported: 2,
        skipped: 3,
      });
      const admin = await login(t.url, 'admin', ADMIN_PASSWORD);
      const list = (await api(t.url).as(admin).get('/v0/nodes')).body;
      expect(list.total).toBe(2);
      expect(list.nodes.map((n: { machine_name: string }) => n.machine_name).sort()).toEqual([
        'legacy-1',
        'legacy-2',
      ]);
      expect(list.nodes.every((n: { status: string }) => n.status === 'pending')).toBe(true);
      const first = list.nodes.find((n: { id: string }) => n.id === legacy[0].id);
      expect(first).toMatchObject({
        gpu_count: 2,
        gpu_model: 'RTX 4090',
        registered_at: '2025-10-30T10:00:00.000Z',
      });
      // no token was carried over
      expect((await sendHeartbeat(t.url, 'nt_old-token-that-must-not-work')).status).toBe(401);
      // the node re-registers on its address (still pending: no token needed) and gets a token
      const reg = await api(t.url)
        .with({ 'x-forwarded-for': '10.2.0.1' })
        .post('/v0/nodes', {
          machine_name: 'legacy-1',
          ip_address: '10.2.0.1',
          runtime_version: '0.4.0',
          runtime_port: 32769,
          gpu_available: true,
          gpu_devices: [{ model: 'RTX 4090', count: 2 }],
        });
      expect(reg.status).toBe(200);
      expect(reg.body.node_id).toBe(legacy[0].id);
    } finally {
      await t.close();
    }
    // a second start does not import again
    const again = await startApp({}, dataDir);
    try {
      expect(again.app.get(NodesMaintenance).lastReport?.legacy_import.status).toBe('none');
      const admin = await login(again.url, 'admin', ADMIN_PASSWORD);
      expect((await api(again.url).as(admin).get('/v0/nodes')).body.total).toBe(2);
    } finally {
      await again.cleanup();
    }
  });

  it.each([
    ['invalid JSON', '[{"machine_name": "x",'],
    ['not an array', '{"version": 2}'],
  ])('leaves a broken file (%s) in place, reports it and starts', async (_name, content) => {
    const dataDir = makeDataDir();
    writeFileSync(join(dataDir, 'nodes.json'), content);
    const t = await startApp({}, dataDir);
    try {
      expect((await api(t.url).get('/readyz')).status).toBe(200);
      expect(readFileSync(join(dataDir, 'nodes.json'), 'utf8')).toBe(content);
      expect(existsSync(join(dataDir, 'nodes.json.migrated'))).toBe(false);
      const report = t.app.get(NodesMaintenance).lastReport?.legacy_import;
      expect(report).toMatchObject({ status: 'failed', imported: 0 });
      expect(report?.error).toBeTruthy();
      const admin = await login(t.url, 'admin', ADMIN_PASSWORD);
      expect((await api(t.url).as(admin).get('/v0/nodes')).body.total).toBe(0);
    } finally {
      await t.cleanup();
    }
  });

  it('skips entries whose address is already stored (no duplicates)', async () => {
    const dataDir = await preparedDataDir();
    const db = await openDb(dataDir);
    await db.query(
      `INSERT INTO nodes (id, machine_name, ip_address, runtime_version, runtime_port, status, gpu_available, gpu_devices,
         gpu_count, gpu_model, supported_runtimes, loaded_models, loaded_embedding_models, initializing, registered_at, tags)
       VALUES ('11111111-1111-4111-8111-111111111111', 'stored', '10.2.0.1', '1', 32769, 'pending', 1,
         '[{"model":"A","count":1}]', 1, 'A', '[]', '[]', '[]', 0, '2025-01-01 00:00:00.000', '[]')`,
    );
    await db.destroy();
    writeFileSync(join(dataDir, 'nodes.json'), JSON.stringify(legacy.slice(0, 2)));
    const t = await startApp({}, dataDir);
    try {
      expect(t.app.get(NodesMaintenance).lastReport?.legacy_import).toMatchObject({
        imported: 1,
        duplicates: 1,
      });
      const admin = await login(t.url, 'admin', ADMIN_PASSWORD);
      const list = (await api(t.url).as(admin).get('/v0/nodes')).body;
      expect(list.nodes.map((n: { machine_name: string }) => n.machine_name).sort()).toEqual([
        'legacy-2',
        'stored',
      ]);
    } finally {
      await t.cleanup();
    }
  });
});
