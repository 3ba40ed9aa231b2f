import { Injectable, Logger } from '@nestjs/common';
import type { NodeHeartbeatEvent, NodeHeartbeatListener, NodeStatusListener } from './node-info';
import type { NodeStatus } from './node-state';

/** Listeners of other modules for node status changes and heartbeats; one failing is logged. */
@Injectable()
export class NodeEvents {
  private readonly logger = new Logger('NodeEvents');
  private readonly statusListeners: NodeStatusListener[] = [];
  private readonly heartbeatListeners: NodeHeartbeatListener[] = [];

  onStatusChange(listener: NodeStatusListener): void {
    this.statusListeners.push(listener);
  }

  onHeartbeat(listener: NodeHeartbeatListener): void {
    this.heartbeatListeners.push(listener);
  }

  get hasHeartbeatListeners(): boolean {
    return this.heartbeatListeners.length > 0;
  }

  status(nodeId: string, from: NodeStatus | null, to: NodeStatus | 'deleted'): void {
    for (const l of this.statusListeners) {
      try {
        l(nodeId, from, to);
      } catch (e) {
        this.logger.error(`status listener failed: ${(e as Error).message}`);
      }
    }
  }

  heartbeat(event: NodeHeartbeatEvent): void {
    for (const l of this.heartbeatListeners) {
      try {
        l(event);
      } catch (e) {
        this.logger.error(`heartbeat listener failed: ${(e as Error).message}`);
      }
    }
  }
}
