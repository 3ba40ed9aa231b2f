import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { EndpointLifecycle } from '../endpoints/endpoint-lifecycle';
import { EndpointsService, type EndpointConnection } from '../endpoints/endpoints.service';
import type { Backend } from '../routing/backend';
import { RoutingTable } from '../routing/routing-table.service';
import { EndpointHealthService } from './endpoint-health.service';
import { PROBE_ORDER, nextProbeDelayMs } from '../endpoints/endpoint-state-machine';

const INTERVAL_NAME = 'endpoint-health';

/** Hard cap on probes in flight, counting the slow ones that gave their slot back. */
export const LINGER_FACTOR = 4;

/** How long a probe may hold one of the `concurrency` slots: a quarter of the timeout, at most 500 ms. */
export function slowProbeGraceMs(timeoutSecs: number): number {
  return Math.min(500, (timeoutSecs * 1000) / 4);
}

/**
 * Scheduled pull health checks (spec §5.3). Every `health.tickMs` the due endpoints (own
 * interval elapsed, or backoff for offline ones) are queued — healthy ones first — and probed
 * by a pool of at most `health.concurrency` workers, each probe bounded by `health.timeoutSecs`.
 * A tick never waits for probes, and an endpoint already queued or being probed is skipped,
 * so probes of one endpoint never overlap. A probe that outlives its grace period gives its
 * slot back (keeping a hard cap of LINGER_FACTOR × concurrency probes in flight), so slow or
 * dead endpoints never delay the healthy ones, even when there are more of them than slots.
 */
@Injectable()
export class EndpointHealthScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('EndpointHealthScheduler');
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  /** Endpoints that must be probed at the next chance (passive failure). */
  private readonly urgent = new Set<string>();
  private running = 0;
  /** Probes past their grace period: they no longer count against `concurrency`. */
  private lingering = 0;
  private ticking = false;
  private stopped = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly health: EndpointHealthService,
    private readonly endpoints: EndpointsService,
    private readonly lifecycle: EndpointLifecycle,
    private readonly routing: RoutingTable,
    private readonly registry: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.lifecycle.onDeleted((id) => {
      this.urgent.delete(id);
      this.health.forget(id);
    });
    this.routing.onPassiveFailure((backend, error) => this.onPassiveFailure(backend, error));
    this.routing.onOutlier((backend, ejected, reason) => {
      if (backend.kind !== 'endpoint' || this.stopped) return;
      void this.health
        .recordOutlier(backend.id, ejected, reason)
        .catch((e: unknown) =>
          this.logger.warn(`outlier event of ${backend.id}: ${(e as Error).message}`),
        );
    });
    this.registry.addInterval(
      INTERVAL_NAME,
      setInterval(() => void this.tick(), this.config.health.tickMs),
    );
  }

  onModuleDestroy(): void {
    this.stopped = true;
    if (this.registry.doesExist('interval', INTERVAL_NAME))
      this.registry.deleteInterval(INTERVAL_NAME);
    this.queue.length = 0;
    this.queued.clear();
  }

  /** One scheduling pass: queue every due endpoint (returns their ids). Never overlaps itself. */
  async tick(now = Date.now()): Promise<string[]> {
    if (this.ticking || this.stopped) return [];
    this.ticking = true;
    try {
      const due = (await this.endpoints.listEnabled()).filter((e) => this.isDue(e, now));
      due.sort((a, b) => PROBE_ORDER[a.status] - PROBE_ORDER[b.status]);
      for (const e of due) this.enqueue(e.id);
      this.pump();
      return due.map((e) => e.id);
    } catch (e) {
      this.logger.error(`health tick failed: ${(e as Error).message}`);
      return [];
    } finally {
      this.ticking = false;
    }
  }

  /** Queues every enabled endpoint now and resolves when all of them were probed (tests, bench). */
  async runRound(): Promise<void> {
    const all = await this.endpoints.listEnabled();
    all.sort((a, b) => PROBE_ORDER[a.status] - PROBE_ORDER[b.status]);
    for (const e of all) this.enqueue(e.id);
    this.pump();
    await this.idle();
  }

  /** Probe this endpoint at the next chance, ahead of its interval. */
  probeSoon(id: string): void {
    if (this.stopped) return;
    if (this.health.isProbing(id)) {
      // The running probe may have started before the failure that asks for this one (joining
      // it would only repeat its older answer): probe again once it has finished.
      void this.health
        .probe(id)
        .catch(() => undefined)
        .finally(() => this.probeSoon(id));
      return;
    }
    this.urgent.add(id);
    this.enqueue(id);
    this.pump();
  }

  /** Resolves when no probe is queued or running. */
  idle(): Promise<void> {
    if (this.running === 0 && this.lingering === 0 && this.queue.length === 0)
      return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isDue(e: EndpointConnection, now: number): boolean {
    if (this.queued.has(e.id) || this.health.isProbing(e.id)) return false;
    if (this.urgent.has(e.id)) return true;
    const last = this.health.lastProbedAt(e.id);
    if (last === undefined) return true;
    const h = this.config.health;
    return (
      now - last >=
      nextProbeDelayMs(e, e.healthCheckIntervalSecs, h.failuresForOffline, h.offlineBackoffMaxSecs)
    );
  }

  private enqueue(id: string): void {
    if (this.stopped || this.queued.has(id)) return;
    this.queued.add(id);
    this.queue.push(id);
  }

  private pump(): void {
    const h = this.config.health;
    while (
      !this.stopped &&
      this.running < h.concurrency &&
      this.running + this.lingering < h.concurrency * LINGER_FACTOR &&
      this.queue.length > 0
    ) {
      const id = this.queue.shift() as string;
      this.queued.delete(id);
      this.urgent.delete(id);
      this.running++;
      let lingering = false;
      // A probe still running after the grace period gives its slot back (it keeps running
      // until its own timeout): slow and dead endpoints cannot hold up the healthy ones.
      const grace = setTimeout(() => {
        lingering = true;
        this.running--;
        this.lingering++;
        this.pump();
      }, slowProbeGraceMs(h.timeoutSecs));
      grace.unref();
      this.health
        .probe(id)
        .catch((e: unknown) => {
          if ((e as { code?: string }).code !== 'endpoint_not_found') {
            this.logger.warn(`probe of endpoint ${id} failed: ${(e as Error).message}`);
          }
        })
        .finally(() => {
          clearTimeout(grace);
          if (lingering) this.lingering--;
          else this.running--;
          this.pump();
          if (this.running === 0 && this.lingering === 0 && this.queue.length === 0) {
            for (const w of this.idleWaiters.splice(0)) w();
          }
        });
    }
  }

  private onPassiveFailure(backend: Backend, error: string): void {
    if (backend.kind !== 'endpoint' || this.stopped) return;
    void this.health
      .recordPassiveFailure(backend.id, error)
      .catch((e: unknown) =>
        this.logger.warn(`passive failure of ${backend.id}: ${(e as Error).message}`),
      )
      .finally(() => this.probeSoon(backend.id));
  }
}
