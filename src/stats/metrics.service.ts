import { Inject, Injectable, Logger } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { Backend } from '../routing/backend';
import { RoutingTable } from '../routing/routing-table.service';
import { Scheduler } from '../routing/scheduler.service';
import { LabelCap } from './label-cap';
import type { RequestRecord } from './request-record';

/** A function run before each scrape (to refresh gauges); may be async. */
export type MetricsCollector = () => void | Promise<void>;

const UNKNOWN_MODEL = '(unknown)';
const NONE = '(none)';

/**
 * The Prometheus registry of the server (its own Registry, not the global one) and the hooks
 * other modules call:
 * - `observeProbe(durationMs, ok)` after each health probe,
 * - `setNodeCounts({online: 3, …})`, `setTaskCounts({running: 1, …})` (or from a collector),
 * - `addCollector(fn)` to refresh any gauge just before a scrape.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly logger = new Logger(MetricsService.name);
  private readonly collectors: MetricsCollector[] = [];
  private inFlight = 0;
  /** Model names come from client input: their label values are capped (spec §13). */
  private readonly modelLabels: LabelCap;

  private readonly requests = new Counter({
    name: 'llmlb_requests_total',
    help: 'Proxied /v1 requests by model, backend and HTTP status',
    labelNames: ['model', 'backend', 'status'] as const,
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: 'llmlb_tokens_total',
    help: 'Tokens reported by backends (usage), by model, backend and kind (prompt|completion)',
    labelNames: ['model', 'backend', 'kind'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'llmlb_request_duration_seconds',
    help: 'Time from request arrival to the last byte sent, by model and backend',
    labelNames: ['model', 'backend'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  private readonly ttft = new Histogram({
    name: 'llmlb_time_to_first_token_seconds',
    help: 'Time from request arrival to the first body byte from the backend, by model and backend',
    labelNames: ['model', 'backend'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly overhead = new Histogram({
    name: 'llmlb_proxy_overhead_seconds',
    help: 'Time spent in the balancer itself (parsing, selection, forwarding setup) per request',
    buckets: [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
    registers: [this.registry],
  });
  private readonly probes = new Histogram({
    name: 'llmlb_health_probe_duration_seconds',
    help: 'Duration of backend health probes by result (ok|failed)',
    labelNames: ['result'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  private readonly queueWait = new Histogram({
    name: 'llmlb_queue_wait_seconds',
    help: 'Time requests waited in the admission queue for a backend slot, by model',
    labelNames: ['model'] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly queueRejections = new Counter({
    name: 'llmlb_queue_rejections_total',
    help: 'Requests refused by the admission queue, by model and reason (queue_full|queue_timeout)',
    labelNames: ['model', 'reason'] as const,
    registers: [this.registry],
  });
  private readonly ejections = new Counter({
    name: 'llmlb_backend_ejections_total',
    help: 'Outlier ejections of a backend from the rotation (consecutive failures on real traffic)',
    labelNames: ['backend', 'name'] as const,
    registers: [this.registry],
  });
  /** Node counts by status; set by the nodes module. */
  readonly nodes = new Gauge({
    name: 'llmlb_nodes',
    help: 'Registered nodes by status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  /** Download task counts by status; set by the downloads module. */
  readonly tasks = new Gauge({
    name: 'llmlb_tasks',
    help: 'Download tasks by status',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });

  constructor(
    private readonly table: RoutingTable,
    scheduler: Scheduler,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.modelLabels = new LabelCap(config.stats.maxLabelValues);
    collectDefaultMetrics({ register: this.registry, prefix: 'llmlb_' });
    const routing = this.table;
    routing.onOutlier((b, ejected) => {
      if (ejected) this.ejections.inc({ backend: b.id, name: b.name });
    });
    new Gauge({
      name: 'llmlb_queue_depth',
      help: 'Requests waiting in the admission queue, by model (or alias)',
      labelNames: ['model'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [model, n] of scheduler.queueDepths()) this.set({ model }, n);
      },
    });
    this.perBackendGauge(
      'llmlb_backend_slots_in_use',
      'Backend slots taken by requests in flight',
      (b) => b.load.inFlight,
    );
    this.perBackendGauge(
      'llmlb_backend_slots',
      'Backend capacity (max_concurrency); backends without a limit are not listed',
      (b) => b.maxConcurrency,
    );
    this.perBackendGauge(
      'llmlb_backend_ejected',
      'Backend out of the rotation after consecutive failures (1) or in it (0)',
      (b) => (b.health.ejected ? 1 : 0),
    );
    const inFlight = () => this.inFlight;
    new Gauge({
      name: 'llmlb_requests_in_flight',
      help: 'Requests currently being proxied',
      registers: [this.registry],
      collect() {
        this.set(inFlight());
      },
    });
    new Gauge({
      name: 'llmlb_backend_up',
      help: 'Backend status in the routing table (1 online, 0 not online)',
      labelNames: ['backend', 'name', 'kind', 'type'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const b of routing.all()) {
          this.set(
            { backend: b.id, name: b.name, kind: b.kind, type: b.backendType },
            b.online ? 1 : 0,
          );
        }
      },
    });
    this.perBackendGauge(
      'llmlb_backend_in_flight',
      'Outstanding proxied requests per backend',
      (b) => b.load.inFlight,
    );
    new Gauge({
      name: 'llmlb_backends',
      help: 'Backends in the routing table by kind and status (online|offline)',
      labelNames: ['kind', 'status'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const kind of ['node', 'endpoint'] as const) {
          for (const status of ['online', 'offline'] as const) this.set({ kind, status }, 0);
        }
        for (const b of routing.all())
          this.inc({ kind: b.kind, status: b.online ? 'online' : 'offline' });
      },
    });
  }

  /** A gauge labelled by backend, read from the routing table at each scrape (null = not listed). */
  private perBackendGauge(name: string, help: string, value: (b: Backend) => number | null): void {
    const routing = this.table;
    new Gauge({
      name,
      help,
      labelNames: ['backend', 'name'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const b of routing.all()) {
          const v = value(b);
          if (v !== null) this.set({ backend: b.id, name: b.name }, v);
        }
      },
    });
  }

  /** Called by the health checks after each probe. */
  observeProbe(durationMs: number, ok: boolean): void {
    this.probes.observe({ result: ok ? 'ok' : 'failed' }, durationMs / 1000);
  }

  setNodeCounts(counts: Record<string, number>): void {
    this.nodes.reset();
    for (const [status, n] of Object.entries(counts)) this.nodes.set({ status }, n);
  }

  setTaskCounts(counts: Record<string, number>): void {
    this.tasks.reset();
    for (const [status, n] of Object.entries(counts)) this.tasks.set({ status }, n);
  }

  addCollector(fn: MetricsCollector): void {
    this.collectors.push(fn);
  }

  requestStarted(): void {
    this.inFlight += 1;
  }

  requestEnded(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }

  /** A request got a slot after waiting in the admission queue. */
  observeQueueWait(model: string, waitedMs: number): void {
    this.queueWait.observe({ model }, waitedMs / 1000);
  }

  observeQueueRejection(model: string, reason: string): void {
    this.queueRejections.inc({ model, reason });
  }

  /** Hot path: counters and histograms for one finished request. */
  observeRequest(r: RequestRecord): void {
    const model = r.modelKnown ? this.modelLabels.label(r.model) : UNKNOWN_MODEL;
    const backend = r.backendId ?? NONE;
    this.requests.inc({ model, backend, status: String(r.status) });
    this.latency.observe({ model, backend }, r.latencyMs / 1000);
    if (r.ttftMs !== null) this.ttft.observe({ model, backend }, r.ttftMs / 1000);
    this.overhead.observe(r.overheadMs / 1000);
    if (r.promptTokens) this.tokens.inc({ model, backend, kind: 'prompt' }, r.promptTokens);
    if (r.completionTokens)
      this.tokens.inc({ model, backend, kind: 'completion' }, r.completionTokens);
  }

  /** The Prometheus text exposition. */
  async render(): Promise<{ contentType: string; body: string }> {
    for (const c of this.collectors) {
      try {
        await c();
      } catch (e) {
        this.logger.warn(`metrics collector failed: ${(e as Error).message}`);
      }
    }
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
