import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { AppError } from '../common/app-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { EndpointModelSyncService } from '../endpoints/endpoint-model-sync.service';
import { EndpointConnection, EndpointsService } from '../endpoints/endpoints.service';
import { EndpointDownloadDto, EndpointDownloadProgressDto } from './dto/downloads.dto';
import { TaskDto } from '../tasks/dto/task.dto';
import { newTask } from '../tasks/new-task';
import { LineSplitter, OllamaPullTracker } from './ollama-pull.tracker';
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

  // --- xLLM

  private async startXllm(taskId: string, ep: EndpointConnection): Promise<void> {
    const t = await this.live(taskId);
    if (!t) return;
    let res: Response;
    try {
      res = await fetch(`${ep.baseUrl}/v0/models/download`, {
        method: 'POST',
        headers: headers(ep, true),
        body: JSON.stringify(
          t.filename ? { model: t.model, filename: t.filename } : { model: t.model },
        ),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (e) {
      return this.fail(taskId, `xLLM endpoint unreachable: ${(e as Error).message}`);
    }
    const body = (await res.json().catch(() => null)) as {
      task_id?: unknown;
      error?: unknown;
    } | null;
    if (!res.ok)
      return this.fail(taskId, `xLLM refused the download (${res.status}): ${errorText(body)}`);
    const remote = body?.task_id;
    if (typeof remote !== 'string' && typeof remote !== 'number') {
      return this.fail(taskId, 'xLLM answered without a task_id');
    }
    await this.store.transition(taskId, 'in_progress', { remoteTaskId: String(remote) });
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
    let res: Response;
    try {
      res = await fetch(`${ep.baseUrl}/v0/models/download/${encodeURIComponent(t.remoteTaskId)}`, {
        headers: headers(ep, false),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (e) {
      if (misses + 1 >= MAX_POLL_MISSES)
        return this.fail(taskId, `xLLM endpoint unreachable: ${(e as Error).message}`);
      return next(misses + 1);
    }
    const body = (await res.json().catch(() => null)) as XllmStatus | null;
    if (res.status === 404) return this.fail(taskId, 'xLLM no longer knows this download task');
    if (!res.ok || !body || typeof body !== 'object') {
      if (misses + 1 >= MAX_POLL_MISSES)
        return this.fail(taskId, `xLLM status poll failed (${res.status})`);
      return next(misses + 1);
    }
    const status = String(body.status ?? '').toLowerCase();
    if (['completed', 'complete', 'done', 'success', 'succeeded'].includes(status))
      return this.complete(t);
    if (['failed', 'error'].includes(status))
      return this.fail(taskId, errorText(body) || 'Download failed on the xLLM endpoint');
    if (['cancelled', 'canceled'].includes(status)) {
      this.stop(taskId);
      await this.store.transition(taskId, 'cancelled', { error: 'Cancelled on the xLLM endpoint' });
      return;
    }
    const pct =
      typeof body.progress === 'number'
        ? Math.min(100, Math.max(0, body.progress))
        : t.progress * 100;
    this.store.progress(taskId, {
      progress: pct / 100,
      speedBps: typeof body.speed_mbps === 'number' ? (body.speed_mbps * 1e6) / 8 : null,
      etaSeconds: typeof body.eta_seconds === 'number' ? body.eta_seconds : null,
      downloadedBytes: typeof body.downloaded_bytes === 'number' ? body.downloaded_bytes : null,
      totalBytes: typeof body.total_bytes === 'number' ? body.total_bytes : null,
    });
    next(0);
  }

  // --- Ollama

  private async runOllama(taskId: string, ep: EndpointConnection): Promise<void> {
    const t = await this.live(taskId);
    if (!t) return;
    const ctrl = new AbortController();
    this.streams.set(taskId, ctrl);
    let idle: NodeJS.Timeout | undefined;
    const touch = () => {
      if (idle) clearTimeout(idle);
      idle = setTimeout(
        () => ctrl.abort(new Error(`no data for ${OLLAMA_IDLE_MS / 1000} s`)),
        OLLAMA_IDLE_MS,
      );
    };
    const tracker = new OllamaPullTracker();
    try {
      touch();
      const res = await fetch(`${ep.baseUrl}/api/pull`, {
        method: 'POST',
        headers: headers(ep, true),
        // `name` is what Ollama before 0.1.4x reads; newer versions read `model`
        body: JSON.stringify({ model: t.model, name: t.model, stream: true }),
        signal: ctrl.signal,
      });
      if (!res.ok || !res.body) {
        const body = await res.json().catch(() => null);
        return await this.fail(
          taskId,
          `Ollama refused the pull (${res.status}): ${errorText(body)}`,
        );
      }
      if (t.status === 'pending') await this.store.transition(taskId, 'in_progress');
      const lines = new LineSplitter();
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        const batch = done ? lines.end() : lines.push(value);
        if (!done) touch();
        for (const raw of batch) {
          let parsed: unknown;
          try {
            parsed = JSON.parse(raw);
          } catch {
            continue;
          }
          const ev = tracker.feed(parsed);
          if (ev.kind === 'error') {
            await reader.cancel().catch(() => undefined);
            return await this.fail(taskId, `Ollama: ${ev.message}`);
          }
          if (ev.kind === 'success') {
            await reader.cancel().catch(() => undefined);
            const cur = await this.live(taskId);
            if (cur) {
              if (tracker.totalBytes > 0) cur.totalBytes = tracker.totalBytes;
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
        if (done) break;
      }
      await this.fail(taskId, 'Ollama pull stream ended before "success"');
    } catch (e) {
      if (this.stopped || !this.streams.has(taskId)) return; // cancelled or shutting down
      const reason =
        ctrl.signal.aborted && ctrl.signal.reason instanceof Error
          ? ctrl.signal.reason
          : (e as Error);
      await this.fail(taskId, `Ollama pull failed: ${reason.message}`);
    } finally {
      if (idle) clearTimeout(idle);
      if (this.streams.get(taskId) === ctrl) this.streams.delete(taskId);
    }
  }
}

interface XllmStatus {
  status?: unknown;
  progress?: unknown;
  speed_mbps?: unknown;
  eta_seconds?: unknown;
  downloaded_bytes?: unknown;
  total_bytes?: unknown;
  error?: unknown;
}

function headers(ep: EndpointConnection, json: boolean): Record<string, string> {
  const h: Record<string, string> = { accept: 'application/json' };
  if (json) h['content-type'] = 'application/json';
  if (ep.apiKey) h.authorization = `Bearer ${ep.apiKey}`;
  return h;
}

function errorText(body: unknown): string {
  if (!body || typeof body !== 'object') return 'no details';
  const e = (body as { error?: unknown }).error;
  if (typeof e === 'string') return e;
  if (e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string') {
    return (e as { message: string }).message;
  }
  return 'no details';
}
