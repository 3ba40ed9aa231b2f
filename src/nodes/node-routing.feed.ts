import { Injectable } from '@nestjs/common';
import type { BackendInfo } from '../routing/backend';
import { RoutingTable } from '../routing/routing-table.service';
import { nodeBaseUrl } from './node-runtime.client';
import type { NodeEntity } from './node.entity';

export const NODE_INFERENCE_TIMEOUT_MS = 120_000;
export const NODE_PRIORITY = 50;

/**
 * Keeps the routing table in step with the nodes (the counterpart of EndpointRoutingFeed).
 * Only `online` nodes get traffic; a `pending` node is not in the table at all, so whatever
 * models it claims cannot shadow a route served elsewhere (spec §4.1: pending nodes are inert).
 */
@Injectable()
export class NodeRoutingFeed {
  constructor(private readonly table: RoutingTable) {}

  publish(n: NodeEntity): void {
    if (n.status === 'pending') {
      this.table.remove(n.id);
      return;
    }
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
    this.table.upsert(backend);
  }

  remove(nodeId: string): void {
    this.table.remove(nodeId);
  }
}
