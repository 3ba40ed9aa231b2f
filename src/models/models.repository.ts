import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { RegisteredModelEntity } from './registered-model.entity';

@Injectable()
export class ModelsRepository {
  constructor(
    @InjectRepository(RegisteredModelEntity)
    private readonly repo: Repository<RegisteredModelEntity>,
  ) {}

  findAll(): Promise<RegisteredModelEntity[]> {
    return this.repo.find({ order: { name: 'ASC' } });
  }

  findByName(name: string): Promise<RegisteredModelEntity | null> {
    return this.repo.findOne({ where: { name } });
  }

  findByFile(repo: string, filename: string): Promise<RegisteredModelEntity | null> {
    return this.repo.findOne({ where: { repo, filename } });
  }

  save(model: Partial<RegisteredModelEntity>): Promise<RegisteredModelEntity> {
    return this.repo.save(this.repo.create(model));
  }

  async delete(name: string): Promise<boolean> {
    const r = await this.repo.delete({ name });
    return (r.affected ?? 0) > 0;
  }
}
