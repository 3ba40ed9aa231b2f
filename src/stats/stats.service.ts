import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RoutingTable } from '../routing/routing-table.service';
import { Scheduler } from '../routing/scheduler.service';
import { BackendSlotsDto, type SchedulingDto } from './dto/scheduling.dto';
import { RequestRecordsRepository } from './request-records.repository';
import { RequestRecordEntity } from './request-record.entity';
import type { RequestRecord } from './request-record';
import { MetricsService } from './metrics.service';
import { StatsAggregator } from './stats.aggregator';
import {
  GroupStatsDto,
  RequestHistoryItemDto,
  RequestHistoryListDto,
  RequestHistoryQueryDto,
  StatsDto,
} from './dto/stats.dto';

/** Records waiting in memory beyond this are dropped (oldest first) while the DB is stuck. */
const MAX_PENDING = 100_000;
/** History rows replayed into the in-memory statistics at start-up (the last hour, newest first). */
const REPLAY_LIMIT = 100_000;
const HOUR_MS = 3_600_000;

function toEntity(r: RequestRecord): RequestRecordEntity {
  const e = new RequestRecordEntity();
  e.id = randomUUID();
  e.createdAt = new Date(r.at);
  e.requestId = r.requestId;
  e.apiKeyId = r.apiKeyId;
  e.userId = r.userId;
  e.operation = r.operation;
  e.model = r.model.slice(0, 255);
  e.backendId = r.backendId;
  e.backendName = r.backendName;
  e.status = r.status;
  e.errorCode = r.errorCode;
  e.stream = r.stream;
  e.latencyMs = Math.round(r.latencyMs * 1000) / 1000;
  e.ttftMs = r.ttftMs === null ? null : Math.round(r.ttftMs * 1000) / 1000;
  e.overheadMs = Math.round(r.overheadMs * 1000) / 1000;
  e.promptTokens = r.promptTokens;
  e.completionTokens = r.completionTokens;
  e.attempts = r.attempts;
  e.requestBody = r.requestBody;
  e.responseBody = r.responseBody;
  return e;
}

/** A stored history row as the aggregator sees it (bodies and ids are not needed). */
function fromEntity(e: RequestRecordEntity): RequestRecord {
  return {
    at: e.createdAt.getTime(),
    requestId: '',
    apiKeyId: null,
    userId: null,
    operation: '',
    model: e.model,
    modelKnown:
      e.backendId !== null ||
      (e.errorCode !== 'model_not_found' && e.errorCode !== 'model_required'),
    backendId: e.backendId,
    backendName: e.backendName,
    status: e.status,
    errorCode: e.errorCode,
    stream: false,
    latencyMs: e.latencyMs,
    ttftMs: e.ttftMs,
    overheadMs: 0,
    promptTokens: e.promptTokens,
    completionTokens: e.completionTokens,
    attempts: 1,
    requestBody: null,
    responseBody: null,
  };
}

const round = (v: number | null, digits = 3): number | null =>
  v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits;

/**
 * Request statistics: the proxy calls `record()` once per request (memory only); the scheduler
 * calls `flush()` every `LLMLB_STATS_FLUSH_MS` to write the pending rows in one transaction.
 */
@Injectable()
export class StatsService implements OnModuleInit {
  private readonly logger = new Logger(StatsService.name);
  private readonly aggregator: StatsAggregator;
  private pending: RequestRecord[] = [];
  private flushing: Promise<void> | null = null;

  constructor(
    private readonly repo: RequestRecordsRepository,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly table: RoutingTable,
    private readonly scheduler: Scheduler,
  ) {
    this.aggregator = new StatsAggregator(config.stats.maxLabelValues);
  }

  /** Live admission queues and backend slots. */
  scheduling(): SchedulingDto {
    const queues = [...this.scheduler.queueDepths()].map(([model, waiting]) => ({
      model,
      waiting,
    }));
    return {
      queues,
      waiting: this.scheduler.totalWaiting,
      backends: this.table
        .all()
        .map(BackendSlotsDto.from)
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  /**
   * A restart keeps the dashboard's last hour: the history of that hour is replayed into the
   * in-memory figures (Prometheus counters still start at zero, as Prometheus expects).
   */
  async onModuleInit(): Promise<void> {
    const rows = await this.repo.findSince(new Date(Date.now() - HOUR_MS), REPLAY_LIMIT);
    this.aggregator.seed(rows.map(fromEntity));
    if (rows.length > 0)
      this.logger.log(`replayed ${rows.length} requests of the last hour from history`);
  }

  get historyBodies(): boolean {
    return this.config.stats.historyBodies;
  }

  /** Hot path: aggregates in memory and queues the history row. */
  record(r: RequestRecord): void {
    this.aggregator.add(r);
    this.metrics.observeRequest(r);
    if (this.pending.length >= MAX_PENDING) this.pending.shift();
    this.pending.push(r);
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  /** Writes everything pending as one batch; never two flushes at once. */
  async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.flushing = (async () => {
      try {
        await this.repo.insertBatch(batch.map(toEntity));
      } catch (e) {
        this.logger.error(`writing ${batch.length} history rows failed: ${(e as Error).message}`);
        this.pending = batch.concat(this.pending).slice(-MAX_PENDING);
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }

  async purgeOlderThan(days: number, now = Date.now()): Promise<number> {
    return this.repo.deleteOlderThan(new Date(now - days * 86_400_000));
  }

  async history(q: RequestHistoryQueryDto): Promise<RequestHistoryListDto> {
    const page = q.page ?? 1;
    const perPage = q.per_page ?? 50;
    const [rows, total] = await this.repo.find(
      {
        model: q.model,
        backendId: q.backend_id,
        status: q.status,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
      },
      page,
      perPage,
    );
    return { requests: rows.map(RequestHistoryItemDto.from), total, page, per_page: perPage };
  }

  overview(now = Date.now()): StatsDto {
    const a = this.aggregator;
    const hour = a.lastHour(now);
    const hourTotals = hour.reduce(
      (acc, m) => ({ requests: acc.requests + m.requests, errors: acc.errors + m.errors }),
      { requests: 0, errors: 0 },
    );
    const p = a.percentiles(now);
    const group = (g: ReturnType<StatsAggregator['backendStats']>[number]): GroupStatsDto => ({
      id: g.id,
      name: g.name,
      requests: g.requests,
      errors: g.errors,
      error_rate: g.requests ? round(g.errors / g.requests, 4)! : 0,
      prompt_tokens: g.promptTokens,
      completion_tokens: g.completionTokens,
      avg_latency_ms: g.requests ? round(g.latencySumMs / g.requests)! : null,
    });
    const t = a.totals;
    return {
      since: new Date(a.since).toISOString(),
      in_flight: this.metrics.requestsInFlight,
      scheduling: this.scheduling(),
      totals: {
        requests: t.requests,
        errors: t.errors,
        error_rate: t.requests ? round(t.errors / t.requests, 4)! : 0,
        prompt_tokens: t.promptTokens,
        completion_tokens: t.completionTokens,
        avg_latency_ms: t.requests ? round(t.latencySumMs / t.requests) : null,
      },
      last_hour: {
        requests: hourTotals.requests,
        errors: hourTotals.errors,
        error_rate: hourTotals.requests ? round(hourTotals.errors / hourTotals.requests, 4)! : 0,
        requests_per_minute: round(hourTotals.requests / 60, 2)!,
        p50_latency_ms: round(p.p50),
        p95_latency_ms: round(p.p95),
        p99_latency_ms: round(p.p99),
        p50_ttft_ms: round(p.ttftP50),
        p95_ttft_ms: round(p.ttftP95),
      },
      backends: a
        .backendStats()
        .map(group)
        .sort((x, y) => y.requests - x.requests),
      models: a
        .modelStats()
        .map(group)
        .sort((x, y) => y.requests - x.requests),
      per_minute: hour.map((m) => ({
        minute: new Date(m.start).toISOString(),
        requests: m.requests,
        errors: m.errors,
        prompt_tokens: m.promptTokens,
        completion_tokens: m.completionTokens,
        avg_latency_ms: m.requests ? round(m.latencySumMs / m.requests) : null,
        p50_latency_ms: round(m.p50LatencyMs),
      })),
    };
  }
}
