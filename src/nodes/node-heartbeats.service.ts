import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { logText } from '../common/log-text';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { HeartbeatDto, HeartbeatResponseDto } from './dto/heartbeat.dto';
import { NodeEvents } from './node-events';
import type { PullOrder, PullOrderSource } from './node-info';
import type { NodeEntity } from './node.entity';
import { heartbeatColumns, NodeRegistry } from './node-registry';
import { NodeRoutingFeed } from './node-routing.feed';
import { isTimedOut, statusOnHeartbeat } from './node-state';
import { NodesRepository } from './nodes.repository';

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * Heartbeats (spec §4.2) and the offline monitor. A heartbeat changes memory only; status
 * transitions are written at once, the figures in batches by `flushHeartbeats`.
 */
@Injectable()
export class NodeHeartbeats {
  private readonly logger = new Logger('NodeHeartbeats');
  private pullOrderSource: PullOrderSource | null = null;
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly registry: NodeRegistry,
    private readonly repo: NodesRepository,
    private readonly feed: NodeRoutingFeed,
    private readonly events: NodeEvents,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async heartbeat(nodeId: string, dto: HeartbeatDto): Promise<HeartbeatResponseDto> {
    const live = this.registry.get(nodeId);
    if (!live) throw new AppError('node_token_invalid');
    if (dto.node_id !== undefined && dto.node_id.toLowerCase() !== nodeId)
      throw new AppError('node_token_mismatch');
    const n = live.entity;
    const now = new Date(this.clock.now());
    const from = n.status;
    const modelsBefore = n.loadedModels;
    const embeddingsBefore = n.loadedEmbeddingModels;

    n.lastSeen = now;
    n.cpuUsage = dto.cpu_usage;
    n.memoryUsage = dto.memory_usage;
    n.gpuUsage = dto.gpu_usage ?? null;
    n.activeRequests = dto.active_requests ?? null;
    n.extraMetrics = {
      gpu_memory_usage: dto.gpu_memory_usage,
      gpu_memory_used_bytes: dto.gpu_memory_used_bytes,
      gpu_memory_total_bytes: dto.gpu_memory_total_bytes,
      gpu_temperature: dto.gpu_temperature,
      average_response_time_ms: dto.average_response_time_ms,
    };
    if (dto.loaded_models) n.loadedModels = dto.loaded_models;
    if (dto.loaded_embedding_models) n.loadedEmbeddingModels = dto.loaded_embedding_models;
    n.readyModels = dto.ready_models ? [dto.ready_models[0], dto.ready_models[1]] : null;
    n.initializing = dto.initializing ?? false;
    live.silentSince = now.getTime();
    // rare: written at once rather than with the batched heartbeat figures
    const slotsChanged =
      dto.max_concurrency !== undefined && dto.max_concurrency !== n.maxConcurrency;
    if (slotsChanged) {
      n.maxConcurrency = dto.max_concurrency ?? null;
      await this.repo.update(n.id, { maxConcurrency: n.maxConcurrency });
    }

    const to = statusOnHeartbeat(from, {
      readyModels: n.readyModels,
      initializing: n.initializing,
    });
    if (to !== from) {
      n.status = to;
      n.onlineSince = to === 'online' ? now : null;
      live.dirty = false;
      await this.repo.update(n.id, {
        ...heartbeatColumns(n),
        status: to,
        onlineSince: n.onlineSince,
      });
    } else {
      live.dirty = true;
    }
    if (
      to !== from ||
      slotsChanged ||
      !sameList(modelsBefore, n.loadedModels) ||
      !sameList(embeddingsBefore, n.loadedEmbeddingModels)
    ) {
      this.feed.publish(n);
    }
    if (to !== from) this.events.status(n.id, from, to);
    if (this.events.hasHeartbeatListeners) {
      this.events.heartbeat({
        nodeId: n.id,
        status: n.status,
        loadedModels: n.loadedModels,
        loadedEmbeddingModels: n.loadedEmbeddingModels,
        tasks: dto.tasks ?? [],
        at: now,
      });
    }
    return { status: n.status, tasks: this.pullOrdersFor(n) };
  }

  /**
   * Set by the downloads module: the pulls waiting for a node. Poll-mode nodes (the agent)
   * get them in heartbeat answers; push-mode nodes have them POSTed instead.
   */
  setPullOrderSource(source: PullOrderSource): void {
    this.pullOrderSource = source;
  }

  private pullOrdersFor(n: NodeEntity): PullOrder[] {
    if (n.pullMode !== 'poll' || !this.pullOrderSource) return [];
    try {
      return this.pullOrderSource(n.id);
    } catch (e) {
      this.logger.error(`listing pulls of node ${n.id} failed: ${(e as Error).message}`);
      return [];
    }
  }

  /** Adds a model the node now serves (a download finished); false for an unknown node. */
  addLoadedModel(nodeId: string, modelName: string): boolean {
    const live = this.registry.get(nodeId);
    if (!live) return false;
    if (!live.entity.loadedModels.includes(modelName)) {
      live.entity.loadedModels = [...live.entity.loadedModels, modelName];
      live.dirty = true;
      this.feed.publish(live.entity);
    }
    return true;
  }

  /** Writes the heartbeat figures of nodes changed since the last flush (one transaction). */
  flushHeartbeats(): Promise<void> {
    if (this.flushing) return this.flushing;
    const dirty = this.registry.all().filter((l) => l.dirty);
    if (dirty.length === 0) return Promise.resolve();
    for (const l of dirty) l.dirty = false;
    const rows = dirty.map((l) => ({ id: l.entity.id, columns: heartbeatColumns(l.entity) }));
    this.flushing = this.repo
      .saveHeartbeats(rows)
      .catch((e: Error) => {
        this.logger.error(`writing heartbeats of ${rows.length} nodes failed: ${e.message}`);
        for (const l of dirty) if (this.registry.get(l.entity.id) === l) l.dirty = true;
      })
      .finally(() => {
        this.flushing = null;
      });
    return this.flushing;
  }

  /** Marks online/registering nodes silent for `LLMLB_NODE_TIMEOUT_SECS` offline. */
  async markSilentNodesOffline(nowMs = this.clock.now()): Promise<number> {
    let count = 0;
    for (const live of this.registry.all()) {
      const n = live.entity;
      if (!isTimedOut(n.status, live.silentSince, nowMs, this.config.nodes.timeoutSecs)) continue;
      const from = n.status;
      // Decided and applied in memory first (no await in between), so a heartbeat racing
      // with the monitor always sees a consistent state; then written.
      n.status = 'offline';
      n.onlineSince = null;
      this.feed.publish(n);
      await this.repo.update(n.id, { status: 'offline', onlineSince: null });
      this.events.status(n.id, from, 'offline');
      this.logger.warn(
        `node ${n.id} (${logText(n.machineName)}) offline: no heartbeat for ${this.config.nodes.timeoutSecs} s`,
      );
      count += 1;
    }
    return count;
  }
}
