import type { BackendHttpClient, HttpAnswer } from '../backend-http.client';
import type { AdapterContext } from './endpoint-adapter';
import { errorText, pollXllmDownload, startXllmDownload } from './xllm-download';

/** A context whose client answers every call with `status` and `json` (xLLM's wire format). */
function answering(status: number, json: unknown, calls: string[] = []): AdapterContext {
  const answer = (url: string, body?: unknown): Promise<HttpAnswer> => {
    calls.push(`${url} ${JSON.stringify(body ?? null)}`);
    return Promise.resolve({ status, headers: {}, json, text: JSON.stringify(json), latencyMs: 1 });
  };
  const http = {
    get: (url: string) => answer(url),
    post: (url: string, o: { body?: unknown }) => answer(url, o.body),
  } as unknown as BackendHttpClient;
  return { baseUrl: 'http://xllm', apiKey: null, http, timeoutMs: 1000 };
}

describe('xLLM downloads', () => {
  it('starts with {model, filename?} and reads the task id (number or string)', async () => {
    const calls: string[] = [];
    await expect(
      startXllmDownload(answering(202, { task_id: 7 }, calls), 'm', 'f.gguf'),
    ).resolves.toEqual({ ok: true, remoteTaskId: '7' });
    await startXllmDownload(answering(202, { task_id: 'x' }, calls), 'm', null);
    expect(calls).toEqual([
      'http://xllm/v0/models/download {"model":"m","filename":"f.gguf"}',
      'http://xllm/v0/models/download {"model":"m"}',
    ]);
    await expect(startXllmDownload(answering(202, {}), 'm', null)).resolves.toEqual({
      ok: false,
      error: 'xLLM answered without a task_id',
    });
    await expect(
      startXllmDownload(answering(400, { error: { message: 'no such file' } }), 'm', null),
    ).resolves.toEqual({ ok: false, error: 'xLLM refused the download (400): no such file' });
  });

  it('maps a poll answer to completed, failed, cancelled, gone, unreadable or running', async () => {
    const poll = (status: number, json: unknown) =>
      pollXllmDownload(answering(status, json), 'a/b');
    await expect(poll(200, { status: 'Done' })).resolves.toEqual({ kind: 'completed' });
    await expect(poll(200, { status: 'error', error: 'checksum mismatch' })).resolves.toEqual({
      kind: 'failed',
      error: 'checksum mismatch',
    });
    await expect(poll(200, { status: 'canceled' })).resolves.toEqual({ kind: 'cancelled' });
    await expect(poll(404, null)).resolves.toEqual({ kind: 'gone' });
    await expect(poll(503, { status: 'downloading' })).resolves.toEqual({
      kind: 'unreadable',
      status: 503,
    });
    await expect(
      poll(200, { status: 'downloading', progress: 120, speed_mbps: 8, eta_seconds: 3 }),
    ).resolves.toEqual({
      kind: 'running',
      percent: 100,
      speedBps: 1e6,
      etaSeconds: 3,
      downloadedBytes: null,
      totalBytes: null,
    });
  });

  it('reads error text from a string or {message}', () => {
    expect(errorText({ error: 'x' })).toBe('x');
    expect(errorText({ error: { message: 'y' } })).toBe('y');
    expect(errorText(null)).toBe('no details');
  });
});
