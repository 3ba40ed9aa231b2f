import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type { AttemptResult } from '../routing/routing-table.service';
import { Scheduler } from '../routing/scheduler.service';
import { StatsService } from '../stats/stats.service';
import { clip, type Exchange } from './exchange';
import { type AttemptFailure, backendMessage, classifyError } from './failover';
import { redactBody, redactionFor, redactText } from './redact';
import { extractUsageFromJson } from './sse';
import { StreamRelayer } from './stream-relay';
import type { UpstreamPlan } from './upstream-plan';

export type AttemptOutcome = { kind: 'done' } | { kind: 'failed'; failure: AttemptFailure };

const DONE: AttemptOutcome = { kind: 'done' };

/**
 * One upstream attempt: send the plan, fail before the first byte (so the request can fail
 * over), otherwise answer the client. The backend's slot is released on every path.
 */
@Injectable()
export class UpstreamAttempt {
  private readonly idleTimeoutMs: number;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly stats: StatsService,
    private readonly streams: StreamRelayer,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.idleTimeoutMs = config.proxy.idleTimeoutSecs * 1000;
  }

  async run(ex: Exchange, plan: UpstreamPlan): Promise<AttemptOutcome> {
    // The scheduler took the backend's slot when it chose it; released in `finally`.
    const b = plan.backend;
    const reply = ex.reply;
    let result: AttemptResult = 'neutral';
    let ok = false;
    let tokensPerSec: number | null = null;
    let latencyMs: number | undefined;
    try {
      const started = ex.charge();
      let res;
      try {
        res = await plan.target.pool.request({
          path: plan.path,
          method: 'POST',
          headers: plan.headers,
          body: typeof plan.body === 'function' ? plan.body() : plan.body,
          signal: ex.abort.signal,
          headersTimeout: plan.headersTimeoutMs,
          bodyTimeout: this.idleTimeoutMs,
        });
      } catch (err) {
        const failure = classifyError(err, ex.clientGone);
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
          return { kind: 'failed', failure: classifyError(err, ex.clientGone) };
        }
        return {
          kind: 'failed',
          failure: { kind: 'status', status, message: backendMessage(text) },
        };
      }

      if (ex.parsed.stream && status < 300 && contentType.startsWith(plan.streamContentType)) {
        // Wait for the first chunk before committing: a backend dying now can still fail over.
        const it = res.body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
        let first: IteratorResult<Buffer>;
        try {
          first = await it.next();
        } catch (err) {
          const failure = classifyError(err, ex.clientGone);
          if (failure.kind !== 'aborted') result = 'failed';
          return { kind: 'failed', failure };
        }
        ex.ttftMs = ex.markNow();
        const out = await this.streams.relay(ex, plan, it, first);
        ok = out.ok;
        result = out.ok ? 'ok' : out.backendFailed ? 'failed' : 'neutral';
        const end = reply.elapsedTime;
        latencyMs = end - started;
        if (ok && ex.usage?.completionTokens && ex.ttftMs !== null) {
          const genSecs = (end - ex.ttftMs) / 1000;
          tokensPerSec = genSecs > 0 ? ex.usage.completionTokens / genSecs : null;
        }
        return DONE;
      }

      let body: Buffer;
      try {
        body = Buffer.from(await res.body.arrayBuffer());
      } catch (err) {
        const failure = classifyError(err, ex.clientGone);
        if (failure.kind !== 'aborted') result = 'failed';
        return { kind: 'failed', failure };
      }
      result = 'ok';
      const bodyAt = ex.markNow();
      ex.ttftMs = headersAt;
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
          ex.usage = t.usage;
          outType = 'application/json';
        } else if (contentType.includes('json')) {
          ex.usage = extractUsageFromJson(body);
        }
        ok = true;
        latencyMs = bodyAt - started;
        if (ex.usage?.completionTokens)
          tokensPerSec = ex.usage.completionTokens / ((bodyAt - started) / 1000);
      } else {
        // the client's error (4xx): passed through as is
        ok = true;
        if (plan.translateClientError) {
          outBody = plan.translateClientError(status, body);
          outType = 'application/json';
        }
        outBody = redactBody(outBody, redactionFor(plan));
        ex.errorCode = null;
      }
      ex.status = status;
      if (this.stats.historyBodies) ex.responseBody = clip(outBody.toString('utf8'));
      ex.charge();
      void reply
        .status(status)
        .header('content-type', outType)
        .header('x-llmlb-backend', plan.id)
        .header('x-llmlb-overhead-ms', ex.overheadMs.toFixed(3))
        .send(outBody);
      return DONE;
    } finally {
      if (b) {
        this.scheduler.release(b, ok ? { result, latencyMs, tokensPerSec } : { result });
      }
    }
  }
}
