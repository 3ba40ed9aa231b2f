import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { NodeEntity } from './node.entity';

/** Columns a heartbeat changes; written in batches. */
export type NodeHeartbeatColumns = Pick<
  NodeEntity,
  | 'lastSeen'
  | 'loadedModels'
  | 'loadedEmbeddingModels'
  | 'readyModels'
  | 'initializing'
  | 'cpuUsage'
  | 'memoryUsage'
  | 'gpuUsage'
  | 'activeRequests'
  | 'extraMetrics'
  | 'maxConcurrency'
>;

const HEARTBEAT_CHUNK = 100;

const HEARTBEAT_UPDATE =
  'UPDATE "nodes" SET "last_seen" = ?, "loaded_models" = ?, "loaded_embedding_models" = ?, "ready_models" = ?, ' +
  '"initializing" = ?, "cpu_usage" = ?, "memory_usage" = ?, "gpu_usage" = ?, "active_requests" = ?, ' +
  '"extra_metrics" = ?, "max_concurrency" = ? WHERE "id" = ?';

/** SQLite datetime as TypeORM writes it (UTC, `YYYY-MM-DD HH:MM:SS.SSS`). */
function sqliteDate(d: Date | null): string | null {
  return d ? d.toISOString().replace('T', ' ').replace('Z', '') : null;
}

const json = (v: unknown): string | null =>
  v === null || v === undefined ? null : JSON.stringify(v);

function heartbeatParams(id: string, c: NodeHeartbeatColumns): unknown[] {
  return [
    sqliteDate(c.lastSeen),
    json(c.loadedModels),
    json(c.loadedEmbeddingModels),
    json(c.readyModels),
    c.initializing ? 1 : 0,
    c.cpuUsage,
    c.memoryUsage,
    c.gpuUsage,
    c.activeRequests,
    json(c.extraMetrics),
    c.maxConcurrency,
    id,
  ];
}

@Injectable()
export class NodesRepository {
  constructor(@InjectRepository(NodeEntity) private readonly repo: Repository<NodeEntity>) {}

  findAll(): Promise<NodeEntity[]> {
    return this.repo.find({ order: { registeredAt: 'ASC' } });
  }

  async insert(node: NodeEntity): Promise<void> {
    await this.repo.insert(node);
  }

  async update(id: string, changes: Partial<NodeEntity>): Promise<void> {
    await this.repo.update({ id }, changes);
  }

  async delete(id: string): Promise<void> {
    await this.repo.delete({ id });
  }

  async deleteMany(ids: string[]): Promise<void> {
    if (ids.length) await this.repo.delete({ id: In(ids) });
  }

  /**
   * Writes the heartbeat columns of many nodes: one plain UPDATE per node (no query building),
   * in transactions of HEARTBEAT_CHUNK rows, yielding to the event loop between chunks so a
   * flush of 1000 nodes never holds up requests for long.
   */
  async saveHeartbeats(rows: { id: string; columns: NodeHeartbeatColumns }[]): Promise<void> {
    for (let i = 0; i < rows.length; i += HEARTBEAT_CHUNK) {
      const chunk = rows.slice(i, i + HEARTBEAT_CHUNK);
      await this.repo.manager.transaction(async (m) => {
        for (const r of chunk) await m.query(HEARTBEAT_UPDATE, heartbeatParams(r.id, r.columns));
      });
      if (i + HEARTBEAT_CHUNK < rows.length) await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Inserts imported nodes in one transaction, skipping ids or addresses already stored,
   * then verifies that every inserted row is there (else the transaction rolls back).
   * Returns the nodes inserted and those skipped as duplicates.
   */
  async importMany(
    nodes: NodeEntity[],
  ): Promise<{ inserted: NodeEntity[]; duplicates: NodeEntity[] }> {
    return this.repo.manager.transaction(async (m) => {
      const existing = await m.find(NodeEntity, {
        select: { id: true, ipAddress: true, runtimePort: true },
      });
      const ids = new Set(existing.map((n) => n.id));
      const addrs = new Set(existing.map((n) => `${n.ipAddress}|${n.runtimePort}`));
      const inserted: NodeEntity[] = [];
      const duplicates: NodeEntity[] = [];
      for (const n of nodes) {
        const addr = `${n.ipAddress}|${n.runtimePort}`;
        if (ids.has(n.id) || addrs.has(addr)) {
          duplicates.push(n);
          continue;
        }
        await m.insert(NodeEntity, n);
        ids.add(n.id);
        addrs.add(addr);
        inserted.push(n);
      }
      const count = inserted.length
        ? await m.count(NodeEntity, { where: { id: In(inserted.map((n) => n.id)) } })
        : 0;
      if (count !== inserted.length) {
        throw new Error(
          `import verification failed: expected ${inserted.length} rows, found ${count}`,
        );
      }
      return { inserted, duplicates };
    });
  }
}
