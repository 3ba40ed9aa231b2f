import { AppError } from '../common/app-error';

/** Why one upstream attempt failed before anything was sent to the client. */
export type AttemptFailure =
  /** Connection refused/reset, socket closed before the answer: retry elsewhere, passive health. */
  | { kind: 'transport'; message: string }
  /** Connect timeout or no first byte within the backend's inference timeout. */
  | { kind: 'timeout'; message: string }
  /** The backend answered 5xx or 429. */
  | { kind: 'status'; status: number; message: string }
  /** The client went away: stop, nothing to answer. */
  | { kind: 'aborted' };

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/** Classifies an error thrown by the upstream client (undici). */
export function classifyError(err: unknown, clientAborted: boolean): AttemptFailure {
  if (clientAborted) return { kind: 'aborted' };
  const e = err as {
    code?: string;
    name?: string;
    message?: string;
    cause?: { code?: string; message?: string };
  };
  const code = e?.code ?? e?.cause?.code ?? '';
  const message = e?.cause?.message ?? e?.message ?? String(err);
  if (TIMEOUT_CODES.has(code) || e?.name === 'TimeoutError') {
    return { kind: 'timeout', message: `${code || 'timeout'}: ${message}` };
  }
  if (e?.name === 'AbortError' || code === 'UND_ERR_ABORTED') return { kind: 'aborted' };
  return { kind: 'transport', message: code ? `${code}: ${message}` : message };
}

/** Statuses that mean "this backend cannot serve right now" (try the next one): 5xx and 429. */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429;
}

/** Whether the failure is retried on the next candidate (while nothing was sent yet). */
export function shouldFailover(f: AttemptFailure): boolean {
  if (f.kind === 'aborted') return false;
  if (f.kind === 'status') return isRetryableStatus(f.status);
  return true;
}

/** Whether the failure is reported to passive health (the backend looks dead or hung). */
export function isPassiveHealthFailure(f: AttemptFailure): boolean {
  return f.kind === 'transport' || f.kind === 'timeout';
}

/** The text of the error the client gets (see `finalError`), before any redaction. */
export function finalMessage(f: AttemptFailure, backendName: string): string {
  switch (f.kind) {
    case 'timeout':
      return `Backend ${backendName} timed out: ${f.message}`;
    case 'status':
      if (f.status === 429) return `Backend ${backendName} is overloaded: ${f.message}`;
      return `Backend ${backendName} answered ${f.status}: ${f.message}`;
    case 'transport':
      return `Backend ${backendName} failed: ${f.message}`;
    case 'aborted':
      return 'Request aborted by the client';
  }
}

/**
 * The error the client gets once failover is exhausted (or not allowed). `redact` removes
 * what the caller must not see (the backend's address, credentials); callers log the full text.
 */
export function finalError(
  f: AttemptFailure,
  backendName: string,
  redact: (text: string) => string = (t) => t,
): AppError {
  const code =
    f.kind === 'timeout'
      ? 'upstream_timeout'
      : f.kind === 'status' && f.status === 429
        ? 'rate_limited'
        : 'upstream_error';
  return new AppError(code, redact(finalMessage(f, backendName)));
}

/** The message of an error body from an OpenAI-compatible (or any) backend. */
export function backendMessage(body: Buffer | string): string {
  const text = (typeof body === 'string' ? body : body.toString('utf8')).trim();
  try {
    const j = JSON.parse(text) as { error?: unknown; message?: unknown; detail?: unknown };
    if (
      j.error &&
      typeof j.error === 'object' &&
      typeof (j.error as { message?: unknown }).message === 'string'
    ) {
      return (j.error as { message: string }).message;
    }
    if (typeof j.error === 'string') return j.error;
    if (typeof j.message === 'string') return j.message;
    if (typeof j.detail === 'string') return j.detail;
  } catch {
    /* not JSON */
  }
  return text.length > 500 ? `${text.slice(0, 500)}…` : text || '(empty body)';
}
