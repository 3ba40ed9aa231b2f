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
>;

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

  /** Writes the heartbeat columns of many nodes in one transaction. */
  async saveHeartbeats(rows: { id: string; columns: NodeHeartbeatColumns }[]): Promise<void> {
    if (rows.length === 0) return;
    await this.repo.manager.transaction(async (m) => {
      for (const r of rows) await m.update(NodeEntity, { id: r.id }, r.columns);
    });
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
