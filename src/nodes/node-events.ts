import { Injectable, Logger } from '@nestjs/common';
import { Listeners } from '../common/listeners';
import type { NodeHeartbeatEvent, NodeHeartbeatListener, NodeStatusListener } from './node-info';
import type { NodeStatus } from './node-state';

/** Listeners of other modules for node status changes and heartbeats; one failing is logged. */
@Injectable()
export class NodeEvents {
  private readonly logger = new Logger('NodeEvents');
  private readonly statusListeners = new Listeners<Parameters<NodeStatusListener>>(
    'status',
    this.logger,
  );
  private readonly heartbeatListeners = new Listeners<Parameters<NodeHeartbeatListener>>(
    'heartbeat',
    this.logger,
  );

  onStatusChange(listener: NodeStatusListener): void {
    this.statusListeners.add(listener);
  }

  onHeartbeat(listener: NodeHeartbeatListener): void {
    this.heartbeatListeners.add(listener);
  }

  get hasHeartbeatListeners(): boolean {
    return this.heartbeatListeners.size > 0;
  }

  status(nodeId: string, from: NodeStatus | null, to: NodeStatus | 'deleted'): void {
    this.statusListeners.emit(nodeId, from, to);
  }

  heartbeat(event: NodeHeartbeatEvent): void {
    this.heartbeatListeners.emit(event);
  }
}
