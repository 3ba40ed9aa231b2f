import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { RoutingTable } from '../routing/routing-table.service';
import {
  CreateModelAliasDto,
  ModelAliasDto,
  ModelAliasListDto,
  ModelAliasTargetsDto,
} from './dto/model-alias.dto';
import { ModelAliasEntity } from './model-alias.entity';
import { ModelAliasesRepository } from './model-aliases.repository';

/**
 * Model aliases (spec §6.1): stored in the database, published to the routing table, which
 * routes a request for an alias to any backend serving any target.
 */
@Injectable()
export class ModelAliasesService implements OnApplicationBootstrap {
  constructor(
    private readonly repo: ModelAliasesRepository,
    private readonly table: RoutingTable,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.publish();
  }

  async list(): Promise<ModelAliasListDto> {
    const rows = await this.repo.findAll();
    return { aliases: rows.map(ModelAliasDto.from), total: rows.length };
  }

  async create(dto: CreateModelAliasDto): Promise<ModelAliasDto> {
    this.assertNotShadowing(dto.alias, dto.targets);
    if (await this.repo.findOne(dto.alias))
      throw new AppError('alias_conflict', `Alias "${dto.alias}" already exists`, {
        param: 'alias',
      });
    const now = new Date();
    const e = Object.assign(new ModelAliasEntity(), {
      alias: dto.alias,
      targets: unique(dto.targets),
      createdAt: now,
      updatedAt: now,
    });
    const saved = await this.repo.save(e);
    await this.publish();
    return ModelAliasDto.from(saved);
  }

  /** Replaces the targets of an alias (creating it when absent). */
  async put(alias: string, dto: ModelAliasTargetsDto): Promise<ModelAliasDto> {
    this.assertNotShadowing(alias, dto.targets);
    const now = new Date();
    const e =
      (await this.repo.findOne(alias)) ??
      Object.assign(new ModelAliasEntity(), { alias, createdAt: now });
    e.targets = unique(dto.targets);
    e.updatedAt = now;
    const saved = await this.repo.save(e);
    await this.publish();
    return ModelAliasDto.from(saved);
  }

  async delete(alias: string): Promise<void> {
    if (!(await this.repo.delete(alias))) throw new AppError('alias_not_found');
    await this.publish();
  }

  private assertNotShadowing(alias: string, targets: readonly string[]): void {
    if (this.table.isServedModel(alias))
      throw new AppError(
        'alias_conflict',
        `"${alias}" is a model id served by a backend; an alias may not shadow it`,
        { param: 'alias' },
      );
    if (targets.includes(alias))
      throw new AppError('validation_failed', 'An alias may not target itself', {
        param: 'targets',
        details: [{ field: 'targets', message: 'must not contain the alias itself' }],
      });
  }

  private async publish(): Promise<void> {
    const rows = await this.repo.findAll();
    this.table.setAliases(new Map(rows.map((r) => [r.alias, r.targets])));
  }
}

function unique(list: readonly string[]): string[] {
  return [...new Set(list)];
}
