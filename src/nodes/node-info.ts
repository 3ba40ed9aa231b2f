import type { HeartbeatTaskDto } from '../tasks/dto/task-progress.dto';
import type { NodeStatus } from './node-state';

/** What other modules (downloads, proxy, dashboard) may know about a node. */
export interface NodeInfo {
  id: string;
  /** `custom_name` or else `machine_name`. */
  name: string;
  machineName: string;
  status: NodeStatus;
  ipAddress: string;
  runtimePort: number;
  /** `http://ip:port` (IPv6 in brackets), no trailing slash. */
  baseUrl: string;
  loadedModels: string[];
  loadedEmbeddingModels: string[];
  readyModels: [number, number] | null;
  initializing: boolean;
  activeRequests: number | null;
  lastSeen: Date | null;
}

export interface NodeHeartbeatEvent {
  nodeId: string;
  /** Status after the heartbeat. */
  status: NodeStatus;
  loadedModels: string[];
  loadedEmbeddingModels: string[];
  /** Tasks the node reported (empty when none). */
  tasks: HeartbeatTaskDto[];
  at: Date;
}

/** `from` is null for a newly registered node; `to` is `deleted` when the node was removed. */
export type NodeStatusListener = (
  nodeId: string,
  from: NodeStatus | null,
  to: NodeStatus | 'deleted',
) => void;
export type NodeHeartbeatListener = (event: NodeHeartbeatEvent) => void;
