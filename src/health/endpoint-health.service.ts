import { Injectable } from '@nestjs/common';
import type { ProbeOutcome, ProbeRequest } from '../endpoints/endpoint-lifecycle';
import { EndpointProbeService } from '../endpoints/endpoint-probe.service';
import { EndpointStatusEventsRepository } from '../endpoints/endpoint-status-events.repository';
import type { EndpointStatus } from '../endpoints/endpoint-types';
import { EndpointsService } from '../endpoints/endpoints.service';
import type { ProbeRecord } from '../endpoints/probe-record';
import { EndpointHealthDto, ProbeResultDto, StatusEventDto } from './dto/endpoint-health.dto';

export type { ProbeRecord } from '../endpoints/probe-record';

/**
 * Endpoint health as the health module sees it: the probe (owned by `endpoints/`, which also
 * calls it on registration, `test` and URL changes), passive failures, outlier events and the
 * history route. The scheduler, metrics and the tests call this service.
 */
@Injectable()
export class EndpointHealthService {
  constructor(
    private readonly prober: EndpointProbeService,
    private readonly endpoints: EndpointsService,
    private readonly events: EndpointStatusEventsRepository,
  ) {}

  /** Every raw probe result (for metrics: durations, outcomes). */
  onProbe(listener: (endpointId: string, probe: ProbeRecord) => void): void {
    this.prober.onProbe(listener);
  }

  /** Probes now; a probe of the same endpoint already running is joined, never doubled. */
  probe(
    id: string,
    req: ProbeRequest | { cause: 'schedule' } = { cause: 'schedule' },
  ): Promise<ProbeOutcome> {
    return this.prober.probe(id, req);
  }

  isProbing(id: string): boolean {
    return this.prober.isProbing(id);
  }

  /** When the last probe of the endpoint finished (epoch ms), if any since start-up. */
  lastProbedAt(id: string): number | undefined {
    return this.prober.lastProbedAt(id);
  }

  /** Raw results of the last probes, newest last. */
  recentProbes(id: string): ProbeRecord[] {
    return this.prober.recentProbes(id);
  }

  /** A failure the proxy saw on real traffic counts as a failed probe, right now. */
  recordPassiveFailure(id: string, error: string): Promise<EndpointStatus | null> {
    return this.prober.recordPassiveFailure(id, error);
  }

  forget(id: string): void {
    this.prober.forget(id);
  }

  /** Transitions (stored) and raw probe results (in memory), newest first. */
  async history(id: string): Promise<EndpointHealthDto> {
    const conn = await this.endpoints.getConnection(id);
    const events = await this.events.forEndpoint(id);
    return {
      endpoint_id: id,
      status: conn.status,
      events: events.map(StatusEventDto.from),
      recent_probes: this.recentProbes(id).reverse().map(ProbeResultDto.from),
    };
  }

  /**
   * Outlier ejection or return (decided by the routing table from real traffic): one status
   * event with cause `ejected` or `restored`; the status itself does not change.
   */
  async recordOutlier(id: string, ejected: boolean, reason: string): Promise<void> {
    const conn = await this.endpoints.getConnection(id);
    await this.events.insert({
      endpointId: id,
      fromStatus: conn.status,
      toStatus: conn.status,
      cause: ejected ? 'ejected' : 'restored',
      error: ejected ? reason : null,
      latencyMs: null,
    });
  }
}
