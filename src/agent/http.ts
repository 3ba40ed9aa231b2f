/**
 * Small HTTP helpers over node:http/https (not fetch: loading undici would cost the agent about
 * 10 MB and a few hundred ms at start), with a timeout on every call.
 */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface JsonResponse {
  status: number;
  body: unknown;
  headers: IncomingHttpHeaders;
}

/** Network failure or timeout (no HTTP answer). */
export class UnreachableError extends Error {}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Until the response headers arrive (and, for JSON, the whole body). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** One request, no redirects followed; resolves with the response stream once headers arrive. */
export function send(url: string, opts: RequestOptions = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const fn = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined) headers['content-length'] = String(Buffer.byteLength(opts.body));
    const req = fn(u, { method: opts.method ?? 'GET', headers, signal: opts.signal }, (res) => {
      clearTimeout(timer);
      resolve(res);
    });
    const timer = setTimeout(
      () => req.destroy(new UnreachableError('no answer in time')),
      opts.timeoutMs ?? 10_000,
    );
    req.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (e instanceof UnreachableError || e.name === 'AbortError') reject(e);
      else reject(new UnreachableError(e.code ?? e.message));
    });
    req.end(opts.body);
  });
}

async function readText(res: IncomingMessage, limit = 4 * 1024 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res) {
    size += (c as Buffer).length;
    if (size > limit) {
      res.destroy();
      throw new UnreachableError('answer too large');
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function requestJson(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown; timeoutMs?: number },
): Promise<JsonResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const timeoutMs = init.timeoutMs ?? 10_000;
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  try {
    const res = await send(url, {
      method: init.method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      timeoutMs,
      signal: ac.signal,
    });
    const text = await readText(res);
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    return { status: res.statusCode ?? 0, body, headers: res.headers };
  } catch (e) {
    if (e instanceof UnreachableError) throw e;
    const err = e as Error;
    throw new UnreachableError(err.name === 'AbortError' ? 'no answer in time' : err.message);
  } finally {
    clearTimeout(timer);
  }
}

/** The error code of an llmlb error answer (`{error: {code}}`), if any. */
export function errorCode(r: JsonResponse): string | undefined {
  const c = (r.body as { error?: { code?: unknown } } | undefined)?.error?.code;
  return typeof c === 'string' ? c : undefined;
}

export function describe(r: JsonResponse): string {
  const e = (r.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  if (e && typeof e === 'object')
    return `${r.status} ${String(e.code ?? '')}: ${String(e.message ?? '')}`.trim();
  return `HTTP ${r.status}`;
}
