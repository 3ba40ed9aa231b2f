import { Injectable } from '@nestjs/common';

export const REACHABILITY_TIMEOUT_MS = 5000;

/** The canonical text of an IP address (IPv6 compressed and lower-case, as URLs write it). */
export function canonicalIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  try {
    return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  } catch {
    return ip.toLowerCase();
  }
}

/** `http://ip:port` for a node runtime (IPv6 in brackets), no trailing slash. */
export function nodeBaseUrl(ip: string, port: number): string {
  return ip.includes(':') ? `http://[${ip}]:${port}` : `http://${ip}:${port}`;
}

/** Outbound HTTP to node runtimes (xLLM), with explicit timeouts. */
@Injectable()
export class NodeRuntimeClient {
  /**
   * `GET {baseUrl}/v1/models` within 5 s. Resolves to null when the runtime answered 2xx,
   * else to a short reason.
   */
  async checkReachable(
    baseUrl: string,
    timeoutMs = REACHABILITY_TIMEOUT_MS,
  ): Promise<string | null> {
    try {
      const res = await fetch(`${baseUrl}/v1/models`, {
        method: 'GET',
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
      // Drain the body so the connection can be reused or closed cleanly.
      await res.arrayBuffer().catch(() => undefined);
      return res.ok ? null : `GET /v1/models answered ${res.status}`;
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      if (err.name === 'TimeoutError' || err.name === 'AbortError')
        return `no answer within ${timeoutMs} ms`;
      return err.cause?.code ?? err.message;
    }
  }
}
