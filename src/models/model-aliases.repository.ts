import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ModelAliasEntity } from './model-alias.entity';

@Injectable()
export class ModelAliasesRepository {
  constructor(
    @InjectRepository(ModelAliasEntity) private readonly repo: Repository<ModelAliasEntity>,
  ) {}

  findAll(): Promise<ModelAliasEntity[]> {
    return this.repo.find({ order: { alias: 'ASC' } });
  }

  findOne(alias: string): Promise<ModelAliasEntity | null> {
    return this.repo.findOne({ where: { alias } });
  }

  save(entity: ModelAliasEntity): Promise<ModelAliasEntity> {
    return this.repo.save(entity);
  }

  async delete(alias: string): Promise<boolean> {
    const r = await this.repo.delete({ alias });
    return (r.affected ?? 0) > 0;
  }
}
