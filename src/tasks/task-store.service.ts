import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ProgressEstimator, ProgressSample } from './progress-estimator';
import { isFinished, TaskEntity, TaskStatus } from './task.entity';
import { TaskFilter, TasksRepository } from './tasks.repository';

/** Progress is written at most this often per task; status changes are written at once. */
export const PROGRESS_WRITE_INTERVAL_MS = 500;

interface Live {
  task: TaskEntity;
  estimator: ProgressEstimator;
  lastWriteAt: number;
  timer: NodeJS.Timeout | null;
  chain: Promise<void>;
}

/**
 * Tasks with their live state. Active tasks are held in memory (the source of truth while they
 * run) and written through to the database: status changes at once, progress throttled to
 * one write per PROGRESS_WRITE_INTERVAL_MS per task, so a chatty NDJSON stream or a node
 * reporting every 100 ms does not turn into one write per line.
 */
@Injectable()
export class TaskStore implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(TaskStore.name);
  private readonly live = new Map<string, Live>();
  /** Number of database writes made (observability and tests). */
  writes = 0;

  constructor(private readonly repo: TasksRepository) {}

  async onModuleInit(): Promise<void> {
    for (const t of await this.repo.findActive()) this.track(t);
  }

  async onModuleDestroy(): Promise<void> {
    await this.flushAll();
  }

  /** Tasks that were active at boot or created since, not yet finished. */
  active(): TaskEntity[] {
    return [...this.live.values()].map((l) => l.task);
  }

  async create(tasks: TaskEntity[]): Promise<void> {
    const now = new Date();
    for (const t of tasks) {
      t.createdAt ??= now;
      t.updatedAt = now;
    }
    await this.repo.saveAll(tasks);
    this.writes++;
    for (const t of tasks) this.track(t);
  }

  async get(id: string): Promise<TaskEntity | null> {
    return this.live.get(id)?.task ?? (await this.repo.findById(id));
  }

  count(filter: TaskFilter): Promise<number> {
    return this.repo.count(filter);
  }

  async list(filter: TaskFilter): Promise<TaskEntity[]> {
    const rows = await this.repo.find(filter);
    return rows.map((r) => this.live.get(r.id)?.task ?? r);
  }

  /**
   * Applies a progress sample (speed and ETA estimated when not reported) and writes it
   * through, throttled. Ignored for finished tasks.
   */
  progress(id: string, sample: ProgressSample, extra: Partial<TaskEntity> = {}): TaskEntity | null {
    const l = this.live.get(id);
    if (!l || isFinished(l.task.status)) return null;
    const t = l.task;
    const now = Date.now();
    const est = l.estimator.update(sample, now);
    const statusChanged = t.status !== 'in_progress';
    Object.assign(t, extra, {
      status: 'in_progress' as TaskStatus,
      progress: clamp01(sample.progress),
      downloadedBytes: sample.downloadedBytes ?? t.downloadedBytes,
      totalBytes: sample.totalBytes ?? t.totalBytes,
      speedBps: est.speedBps,
      etaSeconds: est.etaSeconds,
      updatedAt: new Date(now),
    });
    t.startedAt ??= new Date(now);
    if (statusChanged) void this.writeNow(l);
    else this.writeThrottled(l);
    return t;
  }

  /** Changes status (and any fields) and writes at once. A finished task leaves memory. */
  async transition(
    id: string,
    status: TaskStatus,
    patch: Partial<TaskEntity> = {},
  ): Promise<TaskEntity | null> {
    const l = this.live.get(id);
    if (!l || isFinished(l.task.status)) return null;
    const t = l.task;
    const now = new Date();
    Object.assign(t, patch, { status, updatedAt: now });
    if (status === 'in_progress') t.startedAt ??= now;
    if (status === 'completed') {
      t.progress = 1;
      t.etaSeconds = 0;
      if (t.totalBytes != null) t.downloadedBytes = t.totalBytes;
    }
    if (isFinished(status)) {
      t.completedAt = now;
      if (status !== 'completed') t.etaSeconds = null;
      t.speedBps = status === 'completed' ? t.speedBps : null;
    }
    await this.writeNow(l);
    if (isFinished(status)) this.live.delete(id);
    return t;
  }

  /** Waits for every pending write (shutdown, tests). */
  async flushAll(): Promise<void> {
    await Promise.all(
      [...this.live.values()].map((l) => {
        if (l.timer) {
          clearTimeout(l.timer);
          l.timer = null;
          return this.writeNow(l);
        }
        return l.chain;
      }),
    );
  }

  private track(t: TaskEntity): void {
    this.live.set(t.id, {
      task: t,
      estimator: new ProgressEstimator(),
      lastWriteAt: 0,
      timer: null,
      chain: Promise.resolve(),
    });
  }

  private writeThrottled(l: Live): void {
    if (l.timer) return;
    const wait = l.lastWriteAt + PROGRESS_WRITE_INTERVAL_MS - Date.now();
    if (wait <= 0) {
      void this.writeNow(l);
      return;
    }
    l.timer = setTimeout(() => {
      l.timer = null;
      void this.writeNow(l);
    }, wait);
    l.timer.unref();
  }

  private writeNow(l: Live): Promise<void> {
    if (l.timer) {
      clearTimeout(l.timer);
      l.timer = null;
    }
    l.lastWriteAt = Date.now();
    const snapshot = { ...l.task } as TaskEntity;
    l.chain = l.chain
      .then(() => this.repo.save(snapshot))
      .then(() => {
        this.writes++;
      })
      .catch((e: unknown) =>
        this.logger.error(`Could not save task ${l.task.id}: ${(e as Error).message}`),
      );
    return l.chain;
  }
}

function clamp01(n: number): number {
  return Math.min(1, Math.max(0, n));
}
