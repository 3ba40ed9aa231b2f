import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';
import { AppError } from '../common/app-error';
import type { RawBodyRequest } from '../common/http-setup';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { AuthenticatedRequest } from '../auth/principal';
import type { Backend } from '../routing/backend';
import { RoutingTable } from '../routing/routing-table.service';
import { MetricsService } from '../stats/metrics.service';
import { StatsService } from '../stats/stats.service';
import { Balancer } from './balancer';
import { CloudProviders } from './cloud/cloud-providers';
import {
  AttemptFailure,
  backendMessage,
  classifyError,
  finalError,
  isPassiveHealthFailure,
  shouldFailover,
} from './failover';
import type { Ingress, PreparedIngress } from './ingress';
import { parseProxyRequest, ParsedRequest, ProxyOperation, upstreamBody } from './request-body';
import { extractUsageFromJson, OpenAiSseRelay, sseErrorTail, type Usage } from './sse';
import type { UpstreamPlan } from './upstream-plan';
import { UpstreamPools } from './upstream-pools';

export type ProxyRequest = RawBodyRequest & AuthenticatedRequest;

/** How long a backend that failed on real traffic is chosen only as a last resort. */
const PENALTY_MS = 5_000;
/** Largest body kept in history when LLMLB_HISTORY_BODIES is on. */
const HISTORY_BODY_MAX = 64 * 1024;
const CLIENT_CLOSED = 499;

/** Per-request bookkeeping, turned into one history record at the end. */
interface Ctx {
  at: number;
  op: ProxyOperation;
  model: string;
  modelKnown: boolean;
  stream: boolean;
  planId: string | null;
  planName: string | null;
  status: number;
  errorCode: string | null;
  ttftMs: number | null;
  /** Time spent in llmlb itself (not waiting for a backend), ms. */
  overheadMs: number;
  usage: Usage | null;
  attempts: number;
  requestBody: string | null;
  responseBody: string | null;
  /** The client dialect's transform of each plan (null: plain OpenAI). */
  adapt: PreparedIngress['adapt'] | null;
}

function clip(s: string): string {
  return s.length > HISTORY_BODY_MAX ? s.slice(0, HISTORY_BODY_MAX) : s;
}

function waitDrain(raw: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      raw.off('drain', done);
      raw.off('close', done);
      resolve();
    };
    raw.on('drain', done);
    raw.on('close', done);
  });
}

type AttemptResult = { kind: 'done' } | { kind: 'failed'; failure: AttemptFailure };

/**
 * The `/v1` hot path: pick a backend from the in-memory routing table, forward the client's
 * bytes over a keep-alive pool, fail over before the first byte, relay streams chunk by chunk
 * with backpressure, and hand one record per request to the stats (memory only).
 */
@Injectable()
export class ProxyService {
  private readonly balancer = new Balancer();
  private readonly penalties = new Map<string, number>();
  private readonly idleTimeoutMs: number;

  constructor(
    private readonly table: RoutingTable,
    private readonly pools: UpstreamPools,
    private readonly stats: StatsService,
    private readonly metrics: MetricsService,
    private readonly cloud: CloudProviders,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.idleTimeoutMs = config.proxy.idleTimeoutSecs * 1000;
  }

  /** `ingress`: a client dialect (Anthropic, Ollama, …) transforming request and answer. */
  async handle(
    op: ProxyOperation,
    req: ProxyRequest,
    reply: FastifyReply,
    ingress?: Ingress,
  ): Promise<void> {
    const ctx: Ctx = {
      at: Date.now() - reply.elapsedTime,
      op,
      model:
        typeof (req.body as { model?: unknown })?.model === 'string'
          ? (req.body as { model: string }).model
          : '',
      modelKnown: false,
      stream: false,
      planId: null,
      planName: null,
      status: 200,
      errorCode: null,
      ttftMs: null,
      overheadMs: 0,
      usage: null,
      attempts: 0,
      requestBody: null,
      responseBody: null,
      adapt: null,
    };
    this.metrics.requestStarted();
    let prepared: PreparedIngress | null = null;
    try {
      if (ingress) {
        prepared = await ingress.prepare(req);
        ctx.adapt = prepared.adapt;
        if (!ctx.model) ctx.model = prepared.parsed.model;
      }
      const parsed = prepared ? prepared.parsed : parseProxyRequest(req.body, req.rawBody);
      ctx.stream = parsed.stream;
      if (this.stats.historyBodies) ctx.requestBody = clip(parsed.raw.toString('utf8'));
      await this.route(ctx, parsed, req, reply);
    } catch (e) {
      if (e instanceof AppError) {
        ctx.status = e.status;
        ctx.errorCode = e.code;
      } else {
        ctx.status = 500;
        ctx.errorCode = 'internal_error';
      }
      if (ctx.overheadMs === 0) ctx.overheadMs = reply.elapsedTime;
      throw e;
    } finally {
      prepared?.cleanup?.();
      this.metrics.requestEnded();
      this.finish(ctx, req, reply);
    }
  }

  private async route(
    ctx: Ctx,
    parsed: ParsedRequest,
    req: ProxyRequest,
    reply: FastifyReply,
  ): Promise<void> {
    const all = this.table.backendsFor(parsed.model);
    if (all.length === 0) {
      const cloud = this.cloud.resolve(parsed.model);
      if (!cloud)
        throw new AppError(
          'model_not_found',
          `Model "${parsed.model}" is not served by any backend`,
          { param: 'model' },
        );
      ctx.modelKnown = true;
      const cloudPlan = this.cloud.plan(cloud, ctx.op, parsed, String(req.id));
      const plan = ctx.adapt ? ctx.adapt(cloudPlan) : cloudPlan;
      await this.run(ctx, parsed, req, reply, () => (ctx.attempts === 0 ? plan : null), 1);
      return;
    }
    ctx.modelKnown = true;
    const online = all.filter((b) => b.online);
    if (online.length === 0) {
      throw new AppError('no_healthy_backend', `No online backend serves model "${parsed.model}"`, {
        param: 'model',
      });
    }
    const tried: string[] = [];
    const now = Date.now();
    const penalized =
      this.penalties.size > 0
        ? (b: Backend) => {
            const until = this.penalties.get(b.id);
            return until !== undefined && until > now;
          }
        : undefined;
    const next = (): UpstreamPlan | null => {
      const b = this.balancer.pick(online, tried, penalized);
      if (!b) return null;
      tried.push(b.id);
      const plan = this.localPlan(b, ctx.op, parsed, String(req.id));
      return ctx.adapt ? ctx.adapt(plan) : plan;
    };
    await this.run(
      ctx,
      parsed,
      req,
      reply,
      next,
      Math.min(this.config.proxy.maxAttempts, online.length),
    );
  }

  private localPlan(
    b: Backend,
    op: ProxyOperation,
    parsed: ParsedRequest,
    requestId: string,
  ): UpstreamPlan {
    const target = this.pools.target(b.baseUrl);
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: parsed.stream ? 'text/event-stream' : 'application/json',
      'x-request-id': requestId,
    };
    if (b.apiKey) headers.authorization = `Bearer ${b.apiKey}`;
    return {
      backend: b,
      id: b.id,
      name: b.name,
      target,
      path: `${target.pathPrefix}/v1/${op}`,
      headers,
      body: upstreamBody(parsed, op, parsed.model),
      headersTimeoutMs: b.inferenceTimeoutMs,
      translateJson: null,
      translateClientError: null,
      createRelay: () => new OpenAiSseRelay(parsed.stream && !parsed.clientWantsUsage),
      streamContentType: 'text/event-stream',
    };
  }

  /** Tries plans until one answers (or failover is exhausted). */
  private async run(
    ctx: Ctx,
    parsed: ParsedRequest,
    req: ProxyRequest,
    reply: FastifyReply,
    next: () => UpstreamPlan | null,
    maxAttempts: number,
  ): Promise<void> {
    const ac = new AbortController();
    let clientGone = false;
    const raw = reply.raw;
    const onClose = () => {
      if (!raw.writableFinished) {
        clientGone = true;
        ac.abort();
      }
    };
    raw.on('close', onClose);
    let last: { failure: AttemptFailure; name: string } | null = null;
    let mark = reply.elapsedTime;
    try {
      while (ctx.attempts < maxAttempts) {
        const plan = next();
        if (!plan) break;
        ctx.attempts += 1;
        ctx.planId = plan.id;
        ctx.planName = plan.name;
        const result = await this.attempt(
          ctx,
          parsed,
          plan,
          reply,
          ac.signal,
          () => clientGone,
          mark,
        );
        if (result.kind === 'done') return;
        mark = reply.elapsedTime;
        const f = result.failure;
        if (f.kind === 'aborted') {
          ctx.status = CLIENT_CLOSED;
          if (!reply.sent) reply.hijack();
          return;
        }
        last = { failure: f, name: plan.name };
        if (plan.backend && isPassiveHealthFailure(f)) {
          this.penalties.set(plan.backend.id, Date.now() + PENALTY_MS);
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
          `No online backend serves model "${parsed.model}"`,
        );
      throw finalError(last.failure, last.name);
    } finally {
      raw.off('close', onClose);
    }
  }

  /** One upstream attempt; the backend's load counter is released on every path. */
  private async attempt(
    ctx: Ctx,
    parsed: ParsedRequest,
    plan: UpstreamPlan,
    reply: FastifyReply,
    signal: AbortSignal,
    clientGone: () => boolean,
    since: number,
  ): Promise<AttemptResult> {
    const b = plan.backend;
    if (b) this.table.acquire(b);
    let ok = false;
    let tokensPerSec: number | null = null;
    let latencyMs: number | undefined;
    try {
      ctx.overheadMs += reply.elapsedTime - since;
      const started = reply.elapsedTime;
      let res;
      try {
        res = await plan.target.pool.request({
          path: plan.path,
          method: 'POST',
          headers: plan.headers,
          body: typeof plan.body === 'function' ? plan.body() : plan.body,
          signal,
          headersTimeout: plan.headersTimeoutMs,
          bodyTimeout: this.idleTimeoutMs,
        });
      } catch (err) {
        return { kind: 'failed', failure: classifyError(err, clientGone()) };
      }
      const headersAt = reply.elapsedTime;
      const status = res.statusCode;
      const contentType = String(res.headers['content-type'] ?? '');

      if (status >= 500) {
        let text: Buffer;
        try {
          text = Buffer.from(await res.body.arrayBuffer());
        } catch (err) {
          return { kind: 'failed', failure: classifyError(err, clientGone()) };
        }
        return {
          kind: 'failed',
          failure: { kind: 'status', status, message: backendMessage(text) },
        };
      }

      if (parsed.stream && status < 300 && contentType.startsWith(plan.streamContentType)) {
        // Wait for the first chunk before committing: a backend dying now can still fail over.
        const it = res.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
        let first: IteratorResult<Buffer>;
        try {
          first = await it.next();
        } catch (err) {
          return { kind: 'failed', failure: classifyError(err, clientGone()) };
        }
        ctx.ttftMs = reply.elapsedTime;
        const streamStart = reply.elapsedTime;
        const out = await this.relay(ctx, plan, reply, it, first, clientGone, streamStart);
        ok = out.ok;
        latencyMs = reply.elapsedTime - started;
        if (ok && ctx.usage?.completionTokens && ctx.ttftMs !== null) {
          const genSecs = (reply.elapsedTime - ctx.ttftMs) / 1000;
          tokensPerSec = genSecs > 0 ? ctx.usage.completionTokens / genSecs : null;
        }
        return { kind: 'done' };
      }

      let body: Buffer;
      try {
        body = Buffer.from(await res.body.arrayBuffer());
      } catch (err) {
        return { kind: 'failed', failure: classifyError(err, clientGone()) };
      }
      const bodyAt = reply.elapsedTime;
      ctx.ttftMs = headersAt;
      const mark = reply.elapsedTime;
      let outBody = body;
      let outType = contentType || 'application/json';
      if (status < 300) {
        if (plan.translateJson) {
          let t: ReturnType<NonNullable<UpstreamPlan['translateJson']>>;
          try {
            t = plan.translateJson(body);
          } catch (e) {
            throw new AppError(
              'upstream_error',
              `${plan.name} answered a body that cannot be translated: ${(e as Error).message}`,
            );
          }
          outBody = t.body;
          ctx.usage = t.usage;
          outType = 'application/json';
        } else if (contentType.includes('json')) {
          ctx.usage = extractUsageFromJson(body);
        }
        ok = true;
        latencyMs = bodyAt - started;
        if (ctx.usage?.completionTokens)
          tokensPerSec = ctx.usage.completionTokens / ((bodyAt - started) / 1000);
      } else {
        // the client's error (4xx): passed through as is
        ok = true;
        if (plan.translateClientError) {
          outBody = plan.translateClientError(status, body);
          outType = 'application/json';
        }
        ctx.errorCode = null;
      }
      ctx.status = status;
      if (this.stats.historyBodies) ctx.responseBody = clip(outBody.toString('utf8'));
      ctx.overheadMs += reply.elapsedTime - mark;
      void reply
        .status(status)
        .header('content-type', outType)
        .header('x-llmlb-backend', plan.id)
        .header('x-llmlb-overhead-ms', ctx.overheadMs.toFixed(3))
        .send(outBody);
      return { kind: 'done' };
    } finally {
      if (b) {
        this.table.release(b, ok ? { ok, latencyMs, tokensPerSec } : { ok: false });
        if (ok && this.penalties.size > 0) this.penalties.delete(b.id);
      }
    }
  }

  /** Pipes a stream to the client; upstream failure ends it with an error event and [DONE]. */
  private async relay(
    ctx: Ctx,
    plan: UpstreamPlan,
    reply: FastifyReply,
    it: AsyncIterator<Buffer>,
    first: IteratorResult<Buffer>,
    clientGone: () => boolean,
    since: number,
  ): Promise<{ ok: boolean }> {
    const relay = plan.createRelay();
    const raw = reply.raw;
    const keep = this.stats.historyBodies;
    let kept = '';
    const send = async (out: string | Buffer) => {
      if (out.length === 0 || raw.destroyed) return;
      if (keep && kept.length < HISTORY_BODY_MAX) kept += out.toString();
      if (!raw.write(out)) await waitDrain(raw);
    };

    reply.hijack();
    const headers = reply.getHeaders() as Record<string, string | number | string[]>;
    ctx.overheadMs += reply.elapsedTime - since;
    raw.writeHead(200, {
      ...headers,
      'content-type': plan.clientStreamContentType ?? 'text/event-stream',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
      'x-llmlb-backend': plan.id,
      'x-llmlb-overhead-ms': ctx.overheadMs.toFixed(3),
    });
    ctx.status = 200;
    let ok = true;
    try {
      if (!first.done) await send(relay.push(first.value));
      for (;;) {
        if (raw.destroyed) break;
        const n = await it.next();
        if (n.done) break;
        await send(relay.push(n.value));
      }
      if (!raw.destroyed) await send(relay.end());
    } catch (err) {
      const f = classifyError(err, clientGone());
      ok = false;
      if (f.kind === 'aborted') {
        ctx.status = CLIENT_CLOSED;
      } else {
        const e = finalError(f, plan.name);
        ctx.status = e.status;
        ctx.errorCode = e.code;
        const tail = plan.streamErrorTail ?? sseErrorTail;
        if (!raw.destroyed) await send(tail(e.status, e.code, e.message));
      }
    } finally {
      if (clientGone() && ctx.status === 200) {
        ctx.status = CLIENT_CLOSED;
        ok = false;
      }
      ctx.usage = relay.usage;
      if (keep) ctx.responseBody = kept;
      if (!raw.destroyed) raw.end();
      if (typeof it.return === 'function' && (raw.destroyed || !ok)) {
        await Promise.resolve(it.return()).catch(() => undefined);
      }
    }
    return { ok };
  }

  private finish(ctx: Ctx, req: ProxyRequest, reply: FastifyReply): void {
    const p = req.principal;
    this.stats.record({
      at: ctx.at,
      requestId: String(req.id),
      apiKeyId: p?.kind === 'api_key' ? p.keyId : null,
      userId: p?.kind === 'user' ? p.userId : null,
      operation: ctx.op,
      model: ctx.model,
      modelKnown: ctx.modelKnown,
      backendId: ctx.planId,
      backendName: ctx.planName,
      status: ctx.status,
      errorCode: ctx.errorCode,
      stream: ctx.stream,
      latencyMs: reply.elapsedTime,
      ttftMs: ctx.ttftMs,
      overheadMs: ctx.overheadMs,
      promptTokens: ctx.usage?.promptTokens ?? null,
      completionTokens: ctx.usage?.completionTokens ?? null,
      attempts: ctx.attempts,
      requestBody: ctx.requestBody,
      responseBody: ctx.responseBody,
    });
  }
}
