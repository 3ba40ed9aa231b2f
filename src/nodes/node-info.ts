import type { NodeStatus } from './node-state';

/** What other modules (today: downloads, through its node directory) may know about a node. */
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

/** One download task's progress as a node reports it in a heartbeat. */
export interface NodeTaskProgress {
  task_id: string;
  progress: number;
  downloaded_bytes?: number;
  total_bytes?: number;
  speed_bps?: number;
  status?: string;
  error?: string;
}

export interface NodeHeartbeatEvent {
  nodeId: string;
  /** Status after the heartbeat. */
  status: NodeStatus;
  loadedModels: string[];
  loadedEmbeddingModels: string[];
  /** Tasks the node reported (empty when none). */
  tasks: NodeTaskProgress[];
  at: Date;
}

/** `from` is null for a newly registered node; `to` is `deleted` when the node was removed. */
export type NodeStatusListener = (
  nodeId: string,
  from: NodeStatus | null,
  to: NodeStatus | 'deleted',
) => void;
export type NodeHeartbeatListener = (event: NodeHeartbeatEvent) => void;
