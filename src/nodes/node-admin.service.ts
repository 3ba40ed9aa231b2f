import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { Clock } from '../common/clock';
import { logText } from '../common/log-text';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { NodeDto, NodeListDto } from './dto/node.dto';
import type { NodeSettingsDto } from './dto/node-settings.dto';
import { NodeEvents } from './node-events';
import { NodeRegistry, type LiveNode } from './node-registry';
import { NodeRoutingFeed } from './node-routing.feed';
import { statusOnApprove, type NodeStatus } from './node-state';
import type { NodeEntity } from './node.entity';
import { NodesRepository } from './nodes.repository';

/** Admin commands on nodes (spec §4.3) and the expiry of nodes never approved (§4.1). */
@Injectable()
export class NodeAdmin {
  private readonly logger = new Logger('NodeAdmin');

  constructor(
    private readonly registry: NodeRegistry,
    private readonly repo: NodesRepository,
    private readonly feed: NodeRoutingFeed,
    private readonly events: NodeEvents,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  list(status?: NodeStatus): NodeListDto {
    const nodes = this.registry
      .all()
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
    const onlineSince = to === 'online' ? new Date(this.clock.now()) : null;
    await this.repo.update(id, { status: to, onlineSince });
    n.status = to;
    n.onlineSince = onlineSince;
    live.silentSince = this.clock.now();
    this.feed.publish(n);
    this.events.status(id, 'pending', to);
    this.logger.log(`node ${id} (${logText(n.machineName)}) approved: ${to}`);
    return NodeDto.from(n);
  }

  async remove(id: string): Promise<void> {
    const n = this.require(id).entity;
    await this.drop(n);
    this.logger.log(`node ${id} (${logText(n.machineName)}) deleted; its token is revoked`);
  }

  async updateSettings(id: string, dto: NodeSettingsDto): Promise<NodeDto> {
    const n = this.require(id).entity;
    const changes: Partial<NodeEntity> = {};
    if (dto.custom_name !== undefined) changes.customName = dto.custom_name;
    if (dto.tags !== undefined) changes.tags = dto.tags ?? [];
    if (dto.notes !== undefined) changes.notes = dto.notes;
    if (Object.keys(changes).length) {
      await this.repo.update(id, changes);
      Object.assign(n, changes);
      this.feed.publish(n);
    }
    return NodeDto.from(n);
  }

  /** Removes nodes still pending LLMLB_PENDING_NODE_TTL_HOURS after they became pending. */
  async removeExpiredPending(nowMs = this.clock.now()): Promise<number> {
    const ttlMs = this.config.nodes.pendingTtlHours * 3_600_000;
    let count = 0;
    for (const live of this.registry.all()) {
      const n = live.entity;
      if (n.status !== 'pending' || nowMs - live.pendingSince < ttlMs) continue;
      await this.drop(n);
      this.logger.log(
        `node ${n.id} (${logText(n.machineName)}) removed: not approved within ${this.config.nodes.pendingTtlHours} h`,
      );
      count += 1;
    }
    return count;
  }

  private async drop(n: NodeEntity): Promise<void> {
    await this.repo.delete(n.id);
    this.registry.delete(n.id);
    this.feed.remove(n.id);
    this.events.status(n.id, n.status, 'deleted');
  }

  private require(id: string): LiveNode {
    const live = this.registry.get(id);
    if (!live) throw new AppError('node_not_found');
    return live;
  }
}
