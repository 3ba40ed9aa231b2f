import { randomUUID } from 'node:crypto';
import { TaskEntity } from './task.entity';

/** A fresh `pending` task with a new id; `p` sets the kind, model and any other field. */
export function newTask(p: Pick<TaskEntity, 'kind' | 'model'> & Partial<TaskEntity>): TaskEntity {
  const now = new Date();
  return Object.assign(new TaskEntity(), {
    id: randomUUID(),
    filename: null,
    nodeId: null,
    endpointId: null,
    status: 'pending',
    progress: 0,
    downloadedBytes: null,
    totalBytes: null,
    speedBps: null,
    etaSeconds: null,
    error: null,
    remoteTaskId: null,
    createdAt: now,
    startedAt: null,
    completedAt: null,
    updatedAt: now,
    ...p,
  } satisfies TaskEntity);
}
