import type { HttpAnswer } from '../backend-http.client';
import { type AdapterContext, isObject, joinUrl } from './endpoint-adapter';

/** What starting a download on an xLLM endpoint gave: its own task id, or why not. */
export type XllmDownloadStart = { ok: true; remoteTaskId: string } | { ok: false; error: string };

/** One poll of an xLLM download task (`GET {base}/v0/models/download/{task_id}`). */
export type XllmDownloadState =
  | { kind: 'completed' }
  | { kind: 'failed'; error: string }
  | { kind: 'cancelled' }
  /** 404: the endpoint no longer knows the task. */
  | { kind: 'gone' }
  /** Answered, but with an HTTP error or no readable status: worth polling again. */
  | { kind: 'unreadable'; status: number }
  | {
      kind: 'running';
      /** 0–100, null when not reported. */
      percent: number | null;
      speedBps: number | null;
      etaSeconds: number | null;
      downloadedBytes: number | null;
      totalBytes: number | null;
    };

/**
 * `POST {base}/v0/models/download {model, filename?}` → `{task_id}`. Throws
 * BackendUnreachableError when the endpoint does not answer.
 */
export async function startXllmDownload(
  ctx: AdapterContext,
  model: string,
  filename: string | null,
): Promise<XllmDownloadStart> {
  const a = await ctx.http.post(joinUrl(ctx.baseUrl, '/v0/models/download'), {
    ...ctx,
    body: filename ? { model, filename } : { model },
  });
  if (!is2xx(a))
    return { ok: false, error: `xLLM refused the download (${a.status}): ${errorText(a.json)}` };
  const remote = isObject(a.json) ? a.json.task_id : undefined;
  if (typeof remote !== 'string' && typeof remote !== 'number')
    return { ok: false, error: 'xLLM answered without a task_id' };
  return { ok: true, remoteTaskId: String(remote) };
}

/**
 * `GET {base}/v0/models/download/{task_id}` → `{status, progress (0–100), speed_mbps,
 * eta_seconds, downloaded_bytes?, total_bytes?, error}`. Throws BackendUnreachableError when the
 * endpoint does not answer.
 */
export async function pollXllmDownload(
  ctx: AdapterContext,
  remoteTaskId: string,
): Promise<XllmDownloadState> {
  const a = await ctx.http.get(
    joinUrl(ctx.baseUrl, `/v0/models/download/${encodeURIComponent(remoteTaskId)}`),
    ctx,
  );
  if (a.status === 404) return { kind: 'gone' };
  const body = a.json;
  if (!is2xx(a) || !isObject(body)) return { kind: 'unreadable', status: a.status };
  const status = String(body.status ?? '').toLowerCase();
  if (['completed', 'complete', 'done', 'success', 'succeeded'].includes(status))
    return { kind: 'completed' };
  if (['failed', 'error'].includes(status))
    return { kind: 'failed', error: errorText(body) || 'Download failed on the xLLM endpoint' };
  if (['cancelled', 'canceled'].includes(status)) return { kind: 'cancelled' };
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    kind: 'running',
    percent: typeof body.progress === 'number' ? Math.min(100, Math.max(0, body.progress)) : null,
    speedBps: typeof body.speed_mbps === 'number' ? (body.speed_mbps * 1e6) / 8 : null,
    etaSeconds: num(body.eta_seconds),
    downloadedBytes: num(body.downloaded_bytes),
    totalBytes: num(body.total_bytes),
  };
}

function is2xx(a: HttpAnswer): boolean {
  return a.status >= 200 && a.status < 300;
}

/** `error` of a backend's JSON answer, as a string or `{message}`. */
export function errorText(body: unknown): string {
  if (!isObject(body)) return 'no details';
  const e = body.error;
  if (typeof e === 'string') return e;
  if (isObject(e) && typeof e.message === 'string') return e.message;
  return 'no details';
}
