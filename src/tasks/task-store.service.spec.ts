import { TaskStore, PROGRESS_WRITE_INTERVAL_MS } from './task-store.service';
import { newTask } from './new-task';
import type { TaskEntity } from './task.entity';
import type { TasksRepository } from './tasks.repository';

function fakeRepo() {
  const saved: TaskEntity[] = [];
  const repo = {
    saved,
    findActive: () => Promise.resolve([]),
    findById: () => Promise.resolve(null),
    find: () => Promise.resolve([]),
    saveAll: (ts: TaskEntity[]) => {
      saved.push(...ts.map((t) => ({ ...t })));
      return Promise.resolve();
    },
    save: (t: TaskEntity) => {
      saved.push({ ...t });
      return Promise.resolve();
    },
  };
  return repo;
}

describe('TaskStore', () => {
  afterEach(() => jest.useRealTimers());

  it('writes status changes at once and throttles progress writes per task', async () => {
    jest.useFakeTimers();
    const repo = fakeRepo();
    const store = new TaskStore(repo as unknown as TasksRepository);
    const task = newTask({ kind: 'endpoint_download', model: 'm' });
    await store.create([task]);
    expect(repo.saved).toHaveLength(1);

    store.progress(task.id, { progress: 0.01 }); // pending → in_progress: written at once
    await Promise.resolve();
    await Promise.resolve();
    expect(repo.saved.at(-1)).toMatchObject({ status: 'in_progress', progress: 0.01 });
    const afterStart = repo.saved.length;

    for (let i = 2; i <= 50; i++) store.progress(task.id, { progress: i / 100 });
    await Promise.resolve();
    expect(repo.saved.length).toBe(afterStart); // 49 samples, nothing written yet
    expect((await store.get(task.id))!.progress).toBe(0.5); // but reads see the live value

    await jest.advanceTimersByTimeAsync(PROGRESS_WRITE_INTERVAL_MS);
    expect(repo.saved.length).toBe(afterStart + 1);
    expect(repo.saved.at(-1)!.progress).toBe(0.5);

    await store.transition(task.id, 'completed');
    expect(repo.saved.at(-1)).toMatchObject({ status: 'completed', progress: 1 });
    expect(store.active()).toEqual([]);
    // finished tasks ignore late progress
    expect(store.progress(task.id, { progress: 0.7 })).toBeNull();
  });

  it('flushes a pending throttled write on shutdown', async () => {
    const repo = fakeRepo();
    const store = new TaskStore(repo as unknown as TasksRepository);
    const task = newTask({ kind: 'node_pull', model: 'm', nodeId: 'n' });
    await store.create([task]);
    store.progress(task.id, { progress: 0.1 });
    store.progress(task.id, { progress: 0.2 });
    await store.onModuleDestroy();
    expect(repo.saved.at(-1)!.progress).toBe(0.2);
  });
});
