/**
 * Ports through which downloads and models reach nodes and endpoints. The nodes and endpoints
 * modules implement them; until they are bound, `DirectoryModule` binds the in-memory
 * implementations from `in-memory-directories.ts`.
 */
export const NODE_DIRECTORY = Symbol('NODE_DIRECTORY');
export const ENDPOINT_DIRECTORY = Symbol('ENDPOINT_DIRECTORY');

export type NodeStatus = 'pending' | 'registering' | 'online' | 'offline';

export interface DirectoryNode {
  id: string;
  status: NodeStatus;
  /** `http://{ip}:{runtime_port}` without a trailing slash. */
  baseUrl: string;
  machineName: string;
  loadedModels: string[];
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

export interface NodeDirectory {
  getNode(id: string): Promise<DirectoryNode | null>;
  listOnline(): Promise<DirectoryNode[]>;
  onStatusChange(listener: (nodeId: string, from: NodeStatus, to: NodeStatus) => void): void;
  onHeartbeat(listener: (nodeId: string, body: { tasks?: HeartbeatTaskProgress[] }) => void): void;
  /** Records that the node now has `model` (a finished pull). */
  addLoadedModel(nodeId: string, model: string): Promise<void>;
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
