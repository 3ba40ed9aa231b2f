import { Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { AppError } from '../common/app-error';
import type { RawBodyRequest } from '../common/http-setup';
import type { AuthenticatedRequest } from '../auth/principal';
import type { RequestRecord } from '../stats/request-record';
import { type AttemptFailure, finalError, finalMessage } from './failover';
import type { PreparedIngress } from './ingress';
import { redactionFor, redactSecrets, redactText } from './redact';
import type { ParsedRequest, ProxyOperation } from './request-body';
import type { Usage } from './sse';
import type { UpstreamPlan } from './upstream-plan';

export type ProxyRequest = RawBodyRequest & AuthenticatedRequest;

/** Largest body kept in history when LLMLB_HISTORY_BODIES is on. */
export const HISTORY_BODY_MAX = 64 * 1024;
export const CLIENT_CLOSED = 499;

export function clip(s: string): string {
  return s.length > HISTORY_BODY_MAX ? s.slice(0, HISTORY_BODY_MAX) : s;
}

const logger = new Logger('ProxyService');

/**
 * One `/v1` request from the client's bytes to its history record: the request and reply, the
 * abort signal that follows the client, and what is recorded at the end. Overhead (time spent
 * in llmlb, not waiting for a backend or a slot) is counted from `mark` by `charge()`.
 */
export class Exchange {
  /** Aborted when the client goes away before the answer is complete. */
  readonly abort = new AbortController();
  clientGone = false;
  /** Set once the request is parsed (by the dialect or as OpenAI JSON). */
  parsed!: ParsedRequest;

  readonly at: number;
  model: string;
  modelKnown = false;
  stream = false;
  planId: string | null = null;
  planName: string | null = null;
  status = 200;
  errorCode: string | null = null;
  ttftMs: number | null = null;
  /** Time spent in llmlb itself (not waiting for a backend), ms. */
  overheadMs = 0;
  /** Start of the llmlb time not yet added to `overheadMs` (reply.elapsedTime, ms). */
  mark = 0;
  usage: Usage | null = null;
  attempts = 0;
  /** Time spent waiting for a backend slot (admission queue), ms. */
  queueMs = 0;
  requestBody: string | null = null;
  responseBody: string | null = null;
  /** The client dialect's transform of each plan (null: plain OpenAI). */
  adapt: PreparedIngress['adapt'] | null = null;

  constructor(
    readonly op: ProxyOperation,
    readonly req: ProxyRequest,
    readonly reply: FastifyReply,
  ) {
    this.at = Date.now() - reply.elapsedTime;
    const model = (req.body as { model?: unknown } | undefined)?.model;
    this.model = typeof model === 'string' ? model : '';
  }

  /** Starts following the client: a close before the answer is finished aborts upstream. */
  watchClient(): void {
    this.reply.raw.on('close', this.onClose);
  }

  unwatchClient(): void {
    this.reply.raw.off('close', this.onClose);
  }

  private readonly onClose = (): void => {
    if (!this.reply.raw.writableFinished) {
      this.clientGone = true;
      this.abort.abort();
    }
  };

  /** Adds the llmlb time since `mark` to the overhead; returns now (the new mark). */
  charge(): number {
    const now = this.reply.elapsedTime;
    this.overheadMs += now - this.mark;
    this.mark = now;
    return now;
  }

  /** Restarts overhead counting now (after time spent waiting on a backend). */
  markNow(): number {
    return (this.mark = this.reply.elapsedTime);
  }

  /** The client went away: nothing more is sent, the request is recorded as 499. */
  closedByClient(): void {
    this.status = CLIENT_CLOSED;
    if (!this.reply.sent) this.reply.hijack();
  }

  /** The error the caller gets: no backend address or key in it; the full text is logged. */
  clientError(f: AttemptFailure, plan: UpstreamPlan): AppError {
    const r = redactionFor(plan);
    logger.warn(
      `request ${String(this.req.id)}: ${plan.target.origin}: ${redactSecrets(finalMessage(f, plan.name), r.secrets)}`,
    );
    return finalError(f, plan.name, (t) => redactText(t, r));
  }

  /** The one history record of this request. */
  record(): RequestRecord {
    const p = this.req.principal;
    return {
      at: this.at,
      requestId: String(this.req.id),
      apiKeyId: p?.kind === 'api_key' ? p.keyId : null,
      userId: p?.kind === 'user' ? p.userId : null,
      operation: this.op,
      model: this.model,
      modelKnown: this.modelKnown,
      backendId: this.planId,
      backendName: this.planName,
      status: this.status,
      errorCode: this.errorCode,
      stream: this.stream,
      latencyMs: this.reply.elapsedTime,
      ttftMs: this.ttftMs,
      overheadMs: this.overheadMs,
      promptTokens: this.usage?.promptTokens ?? null,
      completionTokens: this.usage?.completionTokens ?? null,
      attempts: this.attempts,
      requestBody: this.requestBody,
      responseBody: this.responseBody,
    };
  }
}
