import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';
import { AppError } from '../common/app-error';
import type { RawBodyRequest } from '../common/http-setup';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { AuthenticatedRequest } from '../auth/principal';
import { conversationKey } from '../routing/affinity';
import type { Backend } from '../routing/backend';
import { RoutingTable, type AttemptResult, type Route } from '../routing/routing-table.service';
import { QueueRejection, Scheduler, WaiterGone } from '../routing/scheduler.service';
import { MetricsService } from '../stats/metrics.service';
import { StatsService } from '../stats/stats.service';
import { AliasRewrite } from './alias-rewrite';
import { CloudProviders } from './cloud/cloud-providers';
import {
  AttemptFailure,
  backendMessage,
  classifyError,
  finalError,
  finalMessage,
  isPassiveHealthFailure,
  shouldFailover,
} from './failover';
import type { Ingress, PreparedIngress } from './ingress';
import { redactBody, redactionFor, redactSecrets, redactText } from './redact';
import { parseProxyRequest, ParsedRequest, ProxyOperation, upstreamBody } from './request-body';
import { extractUsageFromJson, OpenAiSseRelay, sseErrorTail, type Usage } from './sse';
import type { UpstreamPlan } from './upstream-plan';
import { UpstreamPools } from './upstream-pools';

export type ProxyRequest = RawBodyRequest & AuthenticatedRequest;

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
  /** Time spent waiting for a backend slot (admission queue), ms. */
  queueMs: number;
  requestBody: string | null;
  responseBody: string | null;
  /** The client dialect's transform of each plan (null: plain OpenAI). */
  adapt: PreparedIngress['adapt'] | null;
}

function clip(s: string): string {
  return s.length > HISTORY_BODY_MAX ? s.slice(0, HISTORY_BODY_MAX) : s;
}

/** Waits until the client takes more bytes (or goes away); false when it stalled `timeoutMs`. */
function waitDrain(raw: ServerResponse, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (drained: boolean) => {
      clearTimeout(timer);
      raw.off('drain', onEvent);
      raw.off('close', onEvent);
      resolve(drained);
    };
    const onEvent = () => done(true);
    const timer = setTimeout(() => done(false), timeoutMs);
    raw.on('drain', onEvent);
    raw.on('close', onEvent);
  });
}

type AttemptOutcome = { kind: 'done' } | { kind: 'failed'; failure: AttemptFailure };

/** Who is asking, for round-robin fairness in the admission queue. */
function callerOf(req: ProxyRequest): string {
  const p = req.principal;
  if (!p) return 'anonymous';
  if (p.kind === 'api_key') return `k:${p.keyId}`;
  if (p.kind === 'user') return `u:${p.userId}`;
  return `n:${p.nodeId}`;
}

/**
 * The `/v1` hot path: pick a backend from the in-memory routing table, forward the client's
 * bytes over a keep-alive pool, fail over before the first byte, relay streams chunk by chunk
 * with backpressure, and hand one record per request to the stats (memory only).
 */
@Injectable()
export class ProxyService {
  private readonly logger = new Logger(ProxyService.name);
  private readonly idleTimeoutMs: number;

  constructor(
    private readonly table: RoutingTable,
    private readonly scheduler: Scheduler,
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
      queueMs: 0,
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
      if (e instanceof QueueRejection) {
        void reply.header('retry-after', String(e.retryAfterSecs));
        this.metrics.observeQueueRejection(ctx.model, e.code);
      }
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
    const route = this.table.route(parsed.model);
    if (!route) {
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
    let online = 0;
    for (const b of route.backends) if (b.online) online += 1;
    if (online === 0) {
      throw new AppError('no_healthy_backend', `No online backend serves model "${parsed.model}"`, {
        param: 'model',
      });
    }
    const tried: string[] = [];
    const caller = callerOf(req);
    const affinityKey = this.scheduler.wantsAffinity(route)
      ? conversationKey(req.headers['x-session-id'], parsed.model, parsed.json)
      : null;
    const requestId = String(req.id);
    const planFor = (b: Backend): UpstreamPlan => {
      tried.push(b.id);
      const plan = this.localPlan(b, route, ctx.op, parsed, requestId);
      return ctx.adapt ? ctx.adapt(plan) : plan;
    };
    const next = (signal: AbortSignal): UpstreamPlan | null | Promise<UpstreamPlan | null> => {
      const got = this.scheduler.acquire({ route, caller, affinityKey, exclude: tried, signal });
      if (got === null) return null;
      if (got instanceof Promise) return got.then(planFor);
      return planFor(got);
    };
    await this.run(ctx, parsed, req, reply, next, Math.min(this.config.proxy.maxAttempts, online));
  }

  private localPlan(
    b: Backend,
    route: Route,
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
    const backendModel = route.upstreamModel?.get(b.id) ?? parsed.model;
    const alias =
      backendModel !== parsed.model ? new AliasRewrite(backendModel, parsed.model) : null;
    return {
      backend: b,
      id: b.id,
      name: b.name,
      target,
      path: `${target.pathPrefix}/v1/${op}`,
      headers,
      body: upstreamBody(parsed, op, backendModel),
      headersTimeoutMs: b.inferenceTimeoutMs,
      translateJson: alias ? (body) => alias.json(body) : null,
      translateClientError: null,
      createRelay: () => {
        const relay = new OpenAiSseRelay(parsed.stream && !parsed.clientWantsUsage);
        return alias ? alias.relay(relay) : relay;
      },
      streamContentType: 'text/event-stream',
    };
  }

  /** Tries plans until one answers (or failover is exhausted). */
  private async run(
    ctx: Ctx,
    parsed: ParsedRequest,
    req: ProxyRequest,
    reply: FastifyReply,
    next: (signal: AbortSignal) => UpstreamPlan | null | Promise<UpstreamPlan | null>,
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
    let last: { failure: AttemptFailure; plan: UpstreamPlan } | null = null;
    let mark = reply.elapsedTime;
    try {
      while (ctx.attempts < maxAttempts) {
        const got = next(ac.signal);
        let plan: UpstreamPlan | null;
        if (got instanceof Promise) {
          // Every backend was full: the request waited in the admission queue.
          const waitStart = reply.elapsedTime;
          try {
            plan = await got;
          } catch (e) {
            if (!(e instanceof WaiterGone)) throw e;
            ctx.status = CLIENT_CLOSED;
            if (!reply.sent) reply.hijack();
            return;
          }
          const waited = reply.elapsedTime - waitStart;
          ctx.queueMs += waited;
          mark += waited;
          this.metrics.observeQueueWait(parsed.model, waited);
          void reply.header('x-llmlb-queue-ms', ctx.queueMs.toFixed(1));
        } else plan = got;
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
          `No online backend serves model "${parsed.model}"`,
        );
      throw this.clientError(last.failure, last.plan, req);
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
  ): Promise<AttemptOutcome> {
    // The scheduler took the backend's slot when it chose it; released in `finally`.
    const b = plan.backend;
    let result: AttemptResult = 'neutral';
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
        const failure = classifyError(err, clientGone());
        if (failure.kind !== 'aborted') result = 'failed';
        return { kind: 'failed', failure };
      }
      const headersAt = reply.elapsedTime;
      const status = res.statusCode;
      const contentType = String(res.headers['content-type'] ?? '');

      if (status >= 500 || status === 429) {
        result = 'failed';
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
          const failure = classifyError(err, clientGone());
          if (failure.kind !== 'aborted') result = 'failed';
          return { kind: 'failed', failure };
        }
        ctx.ttftMs = reply.elapsedTime;
        const streamStart = reply.elapsedTime;
        const out = await this.relay(ctx, plan, reply, it, first, clientGone, streamStart);
        ok = out.ok;
        result = out.ok ? 'ok' : out.backendFailed ? 'failed' : 'neutral';
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
        const failure = classifyError(err, clientGone());
        if (failure.kind !== 'aborted') result = 'failed';
        return { kind: 'failed', failure };
      }
      result = 'ok';
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
              `${plan.name} answered a body that cannot be translated: ${redactText((e as Error).message, redactionFor(plan))}`,
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
        outBody = redactBody(outBody, redactionFor(plan));
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
        this.scheduler.release(b, ok ? { result, latencyMs, tokensPerSec } : { result });
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
  ): Promise<{ ok: boolean; backendFailed: boolean }> {
    const relay = plan.createRelay();
    const raw = reply.raw;
    const keep = this.stats.historyBodies;
    let kept = '';
    let stalled = false;
    const send = async (out: string | Buffer) => {
      if (out.length === 0 || raw.destroyed) return;
      if (keep && kept.length < HISTORY_BODY_MAX) kept += out.toString();
      if (!raw.write(out) && !(await waitDrain(raw, this.idleTimeoutMs))) {
        // A client that stops reading must not hold the backend: cut it (the upstream
        // request is then aborted and the slot released below).
        stalled = true;
        this.logger.warn(
          `request ${String(reply.request.id)}: client stopped reading for ${this.idleTimeoutMs} ms, stream closed`,
        );
        raw.destroy();
      }
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
    let backendFailed = false;
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
        backendFailed = true;
        const e = this.clientError(f, plan, reply.request);
        ctx.status = e.status;
        ctx.errorCode = e.code;
        const tail = plan.streamErrorTail ?? sseErrorTail;
        if (!raw.destroyed) await send(tail(e.status, e.code, e.message));
      }
    } finally {
      if ((clientGone() || stalled) && ctx.status === 200) {
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
    return { ok, backendFailed };
  }

  /** The error a `/v1` caller gets: no backend address or key in it; the full text is logged. */
  private clientError(f: AttemptFailure, plan: UpstreamPlan, req: { id: unknown }): AppError {
    const r = redactionFor(plan);
    this.logger.warn(
      `request ${String(req.id)}: ${plan.target.origin}: ${redactSecrets(finalMessage(f, plan.name), r.secrets)}`,
    );
    return finalError(f, plan.name, (t) => redactText(t, r));
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
