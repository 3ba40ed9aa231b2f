import type { HeartbeatTaskDto } from '../tasks/dto/task-progress.dto';
import type { NodeStatus, PullMode } from './node-state';

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
  /** `push`: pulls are POSTed to the node; `poll`: it gets them in heartbeat answers. */
  pullMode: PullMode;
  /** Requests the runtime serves at once, when the node told. */
  maxConcurrency: number | null;
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

/** A pull waiting for a poll-mode node, as listed in its heartbeat answer. */
export interface PullOrder {
  task_id: string;
  model: string;
  manifest_url: string;
}

/** Lists the pulls waiting for a node (provided by the downloads module). */
export type PullOrderSource = (nodeId: string) => PullOrder[];
