import { Injectable } from '@nestjs/common';
import type { NodeInfo } from '../nodes/node-info';
import { NodesService } from '../nodes/nodes.service';
import type {
  DirectoryNode,
  NodeDirectory,
  NodeHeartbeatListener,
  NodeStatusChangeListener,
  PullOrder,
} from './ports';

function toDirectoryNode(n: NodeInfo): DirectoryNode {
  return {
    id: n.id,
    status: n.status,
    baseUrl: n.baseUrl,
    machineName: n.machineName,
    loadedModels: [...n.loadedModels],
    pullMode: n.pullMode,
  };
}

/** NODE_DIRECTORY over the nodes module's live registry. */
@Injectable()
export class NodesDirectory implements NodeDirectory {
  constructor(private readonly nodes: NodesService) {}

  getNode(id: string): Promise<DirectoryNode | null> {
    const n = this.nodes.getNode(id);
    return Promise.resolve(n ? toDirectoryNode(n) : null);
  }

  listOnline(): Promise<DirectoryNode[]> {
    return Promise.resolve(this.nodes.listOnline().map(toDirectoryNode));
  }

  onStatusChange(listener: NodeStatusChangeListener): void {
    this.nodes.onStatusChange(listener);
  }

  onHeartbeat(listener: NodeHeartbeatListener): void {
    this.nodes.onHeartbeat((e) => listener({ nodeId: e.nodeId, tasks: e.tasks }));
  }

  setPullOrderSource(source: (nodeId: string) => PullOrder[]): void {
    this.nodes.setPullOrderSource(source);
  }

  addLoadedModel(nodeId: string, model: string): Promise<boolean> {
    return Promise.resolve(this.nodes.addLoadedModel(nodeId, model));
  }
}
