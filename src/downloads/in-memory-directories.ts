import { Injectable } from '@nestjs/common';
import type {
  DirectoryEndpoint,
  DirectoryNode,
  EndpointDirectory,
  HeartbeatTaskProgress,
  NodeDirectory,
  NodeStatus,
} from './ports';

/**
 * TEMPORARY BINDING of NODE_DIRECTORY until the nodes module is merged and provides the real
 * one. Also what tests use to stand in fake nodes: `addNode`, `setStatus`, `heartbeat`.
 */
@Injectable()
export class InMemoryNodeDirectory implements NodeDirectory {
  private readonly nodes = new Map<string, DirectoryNode>();
  private readonly tokens = new Map<string, string>();
  private readonly statusListeners: Array<
    (nodeId: string, from: NodeStatus, to: NodeStatus) => void
  > = [];
  private readonly heartbeatListeners: Array<
    (nodeId: string, body: { tasks?: HeartbeatTaskProgress[] }) => void
  > = [];

  addNode(node: DirectoryNode, token?: string): void {
    this.nodes.set(node.id, { ...node, loadedModels: [...node.loadedModels] });
    if (token) this.tokens.set(token, node.id);
  }

  /** For `NodeTokenRegistry.setVerifier`. */
  verifyToken(token: string): { nodeId: string } | null {
    const nodeId = this.tokens.get(token);
    return nodeId && this.nodes.has(nodeId) ? { nodeId } : null;
  }

  setStatus(id: string, to: NodeStatus): void {
    const node = this.nodes.get(id);
    if (!node || node.status === to) return;
    const from = node.status;
    node.status = to;
    for (const l of this.statusListeners) l(id, from, to);
  }

  heartbeat(id: string, body: { tasks?: HeartbeatTaskProgress[] }): void {
    for (const l of this.heartbeatListeners) l(id, body);
  }

  getNode(id: string): Promise<DirectoryNode | null> {
    const n = this.nodes.get(id);
    return Promise.resolve(n ? { ...n, loadedModels: [...n.loadedModels] } : null);
  }

  listOnline(): Promise<DirectoryNode[]> {
    return Promise.resolve(
      [...this.nodes.values()]
        .filter((n) => n.status === 'online')
        .map((n) => ({ ...n, loadedModels: [...n.loadedModels] })),
    );
  }

  onStatusChange(listener: (nodeId: string, from: NodeStatus, to: NodeStatus) => void): void {
    this.statusListeners.push(listener);
  }

  onHeartbeat(listener: (nodeId: string, body: { tasks?: HeartbeatTaskProgress[] }) => void): void {
    this.heartbeatListeners.push(listener);
  }

  addLoadedModel(nodeId: string, model: string): Promise<void> {
    const n = this.nodes.get(nodeId);
    if (n && !n.loadedModels.includes(model)) n.loadedModels.push(model);
    return Promise.resolve();
  }
}

/**
 * TEMPORARY BINDING of ENDPOINT_DIRECTORY until the endpoints module is merged. Tests add fake
 * endpoints with `addEndpoint` and watch `syncCalls`.
 */
@Injectable()
export class InMemoryEndpointDirectory implements EndpointDirectory {
  private readonly endpoints = new Map<string, DirectoryEndpoint & { models: string[] }>();
  readonly syncCalls: string[] = [];

  addEndpoint(endpoint: DirectoryEndpoint, models: string[] = []): void {
    this.endpoints.set(endpoint.id, { ...endpoint, models: [...models] });
  }

  setModels(id: string, models: string[]): void {
    const e = this.endpoints.get(id);
    if (e) e.models = [...models];
  }

  getEndpoint(id: string): Promise<DirectoryEndpoint | null> {
    const e = this.endpoints.get(id);
    return Promise.resolve(
      e
        ? {
            id: e.id,
            name: e.name,
            endpointType: e.endpointType,
            baseUrl: e.baseUrl,
            apiKey: e.apiKey,
          }
        : null,
    );
  }

  sync(id: string): Promise<void> {
    this.syncCalls.push(id);
    return Promise.resolve();
  }

  listModelLocations(): Promise<
    Array<{ endpointId: string; endpointName: string; models: string[] }>
  > {
    return Promise.resolve(
      [...this.endpoints.values()].map((e) => ({
        endpointId: e.id,
        endpointName: e.name,
        models: [...e.models],
      })),
    );
  }
}
