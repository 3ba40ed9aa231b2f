import { Injectable, OnModuleInit } from '@nestjs/common';
import { NodeTokenRegistry } from '../auth/node-token.registry';
import { Clock } from '../common/clock';
import type { HeartbeatDto, HeartbeatResponseDto } from './dto/heartbeat.dto';
import type { NodeDto, NodeListDto } from './dto/node.dto';
import type { NodeSettingsDto } from './dto/node-settings.dto';
import type { RegisterNodeDto, RegisterNodeResponseDto } from './dto/register-node.dto';
import { NodeAdmin } from './node-admin.service';
import { NodeEvents } from './node-events';
import { NodeHeartbeats } from './node-heartbeats.service';
import type {
  NodeHeartbeatListener,
  NodeInfo,
  NodeStatusListener,
  PullOrderSource,
} from './node-info';
import { NodeRegistration } from './node-registration.service';
import { NodeRegistry, nodeInfo } from './node-registry';
import { NodeRoutingFeed } from './node-routing.feed';
import type { NodeStatus } from './node-state';
import { NodesMaintenance } from './nodes-maintenance.service';
import { NodesRepository } from './nodes.repository';
import type { RegistrationCaller } from './registration-caller';

/**
 * The nodes module as other modules and the controllers see it: one class with the public
 * operations, each handed to the file that owns it (registry, registration, heartbeats and
 * offline monitor, admin commands, routing feed). Loads the stored nodes at start-up.
 */
@Injectable()
export class NodesService implements OnModuleInit {
  constructor(
    private readonly repo: NodesRepository,
    private readonly maintenance: NodesMaintenance,
    private readonly registry: NodeRegistry,
    private readonly registration: NodeRegistration,
    private readonly heartbeats: NodeHeartbeats,
    private readonly admin: NodeAdmin,
    private readonly feed: NodeRoutingFeed,
    private readonly events: NodeEvents,
    private readonly tokens: NodeTokenRegistry,
    private readonly clock: Clock,
  ) {}

  /** Startup cleanup and legacy import first, then the stored nodes are loaded (before serving). */
  async onModuleInit(): Promise<void> {
    await this.maintenance.runStartup();
    const now = this.clock.now();
    for (const entity of await this.repo.findAll()) {
      // After a restart every node gets a full timeout to check in again.
      this.registry.add({
        entity,
        silentSince: Math.max(entity.lastSeen?.getTime() ?? 0, now),
        dirty: false,
        pendingSince: entity.registeredAt.getTime(),
      });
      this.feed.publish(entity);
    }
    this.tokens.setVerifier((token) => {
      const nodeId = this.registry.nodeIdForToken(token);
      return nodeId ? { nodeId } : null;
    });
  }

  // --- events for other modules

  /** Called with (nodeId, from, to) on every status change, registration and deletion. */
  onStatusChange(listener: NodeStatusListener): void {
    this.events.onStatusChange(listener);
  }

  /** Called after every accepted heartbeat, with the download tasks the node reported. */
  onHeartbeat(listener: NodeHeartbeatListener): void {
    this.events.onHeartbeat(listener);
  }

  // --- the node's own calls

  register(dto: RegisterNodeDto, caller: RegistrationCaller): Promise<RegisterNodeResponseDto> {
    return this.registration.register(dto, caller);
  }

  heartbeat(nodeId: string, dto: HeartbeatDto): Promise<HeartbeatResponseDto> {
    return this.heartbeats.heartbeat(nodeId, dto);
  }

  // --- scheduled work

  flushHeartbeats(): Promise<void> {
    return this.heartbeats.flushHeartbeats();
  }

  markSilentNodesOffline(nowMs?: number): Promise<number> {
    return this.heartbeats.markSilentNodesOffline(nowMs);
  }

  removeExpiredPending(nowMs?: number): Promise<number> {
    return this.admin.removeExpiredPending(nowMs);
  }

  // --- admin

  list(status?: NodeStatus): NodeListDto {
    return this.admin.list(status);
  }

  get(id: string): NodeDto {
    return this.admin.get(id);
  }

  approve(id: string): Promise<NodeDto> {
    return this.admin.approve(id);
  }

  remove(id: string): Promise<void> {
    return this.admin.remove(id);
  }

  updateSettings(id: string, dto: NodeSettingsDto): Promise<NodeDto> {
    return this.admin.updateSettings(id, dto);
  }

  // --- directory for other modules

  getNode(id: string): NodeInfo | null {
    const live = this.registry.get(id);
    return live ? nodeInfo(live.entity) : null;
  }

  listOnline(): NodeInfo[] {
    return this.registry
      .all()
      .filter((l) => l.entity.status === 'online')
      .map((l) => nodeInfo(l.entity));
  }

  /** Where poll-mode nodes' heartbeat answers get their waiting pulls (the downloads module). */
  setPullOrderSource(source: PullOrderSource): void {
    this.heartbeats.setPullOrderSource(source);
  }

  /** Adds a model the node now serves (a download finished); false for an unknown node. */
  addLoadedModel(nodeId: string, modelName: string): boolean {
    return this.heartbeats.addLoadedModel(nodeId, modelName);
  }
}
