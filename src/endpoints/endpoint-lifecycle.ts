import { Injectable } from '@nestjs/common';
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
 * The seam between endpoints and health. Health depends on endpoints (never the reverse), so
 * the health module plugs its probe in here at start-up; registration, `test` and URL changes
 * call it to probe right away, and deletions are announced so health can forget the endpoint.
 */
@Injectable()
export class EndpointLifecycle {
  private prober: EndpointProber | null = null;
  private readonly deletedListeners: ((id: string) => void)[] = [];

  setProber(prober: EndpointProber): void {
    this.prober = prober;
  }

  /** Runs the health probe now; null when no health module is present. */
  async probe(id: string, req: ProbeRequest): Promise<ProbeOutcome | null> {
    return this.prober ? this.prober(id, req) : null;
  }

  onDeleted(listener: (id: string) => void): void {
    this.deletedListeners.push(listener);
  }

  emitDeleted(id: string): void {
    for (const l of this.deletedListeners) l(id);
  }
}
