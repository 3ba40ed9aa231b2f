import { randomUUID } from 'node:crypto';
import { NodeTokenRegistry } from '../../src/auth/node-token.registry';
import {
  InMemoryEndpointDirectory,
  InMemoryNodeDirectory,
} from '../../src/downloads/in-memory-directories';
import {
  ENDPOINT_DIRECTORY,
  HeartbeatTaskProgress,
  NODE_DIRECTORY,
  NodeStatus,
} from '../../src/downloads/ports';
import type { TestApp } from './app';

/**
 * The nodes and endpoints that model/download tests need, behind one small interface. For now
 * it drives the TEMPORARY in-memory directories (src/downloads/in-memory-directories.ts); once
 * the real nodes and endpoints modules are bound, only this file has to change (register and
 * approve nodes over HTTP, register endpoints, read their models).
 */
export class Fleet {
  private readonly nodes: InMemoryNodeDirectory;
  private readonly endpoints: InMemoryEndpointDirectory;

  constructor(t: TestApp) {
    this.nodes = t.app.get<InMemoryNodeDirectory>(NODE_DIRECTORY);
    this.endpoints = t.app.get<InMemoryEndpointDirectory>(ENDPOINT_DIRECTORY);
    t.app.get(NodeTokenRegistry).setVerifier((tok) => this.nodes.verifyToken(tok));
  }

  /** A node whose runtime answers at `baseUrl`; returns its id and token. */
  addNode(opts: {
    baseUrl: string;
    status?: NodeStatus;
    id?: string;
    token?: string;
    machineName?: string;
  }): {
    id: string;
    token: string;
  } {
    const id = opts.id ?? randomUUID();
    const token = opts.token ?? `nt_${randomUUID().replace(/-/g, '')}`;
    this.nodes.addNode(
      {
        id,
        status: opts.status ?? 'online',
        baseUrl: opts.baseUrl,
        machineName: opts.machineName ?? `gpu-${id.slice(0, 4)}`,
        loadedModels: [],
      },
      token,
    );
    return { id, token };
  }

  setNodeStatus(id: string, status: NodeStatus): void {
    this.nodes.setStatus(id, status);
  }

  heartbeat(id: string, tasks: HeartbeatTaskProgress[]): void {
    this.nodes.heartbeat(id, { tasks });
  }

  async nodeModels(id: string): Promise<string[]> {
    return (await this.nodes.getNode(id))?.loadedModels ?? [];
  }

  addEndpoint(opts: {
    endpointType: string;
    baseUrl: string;
    apiKey?: string | null;
    id?: string;
  }): string {
    const id = opts.id ?? randomUUID();
    this.endpoints.addEndpoint({
      id,
      name: `${opts.endpointType}-${id.slice(0, 8)}`,
      endpointType: opts.endpointType,
      baseUrl: opts.baseUrl,
      apiKey: opts.apiKey ?? null,
    });
    return id;
  }

  /** Ids of endpoints whose models were re-synced, in order. */
  get syncCalls(): string[] {
    return this.endpoints.syncCalls;
  }
}
