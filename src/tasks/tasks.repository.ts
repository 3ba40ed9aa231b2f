import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { ACTIVE_STATUSES, TaskEntity, TaskStatus } from './task.entity';

export interface TaskFilter {
  status?: TaskStatus;
  nodeId?: string;
  endpointId?: string;
  limit?: number;
}

@Injectable()
export class TasksRepository {
  constructor(@InjectRepository(TaskEntity) private readonly repo: Repository<TaskEntity>) {}

  findById(id: string): Promise<TaskEntity | null> {
    return this.repo.findOne({ where: { id } });
  }

  find(filter: TaskFilter): Promise<TaskEntity[]> {
    return this.repo.find({
      where: where(filter),
      order: { createdAt: 'DESC', id: 'ASC' },
      take: filter.limit,
    });
  }

  count(filter: TaskFilter): Promise<number> {
    return this.repo.count({ where: where(filter) });
  }

  findActive(): Promise<TaskEntity[]> {
    return this.repo.find({ where: { status: In(ACTIVE_STATUSES) }, order: { createdAt: 'ASC' } });
  }

  async saveAll(tasks: TaskEntity[]): Promise<void> {
    await this.repo.manager.transaction(async (m) => {
      await m.getRepository(TaskEntity).save(tasks);
    });
  }

  async save(task: TaskEntity): Promise<void> {
    await this.repo.save(task);
  }
}

function where(filter: TaskFilter): Record<string, unknown> {
  const w: Record<string, unknown> = {};
  if (filter.status) w.status = filter.status;
  if (filter.nodeId) w.nodeId = filter.nodeId;
  if (filter.endpointId) w.endpointId = filter.endpointId;
  return w;
}
