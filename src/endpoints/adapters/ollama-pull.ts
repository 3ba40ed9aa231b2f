import { BackendUnreachableError } from '../backend-http.client';
import { type AdapterContext, joinUrl } from './endpoint-adapter';
import { LineSplitter, OllamaPullTracker, type PullEvent } from './ollama-pull.tracker';
import { errorText } from './xllm-download';

/** An Ollama pull that was accepted: its progress events, then the end of the stream. */
export interface OllamaPull {
  /** Events in stream order; ends when the stream ends (with or without `success`). */
  events: AsyncGenerator<PullEvent>;
  /** Sum of the layer sizes seen so far (bytes). */
  readonly totalBytes: number;
}

/**
 * `POST {base}/api/pull {model, stream:true}` and its NDJSON progress lines (`{status, digest,
 * total, completed}`, `{status:"success"}`, `{error}`). Resolves with the event stream once
 * Ollama accepted the pull, or with the reason it refused. `ctx.timeoutMs` bounds the wait for
 * the answer, `idleMs` the silence between lines; `ctx.signal` stops the pull. Throws
 * BackendUnreachableError when Ollama does not answer (events too, when the stream breaks).
 */
export async function startOllamaPull(
  ctx: AdapterContext,
  model: string,
  idleMs: number,
): Promise<OllamaPull | { refused: string }> {
  const res = await ctx.http.stream('POST', joinUrl(ctx.baseUrl, '/api/pull'), {
    ...ctx,
    // `name` is what Ollama before 0.1.4x reads; newer versions read `model`
    body: { model, name: model, stream: true },
    idleMs,
  });
  if (res.status < 200 || res.status >= 300) {
    const text = await readAll(res.body);
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: no details
    }
    return { refused: `Ollama refused the pull (${res.status}): ${errorText(body)}` };
  }
  const tracker = new OllamaPullTracker();
  return {
    events: pullEvents(res.body, tracker, idleMs),
    get totalBytes() {
      return tracker.totalBytes;
    },
  };
}

async function* pullEvents(
  body: AsyncIterable<Buffer> & { destroy?: () => void },
  tracker: OllamaPullTracker,
  idleMs: number,
): AsyncGenerator<PullEvent> {
  const lines = new LineSplitter();
  try {
    for await (const chunk of body) {
      for (const line of lines.push(chunk)) {
        const ev = parse(line, tracker);
        if (ev) yield ev;
      }
    }
    for (const line of lines.end()) {
      const ev = parse(line, tracker);
      if (ev) yield ev;
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'UND_ERR_BODY_TIMEOUT')
      throw new BackendUnreachableError(`no data for ${idleMs / 1000} s`, true);
    throw e;
  } finally {
    body.destroy?.(); // the caller stopped early (success, error) or the stream broke
  }
}

function parse(line: string, tracker: OllamaPullTracker): PullEvent | null {
  try {
    return tracker.feed(JSON.parse(line));
  } catch {
    return null; // not a JSON line: skipped
  }
}

async function readAll(body: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body) {
    chunks.push(c);
    size += c.length;
    if (size > 64 * 1024) break; // enough for an error message
  }
  return Buffer.concat(chunks).toString('utf8');
}
