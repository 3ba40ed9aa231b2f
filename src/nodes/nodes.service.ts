import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { NodeTokenRegistry } from '../auth/node-token.registry';
import { AppError } from '../common/app-error';
import { randomBase62, sha256Hex } from '../common/tokens';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { BackendInfo } from '../routing/backend';
import { RoutingTable } from '../routing/routing-table.service';
import type { HeartbeatDto, HeartbeatResponseDto } from './dto/heartbeat.dto';
import { NodeDto, NodeListDto } from './dto/node.dto';
import type { NodeSettingsDto } from './dto/node-settings.dto';
import type { RegisterNodeDto, RegisterNodeResponseDto } from './dto/register-node.dto';
import { totalGpuCount } from './gpu-rules';
import type { NodeHeartbeatListener, NodeInfo, NodeStatusListener } from './node-info';
import { canonicalIp, nodeBaseUrl, NodeRuntimeClient } from './node-runtime.client';
import { isTimedOut, statusOnApprove, statusOnHeartbeat, type NodeStatus } from './node-state';
import { NodeEntity } from './node.entity';
import { NodesMaintenance } from './nodes-maintenance.service';
import { NodesRepository, type NodeHeartbeatColumns } from './nodes.repository';

export const NODE_INFERENCE_TIMEOUT_MS = 120_000;
export const NODE_PRIORITY = 50;

interface LiveNode {
  entity: NodeEntity;
  /** Start of the current silence (last heartbeat, approval or boot), for the offline monitor. */
  silentSince: number;
  /** Heartbeat columns changed since the last flush. */
  dirty: boolean;
}

const addressKey = (ip: string, port: number) => `${ip.toLowerCase()}|${port}`;

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The node registry. Live node state is kept in memory (the database is its durable copy):
 * token checks and heartbeats never read the database; status transitions are written at
 * once, heartbeat figures are flushed in batches by the scheduler.
 */
@Injectable()
export class NodesService implements OnModuleInit {
  private readonly logger = new Logger(NodesService.name);
  private readonly byId = new Map<string, LiveNode>();
  private readonly byAddress = new Map<string, string>();
  private readonly byTokenHash = new Map<string, string>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly statusListeners: NodeStatusListener[] = [];
  private readonly heartbeatListeners: NodeHeartbeatListener[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly nodes: NodesRepository,
    private readonly maintenance: NodesMaintenance,
    private readonly runtime: NodeRuntimeClient,
    private readonly routing: RoutingTable,
    private readonly tokens: NodeTokenRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Startup cleanup and legacy import first, then the stored nodes are loaded (before serving). */
  async onModuleInit(): Promise<void> {
    await this.maintenance.runStartup();
    const now = Date.now();
    for (const entity of await this.nodes.findAll()) {
      // After a restart every node gets a full timeout to check in again.
      this.index({
        entity,
        silentSince: Math.max(entity.lastSeen?.getTime() ?? 0, now),
        dirty: false,
      });
      this.publish(entity);
    }
    this.tokens.setVerifier((token) => {
      const nodeId = this.byTokenHash.get(sha256Hex(token));
      return nodeId ? { nodeId } : null;
    });
  }

  // --- events for other modules

  /** Called with (nodeId, from, to) on every status change, registration and deletion. */
  onStatusChange(listener: NodeStatusListener): void {
    this.statusListeners.push(listener);
  }

  /** Called after every accepted heartbeat, with the download tasks the node reported. */
  onHeartbeat(listener: NodeHeartbeatListener): void {
    this.heartbeatListeners.push(listener);
  }

  // --- registration

  async register(dto: RegisterNodeDto): Promise<RegisterNodeResponseDto> {
    // One node per address however it is written (`::1` and `0:0:0:0:0:0:0:1` are the same).
    dto.ip_address = canonicalIp(dto.ip_address);
    const baseUrl = nodeBaseUrl(dto.ip_address, dto.runtime_port);
    if (this.config.nodes.reachabilityCheck) {
      const failure = await this.runtime.checkReachable(baseUrl);
      if (failure)
        throw new AppError(
          'node_unreachable',
          `Node runtime at ${baseUrl} is not reachable: ${failure}`,
        );
    }
    const key = addressKey(dto.ip_address, dto.runtime_port);
    return this.withLock(key, () => this.upsert(dto, key));
  }

  private async upsert(dto: RegisterNodeDto, key: string): Promise<RegisterNodeResponseDto> {
    const token = `nt_${randomBase62(40)}`;
    const tokenHash = sha256Hex(token);
    const fields = {
      machineName: dto.machine_name,
      runtimeVersion: dto.runtime_version,
      gpuAvailable: true,
      gpuDevices: dto.gpu_devices.map((d) =>
        d.memory_bytes === undefined
          ? { model: d.model, count: d.count }
          : { model: d.model, count: d.count, memory_bytes: d.memory_bytes },
      ),
      gpuCount: dto.gpu_count ?? totalGpuCount(dto.gpu_devices),
      gpuModel: dto.gpu_model ?? dto.gpu_devices[0].model,
      supportedRuntimes: dto.supported_runtimes ?? [],
      maxConcurrency: dto.max_concurrency ?? null,
      status: 'pending' as NodeStatus,
      tokenHash,
      onlineSince: null,
    };
    const existingId = this.byAddress.get(key);
    const existing = existingId ? this.byId.get(existingId) : undefined;
    if (existing) {
      const from = existing.entity.status;
      await this.nodes.update(existing.entity.id, fields);
      if (existing.entity.tokenHash) this.byTokenHash.delete(existing.entity.tokenHash);
      Object.assign(existing.entity, fields);
      this.byTokenHash.set(tokenHash, existing.entity.id);
      this.publish(existing.entity);
      if (from !== 'pending') this.emitStatus(existing.entity.id, from, 'pending');
      this.logger.log(
        `node ${existing.entity.id} (${dto.machine_name} ${dto.ip_address}:${dto.runtime_port}) re-registered`,
      );
      return { node_id: existing.entity.id, status: 'updated', node_token: token };
    }
    const entity = Object.assign(new NodeEntity(), {
      id: randomUUID(),
      ipAddress: dto.ip_address,
      runtimePort: dto.runtime_port,
      ...fields,
      loadedModels: [],
      loadedEmbeddingModels: [],
      readyModels: null,
      initializing: false,
      cpuUsage: null,
      memoryUsage: null,
      gpuUsage: null,
      activeRequests: null,
      extraMetrics: null,
      registeredAt: new Date(),
      lastSeen: null,
      customName: null,
      tags: [],
      notes: null,
    } satisfies NodeEntity);
    await this.nodes.insert(entity);
    this.index({ entity, silentSince: Date.now(), dirty: false });
    this.publish(entity);
    this.emitStatus(entity.id, null, 'pending');
    this.logger.log(
      `node ${entity.id} (${dto.machine_name} ${dto.ip_address}:${dto.runtime_port}) registered, pending approval`,
    );
    return { node_id: entity.id, status: 'registered', node_token: token };
  }

  // --- heartbeats

  async heartbeat(nodeId: string, dto: HeartbeatDto): Promise<HeartbeatResponseDto> {
    const live = this.byId.get(nodeId);
    if (!live) throw new AppError('node_token_invalid');
    if (dto.node_id !== undefined && dto.node_id.toLowerCase() !== nodeId)
      throw new AppError('node_token_mismatch');
    const n = live.entity;
    const now = new Date();
    const from = n.status;
    const modelsBefore = n.loadedModels;
    const slotsBefore = n.maxConcurrency;
    const embeddingsBefore = n.loadedEmbeddingModels;

    n.lastSeen = now;
    n.cpuUsage = dto.cpu_usage;
    n.memoryUsage = dto.memory_usage;
    n.gpuUsage = dto.gpu_usage ?? null;
    n.activeRequests = dto.active_requests ?? null;
    if (dto.max_concurrency !== undefined) n.maxConcurrency = dto.max_concurrency;
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

    const to = statusOnHeartbeat(from, {
      readyModels: n.readyModels,
      initializing: n.initializing,
    });
    if (to !== from) {
      n.status = to;
      n.onlineSince = to === 'online' ? now : null;
      live.dirty = false;
      await this.nodes.update(n.id, {
        ...this.heartbeatColumns(n),
        status: to,
        onlineSince: n.onlineSince,
      });
    } else {
      live.dirty = true;
    }
    if (
      to !== from ||
      slotsBefore !== n.maxConcurrency ||
      !sameList(modelsBefore, n.loadedModels) ||
      !sameList(embeddingsBefore, n.loadedEmbeddingModels)
    ) {
      this.publish(n);
    }
    if (to !== from) this.emitStatus(n.id, from, to);
    if (this.heartbeatListeners.length) {
      const event = {
        nodeId: n.id,
        status: n.status,
        loadedModels: n.loadedModels,
        loadedEmbeddingModels: n.loadedEmbeddingModels,
        tasks: dto.tasks ?? [],
        at: now,
      };
      for (const l of this.heartbeatListeners) {
        try {
          l(event);
        } catch (e) {
          this.logger.error(`heartbeat listener failed: ${(e as Error).message}`);
        }
      }
    }
    return { status: n.status };
  }

  /** Writes the heartbeat figures of nodes changed since the last flush (one transaction). */
  flushHeartbeats(): Promise<void> {
    if (this.flushing) return this.flushing;
    const dirty = [...this.byId.values()].filter((l) => l.dirty);
    if (dirty.length === 0) return Promise.resolve();
    for (const l of dirty) l.dirty = false;
    const rows = dirty.map((l) => ({ id: l.entity.id, columns: this.heartbeatColumns(l.entity) }));
    this.flushing = this.nodes
      .saveHeartbeats(rows)
      .catch((e: Error) => {
        this.logger.error(`writing heartbeats of ${rows.length} nodes failed: ${e.message}`);
        for (const l of dirty) if (this.byId.get(l.entity.id) === l) l.dirty = true;
      })
      .finally(() => {
        this.flushing = null;
      });
    return this.flushing;
  }

  /** Marks online/registering nodes silent for `LLMLB_NODE_TIMEOUT_SECS` offline. */
  async markSilentNodesOffline(nowMs = Date.now()): Promise<number> {
    let count = 0;
    for (const live of [...this.byId.values()]) {
      const n = live.entity;
      if (!isTimedOut(n.status, live.silentSince, nowMs, this.config.nodes.timeoutSecs)) continue;
      const from = n.status;
      // Decided and applied in memory first (no await in between), so a heartbeat racing
      // with the monitor always sees a consistent state; then written.
      n.status = 'offline';
      n.onlineSince = null;
      this.publish(n);
      await this.nodes.update(n.id, { status: 'offline', onlineSince: null });
      this.emitStatus(n.id, from, 'offline');
      this.logger.warn(
        `node ${n.id} (${n.machineName}) offline: no heartbeat for ${this.config.nodes.timeoutSecs} s`,
      );
      count += 1;
    }
    return count;
  }

  // --- admin

  list(status?: NodeStatus): NodeListDto {
    const nodes = [...this.byId.values()]
      .map((l) => l.entity)
      .filter((n) => !status || n.status === status)
      .sort(
        (a, b) => a.registeredAt.getTime() - b.registeredAt.getTime() || a.id.localeCompare(b.id),
      )
      .map(NodeDto.from);
    return { nodes, total: nodes.length };
  }

  get(id: string): NodeDto {
    return NodeDto.from(this.require(id).entity);
  }

  async approve(id: string): Promise<NodeDto> {
    const live = this.require(id);
    const n = live.entity;
    if (n.status !== 'pending')
      throw new AppError('node_not_pending', `Node is ${n.status}, not pending approval`);
    const to = statusOnApprove(n.readyModels);
    const onlineSince = to === 'online' ? new Date() : null;
    await this.nodes.update(id, { status: to, onlineSince });
    n.status = to;
    n.onlineSince = onlineSince;
    live.silentSince = Date.now();
    this.publish(n);
    this.emitStatus(id, 'pending', to);
    this.logger.log(`node ${id} (${n.machineName}) approved: ${to}`);
    return NodeDto.from(n);
  }

  async remove(id: string): Promise<void> {
    const live = this.require(id);
    const n = live.entity;
    await this.nodes.delete(id);
    this.byId.delete(id);
    this.byAddress.delete(addressKey(n.ipAddress, n.runtimePort));
    if (n.tokenHash) this.byTokenHash.delete(n.tokenHash);
    this.routing.remove(id);
    this.emitStatus(id, n.status, 'deleted');
    this.logger.log(`node ${id} (${n.machineName}) deleted; its token is revoked`);
  }

  async updateSettings(id: string, dto: NodeSettingsDto): Promise<NodeDto> {
    const n = this.require(id).entity;
    const changes: Partial<NodeEntity> = {};
    if (dto.custom_name !== undefined) changes.customName = dto.custom_name;
    if (dto.tags !== undefined) changes.tags = dto.tags ?? [];
    if (dto.notes !== undefined) changes.notes = dto.notes;
    if (Object.keys(changes).length) {
      await this.nodes.update(id, changes);
      Object.assign(n, changes);
      this.publish(n);
    }
    return NodeDto.from(n);
  }

  // --- directory for other modules

  getNode(id: string): NodeInfo | null {
    const live = this.byId.get(id);
    return live ? this.info(live.entity) : null;
  }

  listOnline(): NodeInfo[] {
    return [...this.byId.values()]
      .filter((l) => l.entity.status === 'online')
      .map((l) => this.info(l.entity));
  }

  /** Adds a model the node now serves (a download finished); false for an unknown node. */
  addLoadedModel(nodeId: string, modelName: string): boolean {
    const live = this.byId.get(nodeId);
    if (!live) return false;
    if (!live.entity.loadedModels.includes(modelName)) {
      live.entity.loadedModels = [...live.entity.loadedModels, modelName];
      live.dirty = true;
      this.publish(live.entity);
    }
    return true;
  }

  // --- internals

  private require(id: string): LiveNode {
    const live = this.byId.get(id);
    if (!live) throw new AppError('node_not_found');
    return live;
  }

  private index(live: LiveNode): void {
    const n = live.entity;
    this.byId.set(n.id, live);
    this.byAddress.set(addressKey(n.ipAddress, n.runtimePort), n.id);
    if (n.tokenHash) this.byTokenHash.set(n.tokenHash, n.id);
  }

  private heartbeatColumns(n: NodeEntity): NodeHeartbeatColumns {
    return {
      lastSeen: n.lastSeen,
      loadedModels: n.loadedModels,
      loadedEmbeddingModels: n.loadedEmbeddingModels,
      readyModels: n.readyModels,
      initializing: n.initializing,
      cpuUsage: n.cpuUsage,
      memoryUsage: n.memoryUsage,
      gpuUsage: n.gpuUsage,
      activeRequests: n.activeRequests,
      extraMetrics: n.extraMetrics,
      maxConcurrency: n.maxConcurrency,
    };
  }

  private info(n: NodeEntity): NodeInfo {
    return {
      id: n.id,
      name: n.customName || n.machineName,
      machineName: n.machineName,
      status: n.status,
      ipAddress: n.ipAddress,
      runtimePort: n.runtimePort,
      baseUrl: nodeBaseUrl(n.ipAddress, n.runtimePort),
      loadedModels: [...n.loadedModels],
      loadedEmbeddingModels: [...n.loadedEmbeddingModels],
      readyModels: n.readyModels,
      initializing: n.initializing,
      activeRequests: n.activeRequests,
      lastSeen: n.lastSeen,
    };
  }

  /** Tells the routing table about the node; only `online` nodes get traffic. */
  private publish(n: NodeEntity): void {
    const ids = [...new Set([...n.loadedModels, ...n.loadedEmbeddingModels])];
    const backend: BackendInfo = {
      id: n.id,
      kind: 'node',
      name: n.customName || n.machineName,
      baseUrl: nodeBaseUrl(n.ipAddress, n.runtimePort),
      apiKey: null,
      priority: NODE_PRIORITY,
      online: n.status === 'online',
      models: ids.map((id) => ({ id, maxTokens: null })),
      latencyMs: null,
      inferenceTimeoutMs: NODE_INFERENCE_TIMEOUT_MS,
      backendType: 'xllm',
      maxConcurrency: n.maxConcurrency,
    };
    this.routing.upsert(backend);
  }

  private emitStatus(nodeId: string, from: NodeStatus | null, to: NodeStatus | 'deleted'): void {
    for (const l of this.statusListeners) {
      try {
        l(nodeId, from, to);
      } catch (e) {
        this.logger.error(`status listener failed: ${(e as Error).message}`);
      }
    }
  }

  /** Runs `fn` after any earlier call with the same key has finished. */
  private async withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    }
  }
}
