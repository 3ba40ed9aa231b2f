import { Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { AppError } from '../common/app-error';
import { RoutingTable } from '../routing/routing-table.service';
import { QueueRejection, WaiterGone } from '../routing/scheduler.service';
import { MetricsService } from '../stats/metrics.service';
import { StatsService } from '../stats/stats.service';
import { UpstreamAttempt } from './attempt';
import { clip, Exchange, type ProxyRequest } from './exchange';
import { type AttemptFailure, isPassiveHealthFailure, shouldFailover } from './failover';
import type { Ingress, PreparedIngress } from './ingress';
import { type Planner, ProxyPlanner } from './planner';
import { parseProxyRequest, ProxyOperation } from './request-body';
import type { UpstreamPlan } from './upstream-plan';

export type { ProxyRequest } from './exchange';

/**
 * The `/v1` hot path: pick a backend from the in-memory routing table (`ProxyPlanner`), forward
 * the client's bytes over a keep-alive pool (`UpstreamAttempt`), fail over before the first
 * byte, relay streams chunk by chunk with backpressure (`StreamRelayer`), and hand one record
 * per request to the stats (memory only).
 */
@Injectable()
export class ProxyService {
  constructor(
    private readonly planner: ProxyPlanner,
    private readonly attempt: UpstreamAttempt,
    private readonly table: RoutingTable,
    private readonly stats: StatsService,
    private readonly metrics: MetricsService,
  ) {}

  /** `ingress`: a client dialect (Anthropic, Ollama, …) transforming request and answer. */
  async handle(
    op: ProxyOperation,
    req: ProxyRequest,
    reply: FastifyReply,
    ingress?: Ingress,
  ): Promise<void> {
    const ex = new Exchange(op, req, reply);
    this.metrics.requestStarted();
    let prepared: PreparedIngress | null = null;
    try {
      if (ingress) {
        prepared = await ingress.prepare(req);
        ex.adapt = prepared.adapt;
        if (!ex.model) ex.model = prepared.parsed.model;
      }
      const parsed = prepared ? prepared.parsed : parseProxyRequest(req.body, req.rawBody);
      ex.parsed = parsed;
      ex.stream = parsed.stream;
      if (this.stats.historyBodies) ex.requestBody = clip(parsed.raw.toString('utf8'));
      await this.run(ex, this.planner.plan(ex));
    } catch (e) {
      if (e instanceof QueueRejection) {
        void reply.header('retry-after', String(e.retryAfterSecs));
        this.metrics.observeQueueRejection(ex.model, e.code);
      }
      if (e instanceof AppError) {
        ex.status = e.status;
        ex.errorCode = e.code;
      } else {
        ex.status = 500;
        ex.errorCode = 'internal_error';
      }
      if (ex.overheadMs === 0) ex.overheadMs = reply.elapsedTime;
      throw e;
    } finally {
      prepared?.cleanup?.();
      this.metrics.requestEnded();
      this.stats.record(ex.record());
    }
  }

  /** Tries plans until one answers (or failover is exhausted). */
  private async run(ex: Exchange, planner: Planner): Promise<void> {
    const reply = ex.reply;
    const signal = ex.abort.signal;
    ex.watchClient();
    let last: { failure: AttemptFailure; plan: UpstreamPlan } | null = null;
    ex.markNow();
    try {
      while (ex.attempts < planner.maxAttempts) {
        const got = planner.next(signal);
        let plan: UpstreamPlan | null;
        if (got instanceof Promise) {
          // Every backend was full: the request waited in the admission queue.
          const waitStart = reply.elapsedTime;
          try {
            plan = await got;
          } catch (e) {
            if (!(e instanceof WaiterGone)) throw e;
            ex.closedByClient();
            return;
          }
          const waited = reply.elapsedTime - waitStart;
          ex.queueMs += waited;
          ex.mark += waited;
          this.metrics.observeQueueWait(ex.parsed.model, waited);
          void reply.header('x-llmlb-queue-ms', ex.queueMs.toFixed(1));
        } else plan = got;
        if (!plan) break;
        ex.attempts += 1;
        ex.planId = plan.id;
        ex.planName = plan.name;
        const result = await this.attempt.run(ex, plan);
        if (result.kind === 'done') return;
        ex.markNow();
        const f = result.failure;
        if (f.kind === 'aborted') {
          ex.closedByClient();
          return;
        }
        last = { failure: f, plan };
        if (plan.backend && isPassiveHealthFailure(f)) {
          this.table.reportFailure(
            plan.backend,
            f.kind === 'timeout' ? `timeout: ${f.message}` : f.message,
          );
        }
        if (!shouldFailover(f)) break;
      }
      if (!last)
        throw new AppError(
          'no_healthy_backend',
          `No online backend serves model "${ex.parsed.model}"`,
        );
      throw ex.clientError(last.failure, last.plan);
    } finally {
      ex.unwatchClient();
    }
  }
}
