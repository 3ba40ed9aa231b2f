import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { HeartbeatTaskDto, isReportedStatus, TaskProgressDto } from './task-progress.dto';

const errors = (cls: new () => object, body: object) =>
  validateSync(plainToInstance(cls, body), { whitelist: true, forbidNonWhitelisted: true }).map(
    (e) => e.property,
  );

const TASK_ID = '9b2f6a8e-4d7c-4b1a-9e3f-2c5d8a7b6e10';

describe('task progress shape', () => {
  it('a progress report accepts only the statuses that drive the task', () => {
    expect(errors(TaskProgressDto, { progress: 0.5, status: 'completed' })).toEqual([]);
    expect(errors(TaskProgressDto, { progress: 0.5, status: 'downloading' })).toEqual(['status']);
    expect(errors(TaskProgressDto, { progress: 1.5 })).toEqual(['progress']);
    expect(errors(TaskProgressDto, { progress: 0.5, task_id: TASK_ID })).toEqual(['task_id']);
  });

  it("a heartbeat item is the same report with its task id and the node's own status word", () => {
    expect(
      errors(HeartbeatTaskDto, { task_id: TASK_ID, progress: 0.5, status: 'downloading' }),
    ).toEqual([]);
    expect(errors(HeartbeatTaskDto, { progress: 0.5 })).toEqual(['task_id']);
    expect(errors(HeartbeatTaskDto, { task_id: TASK_ID, progress: 2 })).toEqual(['progress']);
    expect(
      errors(HeartbeatTaskDto, { task_id: TASK_ID, progress: 0.5, status: 'x'.repeat(33) }),
    ).toEqual(['status']);
    expect(
      errors(HeartbeatTaskDto, { task_id: TASK_ID, progress: 0.5, downloaded_bytes: -1 }),
    ).toEqual(['downloaded_bytes']);
  });

  it('only in_progress, completed and failed are statuses a report can set', () => {
    expect(
      ['in_progress', 'completed', 'failed', 'downloading', undefined].map(isReportedStatus),
    ).toEqual([true, true, true, false, false]);
  });
});
