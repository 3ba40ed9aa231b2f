import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { AppError } from '../common/app-error';
import { logText } from '../common/log-text';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { BackendHttpClient, BackendUnreachableError } from '../endpoints/backend-http.client';
import { ModelsService } from '../models/models.service';
import type { NodeInfo } from '../nodes/node-info';
import { NodesService } from '../nodes/nodes.service';
import {
  HeartbeatTaskDto,
  isReportedStatus,
  TaskProgressDto,
} from '../tasks/dto/task-progress.dto';
import { NodeDownloadDto } from './dto/downloads.dto';
import { TaskDto, TaskIdsDto } from '../tasks/dto/task.dto';
import { newTask } from '../tasks/new-task';
import { TaskStore } from '../tasks/task-store.service';
import { isFinished, TaskEntity } from '../tasks/task.entity';

const PULL_TIMEOUT_MS = 10_000;
const RESUME_DELAY_MS = 1_000;

/**
 * Downloads to nodes: validates targets all-or-nothing, creates one persistent task per node,
 * tells each node to pull (`POST {node}/v0/models/pull`), and applies the progress nodes report
 * (own endpoint or heartbeat). Contract for nodes: docs/node-api.md "Model pulls".
 */
@Injectable()
export class NodePullsService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(NodePullsService.name);
  private bootSweep: NodeJS.Timeout | null = null;
  private resumeTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly store: TaskStore,
    private readonly models: ModelsService,
    private readonly nodes: NodesService,
    private readonly http: BackendHttpClient,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.nodes.onStatusChange((nodeId, from, to) => {
      if (to === 'offline') void this.failNodeTasks(nodeId, 'node_offline');
      // A deleted (rejected) node's token is revoked: its pulls can never report again.
      else if (to === 'deleted') void this.failNodeTasks(nodeId, 'node_removed');
      // A known node that registers again gets a new token and starts over as pending: the
      // pulls it was running can never report again either.
      else if (to === 'pending' && from !== null)
        void this.failNodeTasks(nodeId, 'node_reregistered');
    });
    this.nodes.setPullOrderSource((nodeId) => this.pullOrders(nodeId));
    this.nodes.onHeartbeat(({ nodeId, tasks }) => {
      for (const item of Array.isArray(tasks) ? tasks : []) {
        const dto = fromHeartbeat(item);
        if (!dto) continue;
        this.report(nodeId, item.task_id, dto).catch((e: unknown) =>
          this.logger.debug(
            `Heartbeat progress for task ${logText(item.task_id)} ignored: ${logText((e as Error).message)}`,
          ),
        );
      }
    });
  }

  /**
   * Pulls still running when the server stopped keep accepting progress. Their node may have
   * gone offline (or been removed) while the server was down, which raises no status change:
   * once a node timeout (plus a monitor interval) has passed after boot, such tasks fail.
   */
  onApplicationBootstrap(): void {
    // a moment later: the server listens only after bootstrap, and a node may fetch the manifest
    this.resumeTimer = setTimeout(() => {
      this.resumeTimer = null;
      void this.resumeUndispatched().catch((e: unknown) =>
        this.logger.error(`Resuming node pull tasks failed: ${(e as Error).message}`),
      );
    }, RESUME_DELAY_MS);
    this.resumeTimer.unref();
    const delayMs = (this.config.nodes.timeoutSecs + this.config.nodes.monitorIntervalSecs) * 1000;
    this.bootSweep = setTimeout(() => {
      this.bootSweep = null;
      void this.sweepOrphans().catch((e: unknown) =>
        this.logger.error(`Sweep of node pull tasks failed: ${(e as Error).message}`),
      );
    }, delayMs);
    this.bootSweep.unref();
  }

  onModuleDestroy(): void {
    this.stopped = true;
    if (this.bootSweep) clearTimeout(this.bootSweep);
    if (this.resumeTimer) clearTimeout(this.resumeTimer);
  }

  /**
   * Pulls still `pending` at start-up were never acknowledged by their node (the server stopped
   * between creating them and the node's answer). They are sent again when the node is online;
   * otherwise they fail with a clear reason instead of waiting forever.
   */
  async resumeUndispatched(): Promise<void> {
    const pending = this.store
      .active()
      .filter((t) => t.kind === 'node_pull' && t.status === 'pending' && t.nodeId);
    for (const t of pending) {
      const node = this.nodes.getNode(t.nodeId!);
      // a poll-mode node fetches its pending pulls itself with its next heartbeat
      if (node?.pullMode === 'poll') continue;
      if (node?.status === 'online') {
        void this.dispatch(t, node, manifestUrl(this.config.server.publicUrl, t.model));
      } else {
        await this.store.transition(t.id, 'failed', {
          error:
            'not_dispatched: the server restarted before the node accepted the pull and the node is not online; start the download again',
        });
      }
    }
  }

  /**
   * Pulls a poll-mode node has not started yet (still `pending`): listed in each heartbeat
   * answer until the node reports progress, with the same manifest URL a push would carry.
   */
  pullOrders(nodeId: string): Array<{ task_id: string; model: string; manifest_url: string }> {
    return this.store
      .active()
      .filter((t) => t.kind === 'node_pull' && t.nodeId === nodeId && t.status === 'pending')
      .map((t) => ({
        task_id: t.id,
        model: t.model,
        manifest_url: manifestUrl(this.config.server.publicUrl, t.model),
      }));
  }

  /** Fails running pulls whose node is offline (`node_offline`) or gone (`node_removed`). */
  async sweepOrphans(): Promise<void> {
    for (const t of this.store.active().filter((x) => x.kind === 'node_pull' && x.nodeId)) {
      const node = this.nodes.getNode(t.nodeId!);
      if (!node) await this.store.transition(t.id, 'failed', { error: 'node_removed' });
      else if (node.status === 'offline')
        await this.store.transition(t.id, 'failed', { error: 'node_offline' });
    }
  }

  async download(dto: NodeDownloadDto): Promise<TaskIdsDto> {
    const model = await this.models.get(dto.model);
    let targets: NodeInfo[];
    if (dto.target === 'all') {
      targets = this.nodes.listOnline();
      if (targets.length === 0) throw new AppError('node_not_online', 'No node is online');
    } else {
      if (!dto.node_ids?.length) {
        throw new AppError('validation_failed', 'node_ids is required when target is "specific"', {
          details: [{ field: 'node_ids', message: 'is required when target is "specific"' }],
          param: 'node_ids',
        });
      }
      const found = dto.node_ids.map((id) => this.nodes.getNode(id));
      const bad = dto.node_ids.filter((_, i) => found[i]?.status !== 'online');
      if (bad.length > 0) {
        throw new AppError(
          'node_not_online',
          `Unknown or not online node(s): ${bad.join(', ')}; no task was created`,
          {
            details: bad.map((id) => ({
              field: 'node_ids',
              message: `${id} is unknown or not online`,
            })),
            param: 'node_ids',
          },
        );
      }
      targets = found as NodeInfo[];
    }

    // A node already pulling this model keeps its running task instead of getting a second one.
    const running = new Map(
      this.store
        .active()
        .filter((t) => t.kind === 'node_pull' && t.model === model.name)
        .map((t) => [t.nodeId, t.id]),
    );
    const fresh: Array<{ task: TaskEntity; node: NodeInfo }> = [];
    const ids: string[] = [];
    for (const node of targets) {
      const existing = running.get(node.id);
      if (existing) {
        ids.push(existing);
        continue;
      }
      const task = newTask({ kind: 'node_pull', model: model.name, nodeId: node.id });
      fresh.push({ task, node });
      ids.push(task.id);
    }
    await this.store.create(fresh.map((f) => f.task));
    const manifest = manifestUrl(this.config.server.publicUrl, model.name);
    // poll-mode nodes get their pulls in heartbeat answers (pullOrders)
    for (const { task, node } of fresh)
      if (node.pullMode !== 'poll') void this.dispatch(task, node, manifest);
    return { task_ids: ids };
  }

  /** Progress from a node (own endpoint or heartbeat). */
  async report(nodeId: string, taskId: string, dto: TaskProgressDto): Promise<TaskDto> {
    const task = await this.store.get(taskId);
    if (!task) throw new AppError('task_not_found');
    if (task.kind !== 'node_pull' || task.nodeId !== nodeId) throw new AppError('task_not_owned');
    if (isFinished(task.status))
      throw new AppError('task_finished', `Task is already ${task.status}`);
    const sample = {
      progress: dto.progress,
      downloadedBytes: dto.downloaded_bytes ?? null,
      totalBytes: dto.total_bytes ?? null,
      speedBps: dto.speed_bps ?? null,
    };
    if (dto.status === 'failed') {
      const t = await this.store.transition(taskId, 'failed', {
        error: dto.error?.trim() || 'Pull failed on the node',
        progress: dto.progress,
      });
      return TaskDto.from(t ?? task);
    }
    if (dto.status === 'completed' || (dto.status === undefined && dto.progress >= 1)) {
      const t = await this.store.transition(taskId, 'completed', {
        downloadedBytes: sample.downloadedBytes ?? task.downloadedBytes,
        totalBytes: sample.totalBytes ?? task.totalBytes,
      });
      this.nodes.addLoadedModel(nodeId, task.model);
      return TaskDto.from(t ?? task);
    }
    const t = this.store.progress(taskId, sample);
    return TaskDto.from(t ?? task);
  }

  async failNodeTasks(nodeId: string, error: string): Promise<void> {
    const mine = this.store.active().filter((t) => t.kind === 'node_pull' && t.nodeId === nodeId);
    for (const t of mine) await this.store.transition(t.id, 'failed', { error });
    if (mine.length)
      this.logger.warn(`Node ${nodeId}: ${mine.length} pull task(s) failed (${logText(error)})`);
  }

  private async dispatch(task: TaskEntity, node: NodeInfo, manifestUrl: string): Promise<void> {
    try {
      const a = await this.http.post(`${node.baseUrl}/v0/models/pull`, {
        body: { task_id: task.id, model: task.model, manifest_url: manifestUrl },
        timeoutMs: PULL_TIMEOUT_MS,
      });
      if (a.status < 200 || a.status >= 300)
        throw new Error(`node answered ${a.status}${a.text ? `: ${a.text.slice(0, 200)}` : ''}`);
      const current = await this.store.get(task.id);
      if (current?.status === 'pending') await this.store.transition(task.id, 'in_progress');
    } catch (e) {
      // a call cut short by shutdown stays pending: it is sent again at the next start
      if (this.stopped) return;
      const why =
        e instanceof BackendUnreachableError && e.timedOut
          ? `no answer within ${PULL_TIMEOUT_MS} ms`
          : (e as Error).message;
      await this.store.transition(task.id, 'failed', { error: `node_pull_failed: ${why}` });
    }
  }
}

/**
 * Where the node fetches the manifest: under LLMLB_PUBLIC_URL when set, else a path the node
 * resolves against the server URL it registered with. Never from a request's Host header,
 * which the caller chooses (it would send the node and its token elsewhere).
 */
export function manifestUrl(publicUrl: string | null, model: string): string {
  return `${publicUrl ?? ''}/v0/models/${encodeURIComponent(model)}/manifest`;
}

function fromHeartbeat(item: HeartbeatTaskDto): TaskProgressDto | null {
  if (!item || typeof item.task_id !== 'string') return null;
  if (typeof item.progress !== 'number' || !(item.progress >= 0 && item.progress <= 1)) return null;
  const int = (v: unknown) =>
    typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : undefined;
  const status = isReportedStatus(item.status) ? item.status : undefined;
  return {
    progress: item.progress,
    downloaded_bytes: int(item.downloaded_bytes),
    total_bytes: int(item.total_bytes),
    speed_bps:
      typeof item.speed_bps === 'number' && item.speed_bps >= 0 ? item.speed_bps : undefined,
    status,
    error: typeof item.error === 'string' ? item.error.slice(0, 2000) : undefined,
  };
}
