import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { StatsService } from '../stats/stats.service';
import { CLIENT_CLOSED, type Exchange, HISTORY_BODY_MAX } from './exchange';
import { classifyError } from './failover';
import { sseErrorTail } from './sse';
import type { UpstreamPlan } from './upstream-plan';

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

/** Pipes a streamed answer to the client; an upstream failure ends it with an error tail. */
@Injectable()
export class StreamRelayer {
  private readonly logger = new Logger('ProxyService');
  private readonly idleTimeoutMs: number;

  constructor(
    private readonly stats: StatsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.idleTimeoutMs = config.proxy.idleTimeoutSecs * 1000;
  }

  /**
   * Commits the answer (status 200, stream headers) and relays `first` then the rest of `it`
   * with backpressure. `ok`: the stream ended normally; `backendFailed`: upstream broke it.
   */
  async relay(
    ex: Exchange,
    plan: UpstreamPlan,
    it: AsyncIterator<Buffer>,
    first: IteratorResult<Buffer>,
  ): Promise<{ ok: boolean; backendFailed: boolean }> {
    const relay = plan.createRelay();
    const reply = ex.reply;
    const raw = reply.raw;
    const keep = this.stats.historyBodies;
    let kept = '';
    let stalled = false;
    const send = async (out: string | Buffer) => {
      if (out.length === 0 || raw.destroyed) return;
      if (keep && kept.length < HISTORY_BODY_MAX) kept += out.toString();
      if (!raw.write(out) && !(await waitDrain(raw, this.idleTimeoutMs))) {
        // A client that stops reading must not hold the backend: cut it (the upstream
        // request is then aborted and the slot released by the attempt).
        stalled = true;
        this.logger.warn(
          `request ${String(reply.request.id)}: client stopped reading for ${this.idleTimeoutMs} ms, stream closed`,
        );
        raw.destroy();
      }
    };

    reply.hijack();
    const headers = reply.getHeaders() as Record<string, string | number | string[]>;
    ex.charge();
    raw.writeHead(200, {
      ...headers,
      'content-type': plan.clientStreamContentType ?? 'text/event-stream',
      'cache-control': 'no-cache',
      'x-accel-buffering': 'no',
      connection: 'keep-alive',
      'x-llmlb-backend': plan.id,
      'x-llmlb-overhead-ms': ex.overheadMs.toFixed(3),
    });
    ex.status = 200;
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
      const f = classifyError(err, ex.clientGone);
      ok = false;
      if (f.kind === 'aborted') {
        ex.status = CLIENT_CLOSED;
      } else {
        backendFailed = true;
        const e = ex.clientError(f, plan);
        ex.status = e.status;
        ex.errorCode = e.code;
        const tail = plan.streamErrorTail ?? sseErrorTail;
        if (!raw.destroyed) await send(tail(e.status, e.code, e.message));
      }
    } finally {
      if ((ex.clientGone || stalled) && ex.status === 200) {
        ex.status = CLIENT_CLOSED;
        ok = false;
      }
      ex.usage = relay.usage;
      if (keep) ex.responseBody = kept;
      if (!raw.destroyed) raw.end();
      if (typeof it.return === 'function' && (raw.destroyed || !ok)) {
        await Promise.resolve(it.return()).catch(() => undefined);
      }
    }
    return { ok, backendFailed };
  }
}
