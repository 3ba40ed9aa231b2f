import { Injectable, Logger } from '@nestjs/common';
import { Listeners } from '../common/listeners';
import type { EndpointStatus } from './endpoint-types';

/** What one health probe found and what the endpoint's status became. */
export interface ProbeOutcome {
  success: boolean;
  latencyMs: number | null;
  error: string | null;
  /** `data.length` of the `/v1/models` answer when it had that shape. */
  modelsFound: number | null;
  status: EndpointStatus;
}

export interface ProbeRequest {
  cause: 'registration' | 'test' | 'update';
  /** Detection already found that nothing answers: record that instead of probing again. */
  unreachable?: string;
}

/**
 * Endpoint deletions, announced so that other modules (health) can forget the endpoint. Health
 * depends on endpoints, never the reverse (docs/adr/0006).
 */
@Injectable()
export class EndpointLifecycle {
  private readonly deleted = new Listeners<[id: string]>(
    'endpoint deletion',
    new Logger(EndpointLifecycle.name),
  );

  onDeleted(listener: (id: string) => void): void {
    this.deleted.add(listener);
  }

  emitDeleted(id: string): void {
    this.deleted.emit(id);
  }
}
