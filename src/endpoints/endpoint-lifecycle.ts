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

export type EndpointProber = (id: string, req: ProbeRequest) => Promise<ProbeOutcome>;

/**
 * The seam between endpoints and health (docs/adr/0005, 0006). Health depends on endpoints
 * (never the reverse), so the health module plugs its probe in here at start-up; registration,
 * `test` and URL changes call it to probe right away, and deletions are announced so health can
 * forget the endpoint. The app always has the health module: probing without it is an error,
 * not a silent second probe implementation.
 */
@Injectable()
export class EndpointLifecycle {
  private prober: EndpointProber | null = null;
  private readonly deleted = new Listeners<[id: string]>(
    'endpoint deletion',
    new Logger(EndpointLifecycle.name),
  );

  setProber(prober: EndpointProber): void {
    this.prober = prober;
  }

  /** Runs the health probe now. */
  async probe(id: string, req: ProbeRequest): Promise<ProbeOutcome> {
    if (!this.prober) throw new Error('No endpoint prober: the health module is not loaded');
    return this.prober(id, req);
  }

  onDeleted(listener: (id: string) => void): void {
    this.deleted.add(listener);
  }

  emitDeleted(id: string): void {
    this.deleted.emit(id);
  }
}
