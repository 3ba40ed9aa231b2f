import { Injectable } from '@nestjs/common';
import { KeyedMutex } from '../common/keyed-mutex';
import { safeEqual, sha256Hex } from '../common/tokens';
import type { NodeInfo } from './node-info';
import { nodeBaseUrl } from './node-runtime.client';
import type { NodeEntity } from './node.entity';
import type { NodeHeartbeatColumns } from './nodes.repository';

export interface LiveNode {
  entity: NodeEntity;
  /** Start of the current silence (last heartbeat, approval or boot), for the offline monitor. */
  silentSince: number;
  /** Heartbeat columns changed since the last flush. */
  dirty: boolean;
  /**
   * When the node last became pending (its registration, or a nodes.manage re-registration);
   * after a restart its `registered_at`. Pending nodes expire LLMLB_PENDING_NODE_TTL_HOURS later.
   */
  pendingSince: number;
}

export const addressKey = (ip: string, port: number) => `${ip.toLowerCase()}|${port}`;

/**
 * The live node registry: every node in memory (the database is its durable copy), found by
 * id, by address and by token hash, so token checks and heartbeats never read the database.
 * Also serialises the changes of one address (registration races).
 */
@Injectable()
export class NodeRegistry {
  private readonly byId = new Map<string, LiveNode>();
  private readonly byAddress = new Map<string, string>();
  private readonly byTokenHash = new Map<string, string>();
  private readonly locks = new KeyedMutex();

  get(id: string): LiveNode | undefined {
    return this.byId.get(id);
  }

  atAddress(ip: string, port: number): LiveNode | undefined {
    const id = this.byAddress.get(addressKey(ip, port));
    return id ? this.byId.get(id) : undefined;
  }

  all(): LiveNode[] {
    return [...this.byId.values()];
  }

  /** The node a plaintext token belongs to, if any. */
  nodeIdForToken(token: string): string | null {
    return this.byTokenHash.get(sha256Hex(token)) ?? null;
  }

  /** Whether `token` is the node's current token (constant-time). */
  hasToken(n: NodeEntity, token: string | null): boolean {
    return !!token && !!n.tokenHash && safeEqual(sha256Hex(token), n.tokenHash);
  }

  countPending(): number {
    let count = 0;
    for (const l of this.byId.values()) if (l.entity.status === 'pending') count += 1;
    return count;
  }

  add(live: LiveNode): void {
    const n = live.entity;
    this.byId.set(n.id, live);
    this.byAddress.set(addressKey(n.ipAddress, n.runtimePort), n.id);
    if (n.tokenHash) this.byTokenHash.set(n.tokenHash, n.id);
  }

  /** Replaces the node's token hash; the old token stops working at once. */
  setTokenHash(n: NodeEntity, tokenHash: string): void {
    if (n.tokenHash) this.byTokenHash.delete(n.tokenHash);
    n.tokenHash = tokenHash;
    this.byTokenHash.set(tokenHash, n.id);
  }

  delete(id: string): void {
    const live = this.byId.get(id);
    if (!live) return;
    const n = live.entity;
    this.byId.delete(id);
    this.byAddress.delete(addressKey(n.ipAddress, n.runtimePort));
    if (n.tokenHash) this.byTokenHash.delete(n.tokenHash);
  }

  /** Runs `fn` after any earlier call with the same key has finished. */
  withLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.locks.run(key, fn);
  }
}

/** The figures a heartbeat changes, as the repository writes them. */
export function heartbeatColumns(n: NodeEntity): NodeHeartbeatColumns {
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

/** What other modules may know about a node. */
export function nodeInfo(n: NodeEntity): NodeInfo {
  return {
    id: n.id,
    name: n.customName || n.machineName,
    machineName: n.machineName,
    status: n.status,
    ipAddress: n.ipAddress,
    runtimePort: n.runtimePort,
    baseUrl: nodeBaseUrl(n.ipAddress, n.runtimePort),
    pullMode: n.pullMode,
    maxConcurrency: n.maxConcurrency,
    loadedModels: [...n.loadedModels],
    loadedEmbeddingModels: [...n.loadedEmbeddingModels],
    readyModels: n.readyModels,
    initializing: n.initializing,
    activeRequests: n.activeRequests,
    lastSeen: n.lastSeen,
  };
}
