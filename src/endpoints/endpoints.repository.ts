import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, Repository } from 'typeorm';
import { EndpointModelEntity } from './endpoint-model.entity';
import { EndpointEntity } from './endpoint.entity';
import type { EndpointStatus, EndpointType } from './endpoint-types';

/** Which unique column a write collided with. */
export class UniqueViolation extends Error {
  constructor(readonly column: 'name' | 'base_url') {
    super(`unique ${column}`);
  }
}

function translateUnique(e: unknown): never {
  const msg = e instanceof Error ? e.message : String(e);
  if (/UNIQUE constraint failed: endpoints\.name/.test(msg)) throw new UniqueViolation('name');
  if (/UNIQUE constraint failed: endpoints\.base_url/.test(msg))
    throw new UniqueViolation('base_url');
  throw e;
}

@Injectable()
export class EndpointsRepository {
  constructor(
    @InjectRepository(EndpointEntity) private readonly repo: Repository<EndpointEntity>,
    @InjectRepository(EndpointModelEntity) private readonly models: Repository<EndpointModelEntity>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  find(filter: { type?: EndpointType; status?: EndpointStatus } = {}): Promise<EndpointEntity[]> {
    const where: Partial<Pick<EndpointEntity, 'endpointType' | 'status'>> = {};
    if (filter.type) where.endpointType = filter.type;
    if (filter.status) where.status = filter.status;
    return this.repo.find({ where, order: { registeredAt: 'ASC', name: 'ASC' } });
  }

  findById(id: string): Promise<EndpointEntity | null> {
    return this.repo.findOne({ where: { id } });
  }

  findByName(name: string): Promise<EndpointEntity | null> {
    return this.repo.findOne({ where: { name } });
  }

  findByBaseUrl(baseUrl: string): Promise<EndpointEntity | null> {
    return this.repo.findOne({ where: { baseUrl } });
  }

  async insert(values: Partial<EndpointEntity>): Promise<EndpointEntity> {
    try {
      return await this.repo.save(this.repo.create(values));
    } catch (e) {
      translateUnique(e);
    }
  }

  /** Applies a patch and returns the row as stored (null when it no longer exists). */
  async update(id: string, patch: Partial<EndpointEntity>): Promise<EndpointEntity | null> {
    try {
      const res = await this.repo.update({ id }, patch);
      if (!res.affected) return null;
    } catch (e) {
      translateUnique(e);
    }
    return this.findById(id);
  }

  async delete(id: string): Promise<boolean> {
    const res = await this.repo.delete({ id });
    return (res.affected ?? 0) > 0;
  }

  findModels(endpointId: string): Promise<EndpointModelEntity[]> {
    return this.models.find({ where: { endpointId }, order: { modelId: 'ASC' } });
  }

  findAllModels(): Promise<EndpointModelEntity[]> {
    return this.models.find({ order: { modelId: 'ASC' } });
  }

  /** endpoint id → number of synced models. */
  async modelCounts(): Promise<Map<string, number>> {
    const rows = await this.models
      .createQueryBuilder('m')
      .select('m.endpoint_id', 'endpointId')
      .addSelect('COUNT(*)', 'n')
      .groupBy('m.endpoint_id')
      .getRawMany<{ endpointId: string; n: number }>();
    return new Map(rows.map((r) => [r.endpointId, Number(r.n)]));
  }

  /** Writes one sync's result atomically: upserts `rows`, deletes `removedIds`, stamps the endpoint. */
  async replaceModels(
    endpointId: string,
    rows: EndpointModelEntity[],
    removedIds: string[],
    at: Date,
  ): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      if (removedIds.length > 0) {
        for (let i = 0; i < removedIds.length; i += 500) {
          await m.delete(EndpointModelEntity, {
            endpointId,
            modelId: In(removedIds.slice(i, i + 500)),
          });
        }
      }
      if (rows.length > 0) await m.save(EndpointModelEntity, rows, { chunk: 200 });
      await m.update(EndpointEntity, { id: endpointId }, { modelsSyncedAt: at });
    });
  }

  async updateModel(
    endpointId: string,
    modelId: string,
    patch: Partial<EndpointModelEntity>,
  ): Promise<void> {
    await this.models.update({ endpointId, modelId }, patch);
  }
}
