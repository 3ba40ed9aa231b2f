import { randomUUID } from 'node:crypto';
import type { BlockList } from 'node:net';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { ERROR_CODES } from '../common/error-codes';
import { logText } from '../common/log-text';
import { randomBase62, sha256Hex } from '../common/tokens';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { RegisterNodeDto, RegisterNodeResponseDto } from './dto/register-node.dto';
import { totalGpuCount } from './gpu-rules';
import { allowedNetworks, canonicalIp, refusedAddress, sameAddress } from './node-address';
import { NodeEvents } from './node-events';
import { addressKey, NodeRegistry } from './node-registry';
import { NodeRoutingFeed } from './node-routing.feed';
import { nodeBaseUrl, NodeRuntimeClient } from './node-runtime.client';
import type { NodeStatus } from './node-state';
import { NodeEntity } from './node.entity';
import { NodesRepository } from './nodes.repository';
import type { RegistrationCaller } from './registration-caller';

/**
 * `POST /v0/nodes` (spec §4.1): the address policy, the binding of anonymous callers to their
 * own address, the reachability check, and who may register over an existing node.
 */
@Injectable()
export class NodeRegistration {
  private readonly logger = new Logger('NodeRegistration');
  private readonly allowed: BlockList;
  /** New pending nodes being written (different addresses do not share a lock). */
  private inserting = 0;

  constructor(
    private readonly registry: NodeRegistry,
    private readonly repo: NodesRepository,
    private readonly runtime: NodeRuntimeClient,
    private readonly feed: NodeRoutingFeed,
    private readonly events: NodeEvents,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.allowed = allowedNetworks(config.nodes.allowedNetworks);
  }

  async register(
    dto: RegisterNodeDto,
    caller: RegistrationCaller,
  ): Promise<RegisterNodeResponseDto> {
    // One node per address however it is written (`::1` and `0:0:0:0:0:0:0:1` are the same).
    dto.ip_address = canonicalIp(dto.ip_address);
    const refused = refusedAddress(dto.ip_address, this.allowed);
    if (refused)
      throw new AppError(
        'address_not_allowed',
        `${ERROR_CODES.address_not_allowed.message}: ${refused}`,
      );
    // Without a key a caller can only make the server call back the caller itself.
    if (!caller.mayRegisterAnyAddress && !sameAddress(dto.ip_address, caller.sourceIp))
      throw new AppError('address_mismatch');
    // Decided before the reachability check, so a refused caller makes no outbound call, and
    // again under the lock, where the answer counts.
    this.admission(dto, caller);
    const baseUrl = nodeBaseUrl(dto.ip_address, dto.runtime_port);
    if (this.config.nodes.reachabilityCheck) {
      const failure = await this.runtime.checkReachable(baseUrl);
      if (failure) {
        // The reason is for the operator only: the caller must not learn what answered.
        this.logger.warn(`registration of ${baseUrl} refused: ${logText(failure)}`);
        throw new AppError('node_unreachable');
      }
    }
    const key = addressKey(dto.ip_address, dto.runtime_port);
    return this.registry.withLock(key, () => this.upsert(dto, caller));
  }

  /**
   * Who may register at this address: a new node while fewer than LLMLB_MAX_PENDING_NODES
   * wait; over an existing node, its current token holder (keeps the approval), a nodes.manage
   * key (back to pending), or — while it is still pending — a caller from its own address.
   * Answers the status the node will have.
   */
  private admission(dto: RegisterNodeDto, caller: RegistrationCaller): NodeStatus {
    const existing = this.registry.atAddress(dto.ip_address, dto.runtime_port)?.entity;
    if (!existing) {
      this.requirePendingRoom();
      return 'pending';
    }
    if (this.registry.hasToken(existing, caller.nodeToken))
      return existing.status === 'pending' ? 'pending' : 'registering';
    if (caller.mayManageNodes) {
      if (existing.status !== 'pending') this.requirePendingRoom();
      return 'pending';
    }
    if (existing.status === 'pending' && sameAddress(existing.ipAddress, caller.sourceIp))
      return 'pending';
    throw new AppError('node_exists');
  }

  private requirePendingRoom(): void {
    if (this.registry.countPending() + this.inserting >= this.config.nodes.maxPending)
      throw new AppError('too_many_pending_nodes');
  }

  private async upsert(
    dto: RegisterNodeDto,
    caller: RegistrationCaller,
  ): Promise<RegisterNodeResponseDto> {
    const status = this.admission(dto, caller);
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
      pullMode: dto.pull_mode ?? 'push',
      agentVersion: dto.agent_version ?? null,
      maxConcurrency: dto.max_concurrency ?? null,
      status,
      tokenHash,
      onlineSince: null,
    };
    const where = `${logText(dto.machine_name)} ${dto.ip_address}:${dto.runtime_port}`;
    const now = this.clock.now();
    const existing = this.registry.atAddress(dto.ip_address, dto.runtime_port);
    if (existing) {
      const n = existing.entity;
      const from = n.status;
      await this.repo.update(n.id, fields);
      this.registry.setTokenHash(n, tokenHash);
      Object.assign(n, fields);
      // A node that proved its token keeps its approval and comes back through `registering`.
      existing.silentSince = now;
      if (status === 'pending' && from !== 'pending') existing.pendingSince = now;
      this.feed.publish(n);
      if (from !== status) this.events.status(n.id, from, status);
      this.logger.log(`node ${n.id} (${where}) re-registered: ${status}`);
      return { node_id: n.id, status: 'updated', node_token: token };
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
      registeredAt: new Date(now),
      lastSeen: null,
      customName: null,
      tags: [],
      notes: null,
    } satisfies NodeEntity);
    this.inserting += 1;
    try {
      await this.repo.insert(entity);
    } finally {
      this.inserting -= 1;
    }
    this.registry.add({ entity, silentSince: now, dirty: false, pendingSince: now });
    this.feed.publish(entity);
    this.events.status(entity.id, null, 'pending');
    this.logger.log(`node ${entity.id} (${where}) registered, pending approval`);
    return { node_id: entity.id, status: 'registered', node_token: token };
  }
}
