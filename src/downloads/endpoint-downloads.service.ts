import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { AppError } from '../common/app-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { AdapterContext } from '../endpoints/adapters/endpoint-adapter';
import { startOllamaPull } from '../endpoints/adapters/ollama-pull';
import { pollXllmDownload, startXllmDownload } from '../endpoints/adapters/xllm-download';
import { BackendHttpClient } from '../endpoints/backend-http.client';
import { EndpointModelSyncService } from '../endpoints/endpoint-model-sync.service';
import { EndpointConnection, EndpointsService } from '../endpoints/endpoints.service';
import { EndpointDownloadDto, EndpointDownloadProgressDto } from './dto/downloads.dto';
import { TaskDto } from '../tasks/dto/task.dto';
import { newTask } from '../tasks/new-task';
import { TaskStore } from '../tasks/task-store.service';
import { isFinished, TaskEntity } from '../tasks/task.entity';

const SUPPORTED = new Set(['xllm', 'ollama']);
const REQUEST_TIMEOUT_MS = 10_000;
/** An Ollama pull that sends nothing for this long is failed. */
const OLLAMA_IDLE_MS = 120_000;
/** Consecutive failed xLLM polls (or endpoint lookups) before the task fails. */
const MAX_POLL_MISSES = 10;

/**
 * Downloads through an endpoint's own API: xLLM (start, then poll its task) and Ollama
 * (`/api/pull` NDJSON stream). The task mirrors the backend's progress; completion re-syncs
 * the endpoint's models. After a restart, xLLM tasks resume polling and Ollama pulls are
 * restarted (Ollama resumes partial layers itself).
 */
@Injectable()
export class EndpointDownloadsService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(EndpointDownloadsService.name);
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly streams = new Map<string, AbortController>();
  private stopped = false;

  constructor(
    private readonly store: TaskStore,
    private readonly endpoints: EndpointsService,
    private readonly modelSync: EndpointModelSyncService,
    private readonly http: BackendHttpClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    for (const t of this.store.active().filter((x) => x.kind === 'endpoint_download')) {
      this.logger.log(`Resuming endpoint download task ${t.id} (${t.model})`);
      this.schedule(t.id, 0, () => this.resume(t.id));
    }
  }

  onModuleDestroy(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    for (const c of this.streams.values()) c.abort();
    this.streams.clear();
  }

  async start(endpointId: string, dto: EndpointDownloadDto): Promise<TaskDto> {
    const ep = await this.endpoints.findConnection(endpointId);
    if (!ep) throw new AppError('endpoint_not_found');
    if (!SUPPORTED.has(ep.endpointType)) {
      throw new AppError(
        'unsupported_for_type',
        `Downloads are supported for xllm and ollama endpoints, not ${ep.endpointType}`,
      );
    }
    const task = newTask({
      kind: 'endpoint_download',
      model: dto.model,
      filename: dto.filename ?? null,
      endpointId,
    });
    await this.store.create([task]);
    this.schedule(task.id, 0, () =>
      ep.endpointType === 'xllm' ? this.startXllm(task.id, ep) : this.runOllama(task.id, ep),
    );
    return TaskDto.from(task);
  }

  async progress(endpointId: string): Promise<EndpointDownloadProgressDto> {
    if (!(await this.endpoints.findConnection(endpointId)))
      throw new AppError('endpoint_not_found');
    const tasks = await this.store.list({ endpointId, limit: 100 });
    return {
      endpoint_id: endpointId,
      tasks: tasks.map((t) => ({
        task_id: t.id,
        model: t.model,
        filename: t.filename,
        progress: Math.round(t.progress * 1000) / 10,
        speed_mbps: t.speedBps != null ? Math.round(((t.speedBps * 8) / 1e6) * 100) / 100 : null,
        eta_seconds: t.etaSeconds,
        status: t.status,
        error: t.error,
        created_at: t.createdAt.toISOString(),
        completed_at: t.completedAt ? t.completedAt.toISOString() : null,
      })),
    };
  }

  /** Stops tracking a task (it was cancelled). */
  stop(taskId: string): void {
    const timer = this.timers.get(taskId);
    if (timer) clearTimeout(timer);
    this.timers.delete(taskId);
    this.streams.get(taskId)?.abort();
    this.streams.delete(taskId);
  }

  // --- scheduling

  private schedule(taskId: string, delayMs: number, fn: () => Promise<void>): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(taskId);
      fn().catch((e: unknown) => this.fail(taskId, `Internal error: ${(e as Error).message}`));
    }, delayMs);
    this.timers.set(taskId, timer);
  }

  private async live(taskId: string): Promise<TaskEntity | null> {
    const t = await this.store.get(taskId);
    return t && !isFinished(t.status) && !this.stopped ? t : null;
  }

  /**
   * Finds the endpoint of a resumed task; the endpoint may not be found yet right after
   * boot, so this retries a few times before giving up.
   */
  private async resume(taskId: string, misses = 0): Promise<void> {
    const t = await this.live(taskId);
    if (!t || !t.endpointId) return;
    const ep = await this.endpoints.findConnection(t.endpointId);
    if (!ep) {
      if (misses + 1 >= MAX_POLL_MISSES)
        return this.fail(taskId, 'Endpoint not found after restart');
      return this.schedule(taskId, this.config.models.xllmPollIntervalMs, () =>
        this.resume(taskId, misses + 1),
      );
    }
    if (ep.endpointType === 'xllm') {
      if (t.remoteTaskId) return this.pollXllm(taskId, 0);
      return this.startXllm(taskId, ep);
    }
    if (ep.endpointType === 'ollama') return this.runOllama(taskId, ep);
    return this.fail(
      taskId,
      `Endpoint type changed to ${ep.endpointType}; downloads are not supported`,
    );
  }

  private async fail(taskId: string, error: string): Promise<void> {
    this.stop(taskId);
    await this.store.transition(taskId, 'failed', { error });
  }

  private async complete(task: TaskEntity): Promise<void> {
    this.stop(task.id);
    const done = await this.store.transition(task.id, 'completed');
    if (done && task.endpointId) {
      await this.modelSync
        .sync(task.endpointId)
        .catch((e: unknown) =>
          this.logger.warn(
            `Sync of endpoint ${task.endpointId} after download failed: ${(e as Error).message}`,
          ),
        );
    }
  }

  private ctx(ep: EndpointConnection, signal?: AbortSignal): AdapterContext {
    return {
      baseUrl: ep.baseUrl,
      apiKey: ep.apiKey,
      http: this.http,
      timeoutMs: REQUEST_TIMEOUT_MS,
      signal,
    };
  }

  // --- xLLM

  private async startXllm(taskId: string, ep: EndpointConnection): Promise<void> {
    const t = await this.live(taskId);
    if (!t) return;
    let started;
    try {
      started = await startXllmDownload(this.ctx(ep), t.model, t.filename);
    } catch (e) {
      return this.fail(taskId, `xLLM endpoint unreachable: ${(e as Error).message}`);
    }
    if (!started.ok) return this.fail(taskId, started.error);
    await this.store.transition(taskId, 'in_progress', { remoteTaskId: started.remoteTaskId });
    this.schedule(taskId, this.config.models.xllmPollIntervalMs, () => this.pollXllm(taskId, 0));
  }

  private async pollXllm(taskId: string, misses: number): Promise<void> {
    const t = await this.live(taskId);
    if (!t || !t.endpointId || !t.remoteTaskId) return;
    const next = (m: number) =>
      this.schedule(taskId, this.config.models.xllmPollIntervalMs, () => this.pollXllm(taskId, m));
    const ep = await this.endpoints.findConnection(t.endpointId);
    if (!ep) {
      if (misses + 1 >= MAX_POLL_MISSES) return this.fail(taskId, 'Endpoint no longer exists');
      return next(misses + 1);
    }
    let state;
    try {
      state = await pollXllmDownload(this.ctx(ep), t.remoteTaskId);
    } catch (e) {
      if (misses + 1 >= MAX_POLL_MISSES)
        return this.fail(taskId, `xLLM endpoint unreachable: ${(e as Error).message}`);
      return next(misses + 1);
    }
    switch (state.kind) {
      case 'gone':
        return this.fail(taskId, 'xLLM no longer knows this download task');
      case 'unreadable':
        if (misses + 1 >= MAX_POLL_MISSES)
          return this.fail(taskId, `xLLM status poll failed (${state.status})`);
        return next(misses + 1);
      case 'completed':
        return this.complete(t);
      case 'failed':
        return this.fail(taskId, state.error);
      case 'cancelled':
        this.stop(taskId);
        await this.store.transition(taskId, 'cancelled', {
          error: 'Cancelled on the xLLM endpoint',
        });
        return;
      case 'running':
        this.store.progress(taskId, {
          progress: (state.percent ?? t.progress * 100) / 100,
          speedBps: state.speedBps,
          etaSeconds: state.etaSeconds,
          downloadedBytes: state.downloadedBytes,
          totalBytes: state.totalBytes,
        });
        return next(0);
    }
  }

  // --- Ollama

  private async runOllama(taskId: string, ep: EndpointConnection): Promise<void> {
    const t = await this.live(taskId);
    if (!t) return;
    const ctrl = new AbortController();
    this.streams.set(taskId, ctrl);
    try {
      const pull = await startOllamaPull(
        { ...this.ctx(ep, ctrl.signal), timeoutMs: OLLAMA_IDLE_MS },
        t.model,
        OLLAMA_IDLE_MS,
      );
      if ('refused' in pull) return await this.fail(taskId, pull.refused);
      if (t.status === 'pending') await this.store.transition(taskId, 'in_progress');
      for await (const ev of pull.events) {
        if (ev.kind === 'error') return await this.fail(taskId, `Ollama: ${ev.message}`);
        if (ev.kind === 'success') {
          const cur = await this.live(taskId);
          if (cur) {
            if (pull.totalBytes > 0) cur.totalBytes = pull.totalBytes;
            await this.complete(cur);
          }
          return;
        }
        if (ev.kind === 'progress') {
          this.store.progress(taskId, {
            progress: ev.progress,
            downloadedBytes: ev.completed,
            totalBytes: ev.total,
          });
        }
      }
      await this.fail(taskId, 'Ollama pull stream ended before "success"');
    } catch (e) {
      if (this.stopped || !this.streams.has(taskId)) return; // cancelled or shutting down
      await this.fail(taskId, `Ollama pull failed: ${(e as Error).message}`);
    } finally {
      if (this.streams.get(taskId) === ctrl) this.streams.delete(taskId);
    }
  }
}
