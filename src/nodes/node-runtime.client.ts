import { Injectable } from '@nestjs/common';

export const REACHABILITY_TIMEOUT_MS = 5000;
/** The most of a runtime's answer the reachability check reads. */
export const REACHABILITY_MAX_BYTES = 64 * 1024;

/** `http://ip:port` for a node runtime (IPv6 in brackets), no trailing slash. */
export function nodeBaseUrl(ip: string, port: number): string {
  return ip.includes(':') ? `http://[${ip}]:${port}` : `http://${ip}:${port}`;
}

/**
 * Outbound HTTP to node runtimes (xLLM). The address is chosen by whoever registers, so every
 * call is bounded: no redirects, a total deadline covering headers and body, a size cap.
 */
@Injectable()
export class NodeRuntimeClient {
  /** Deadline of one reachability check, headers and body together (tests shorten it). */
  timeoutMs = REACHABILITY_TIMEOUT_MS;

  /**
   * `GET {baseUrl}/v1/models`. Resolves to null when the runtime answered 2xx, else to a short
   * reason for the log (never for the caller). A redirect is a failure and is not followed;
   * at most 64 KiB of the answer is read.
   */
  async checkReachable(baseUrl: string): Promise<string | null> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const res = await fetch(`${baseUrl}/v1/models`, {
        method: 'GET',
        headers: { accept: 'application/json' },
        redirect: 'manual',
        signal,
      });
      const read = await readBounded(res, REACHABILITY_MAX_BYTES);
      if (res.status >= 300 && res.status < 400) return `GET /v1/models redirected (${res.status})`;
      if (!res.ok) return `GET /v1/models answered ${res.status}`;
      if (read === 'too_large')
        return `GET /v1/models answered more than ${REACHABILITY_MAX_BYTES} bytes`;
      return null;
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      if (signal.aborted) return `no complete answer within ${this.timeoutMs} ms`;
      return err.cause?.code ?? err.message;
    }
  }
}

/**
 * Reads at most `max` bytes of the body, then drops the connection (a body that was not read
 * to its end cannot be reused). The request's signal still bounds the time.
 */
async function readBounded(res: Response, max: number): Promise<'ok' | 'too_large'> {
  if (!res.body) return 'ok';
  const reader = res.body.getReader();
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return 'ok';
      total += value.byteLength;
      if (total > max) return 'too_large';
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
