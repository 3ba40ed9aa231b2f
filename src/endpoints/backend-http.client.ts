import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Agent, request } from 'undici';

/** What a backend answered (any HTTP status). */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the body is JSON, else undefined. */
  json: unknown;
  text: string;
  latencyMs: number;
}

/** The backend did not answer at all (refused, reset, DNS, timeout). */
export class BackendUnreachableError extends Error {
  constructor(
    message: string,
    readonly timedOut: boolean,
  ) {
    super(message);
  }
}

export interface HttpCallOptions {
  apiKey?: string | null;
  /** Hard limit for the whole exchange (connect + headers + body). */
  timeoutMs: number;
  /** Caller's cancellation (e.g. shutdown); combined with the timeout. */
  signal?: AbortSignal;
  body?: unknown;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;

/**
 * The one outbound HTTP layer for talking to endpoints (detection, probes, model sync,
 * metadata, downloads). Every call has an explicit timeout and an AbortSignal; connections
 * are pooled with keep-alive per origin.
 */
@Injectable()
export class BackendHttpClient implements OnModuleDestroy {
  private readonly agent = new Agent({
    connect: { timeout: 3000 },
    keepAliveTimeout: 10_000,
    connections: 8,
  });
  private readonly shutdown = new AbortController();

  async onModuleDestroy(): Promise<void> {
    this.shutdown.abort();
    await this.agent.close().catch(() => undefined);
  }

  get(url: string, opts: HttpCallOptions): Promise<HttpAnswer> {
    return this.call('GET', url, opts);
  }

  post(url: string, opts: HttpCallOptions): Promise<HttpAnswer> {
    return this.call('POST', url, opts);
  }

  /**
   * Opens a streamed exchange (e.g. Ollama's NDJSON `/api/pull` progress): resolves once the
   * headers arrive (within `timeoutMs`); the body is then read by the caller, who ends it with
   * `signal` (or by consuming it fully). `idleMs` bounds the silence between body chunks.
   */
  async stream(
    method: 'GET' | 'POST',
    url: string,
    opts: HttpCallOptions & { idleMs: number },
  ): Promise<{ status: number; headers: Record<string, string>; body: AsyncIterable<Buffer> }> {
    const signals = [this.shutdown.signal];
    if (opts.signal) signals.push(opts.signal);
    const headers: Record<string, string> = {
      accept: 'application/x-ndjson, application/json, text/event-stream',
    };
    if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    try {
      const res = await request(url, {
        method,
        headers,
        body,
        signal: AbortSignal.any(signals),
        dispatcher: this.agent,
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.idleMs,
      });
      return { status: res.statusCode, headers: flattenHeaders(res.headers), body: res.body };
    } catch (e) {
      throw new BackendUnreachableError(`${method} ${url}: ${describeError(e as Error)}`, false);
    }
  }

  async call(
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    opts: HttpCallOptions,
  ): Promise<HttpAnswer> {
    const signals = [this.shutdown.signal, AbortSignal.timeout(opts.timeoutMs)];
    if (opts.signal) signals.push(opts.signal);
    const signal = AbortSignal.any(signals);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const started = performance.now();
    try {
      const res = await request(url, {
        method,
        headers,
        body,
        signal,
        dispatcher: this.agent,
        headersTimeout: opts.timeoutMs,
        bodyTimeout: opts.timeoutMs,
      });
      const text = await readLimited(res.body, MAX_BODY_BYTES);
      const latencyMs = Math.round(performance.now() - started);
      const flat = flattenHeaders(res.headers);
      let json: unknown;
      if (text.length > 0 && /^\s*[[{"]/.test(text)) {
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
      }
      return { status: res.statusCode, headers: flat, json, text, latencyMs };
    } catch (e) {
      const timedOut = signal.aborted && !this.shutdown.signal.aborted && !opts.signal?.aborted;
      const err = e as Error & { code?: string };
      const reason = timedOut ? `timed out after ${opts.timeoutMs} ms` : describeError(err);
      throw new BackendUnreachableError(`${method} ${url}: ${reason}`, timedOut);
    }
  }
}

function flattenHeaders(
  headers: Record<string, string | string[] | undefined>,
): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v !== undefined) flat[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
  }
  return flat;
}

function describeError(err: Error & { code?: string; cause?: unknown }): string {
  const cause = err.cause as (Error & { code?: string }) | undefined;
  const code = err.code ?? cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'connection closed by the server';
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect timed out';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'timed out';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  return code ? `${code}: ${err.message}` : err.message;
}

async function readLimited(
  body: AsyncIterable<Buffer> & { destroy?: () => void },
  limit: number,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > limit) {
      body.destroy?.();
      throw new Error(`response larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
