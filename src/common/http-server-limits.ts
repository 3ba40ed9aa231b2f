import type { Server } from 'node:http';

/**
 * Limits of the Node HTTP server under Fastify. Node finds requests that take too long to
 * arrive only when it sweeps its connections (every `connectionsCheckingInterval`, 30 s by
 * default), and refuses a `headersTimeout` above `requestTimeout`; a Fastify `requestTimeout`
 * alone therefore left a body trickled byte by byte open far longer than configured.
 * The request timeout bounds receiving a request (headers and body), never the streaming of a
 * response. Must run before `listen` (the sweep interval is armed on 'listening').
 */
export function applyServerLimits(
  server: Server,
  limits: { requestTimeoutMs: number; maxConnections: number },
): void {
  const requestTimeout = limits.requestTimeoutMs;
  server.requestTimeout = requestTimeout;
  server.headersTimeout = Math.min(requestTimeout, 60_000);
  // Sweep often enough that a request overstays its timeout by at most a quarter (≤ 1 s).
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    Math.max(50, Math.min(1000, Math.floor(requestTimeout / 4)));
  server.maxConnections = limits.maxConnections;
}
