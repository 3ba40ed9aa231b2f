/** Small JSON-over-fetch helpers with a timeout on every call. */

export interface JsonResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

/** Network failure or timeout (no HTTP answer). */
export class UnreachableError extends Error {}

export async function requestJson(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown; timeoutMs?: number },
): Promise<JsonResponse> {
  const headers: Record<string, string> = { accept: 'application/json', ...init.headers };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(url, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
      redirect: 'error',
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why =
      err.name === 'TimeoutError'
        ? 'no answer in time'
        : (err.cause?.code ?? err.cause?.message ?? err.message);
    throw new UnreachableError(why);
  }
  const text = await res.text().catch(() => '');
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return { status: res.status, body, headers: res.headers };
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
