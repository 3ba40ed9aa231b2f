import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { TaskQueryDto } from './dto/downloads.dto';
import { TaskDto, TaskListDto } from '../tasks/dto/task.dto';
import { EndpointDownloadsService } from './endpoint-downloads.service';
import { TaskStore } from '../tasks/task-store.service';
import { isFinished } from '../tasks/task.entity';

/** Reading and cancelling tasks of both kinds. */
@Injectable()
export class TasksService {
  constructor(
    private readonly store: TaskStore,
    private readonly endpointDownloads: EndpointDownloadsService,
  ) {}

  async list(q: TaskQueryDto): Promise<TaskListDto> {
    const filter = { status: q.status, nodeId: q.node_id, endpointId: q.endpoint_id };
    const [tasks, total] = await Promise.all([
      this.store.list({ ...filter, limit: q.limit ?? 200 }),
      this.store.count(filter),
    ]);
    return { tasks: tasks.map((t) => TaskDto.from(t)), total };
  }

  async get(id: string): Promise<TaskDto> {
    const t = await this.store.get(id);
    if (!t) throw new AppError('task_not_found');
    return TaskDto.from(t);
  }

  /**
   * Cancels a running task. Endpoint downloads stop being tracked at once; a node learns it
   * from the 409 `task_finished` answer to its next progress report.
   */
  async cancel(id: string): Promise<TaskDto> {
    const t = await this.store.get(id);
    if (!t) throw new AppError('task_not_found');
    if (isFinished(t.status)) throw new AppError('task_finished', `Task is already ${t.status}`);
    this.endpointDownloads.stop(id);
    const done = await this.store.transition(id, 'cancelled');
    return TaskDto.from(done ?? t);
  }
}
