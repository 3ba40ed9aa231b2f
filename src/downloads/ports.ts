/**
 * Ports through which downloads and models reach nodes and endpoints. `DirectoryModule` binds
 * them to thin adapters over the nodes module (`nodes.directory.ts`) and the endpoints module
 * (`endpoints.directory.ts`), so downloads depends on nodes and endpoints, never the reverse.
 */
import type { PullOrder } from '../nodes/node-info';
import type { NodeStatus, PullMode } from '../nodes/node-state';

export type { NodeStatus, PullMode, PullOrder };

export const NODE_DIRECTORY = Symbol('NODE_DIRECTORY');
export const ENDPOINT_DIRECTORY = Symbol('ENDPOINT_DIRECTORY');

export interface DirectoryNode {
  id: string;
  status: NodeStatus;
  /** `http://{ip}:{runtime_port}` without a trailing slash. */
  baseUrl: string;
  machineName: string;
  loadedModels: string[];
  /** `poll`: the node gets its pulls in heartbeat answers instead of a POST. */
  pullMode: PullMode;
}

/** One task progress entry a node may put in its heartbeat body. */
export interface HeartbeatTaskProgress {
  task_id: string;
  progress: number;
  downloaded_bytes?: number;
  total_bytes?: number;
  speed_bps?: number;
  status?: string;
  error?: string;
}

/** `from` is null for a newly registered node; `to` is `deleted` when the node was removed. */
export type NodeStatusChangeListener = (
  nodeId: string,
  from: NodeStatus | null,
  to: NodeStatus | 'deleted',
) => void;

export type NodeHeartbeatListener = (event: {
  nodeId: string;
  tasks: HeartbeatTaskProgress[];
}) => void;

export interface NodeDirectory {
  getNode(id: string): Promise<DirectoryNode | null>;
  listOnline(): Promise<DirectoryNode[]>;
  onStatusChange(listener: NodeStatusChangeListener): void;
  onHeartbeat(listener: NodeHeartbeatListener): void;
  /** Where poll-mode nodes' heartbeat answers get their waiting pulls from. */
  setPullOrderSource(source: (nodeId: string) => PullOrder[]): void;
  /** Records that the node now has `model` (a finished pull); false for an unknown node. */
  addLoadedModel(nodeId: string, model: string): Promise<boolean>;
}

export interface DirectoryEndpoint {
  id: string;
  name: string;
  endpointType: string;
  baseUrl: string;
  apiKey: string | null;
}

export interface EndpointDirectory {
  getEndpoint(id: string): Promise<DirectoryEndpoint | null>;
  /** Re-syncs the endpoint's model list (after a finished download). */
  sync(id: string): Promise<void>;
  listModelLocations(): Promise<
    Array<{ endpointId: string; endpointName: string; models: string[] }>
  >;
}
