import type { Readable } from 'node:stream';
import type { Backend } from '../routing/backend';
import type { Usage } from './sse';
import type { UpstreamTarget } from './upstream-pools';

/** Turns upstream stream bytes into what the client receives (OpenAI SSE). */
export interface StreamRelay {
  /** What to send now ('' when nothing is complete yet). */
  push(chunk: Buffer): string | Buffer;
  /** Text to send when the upstream stream ended normally. */
  end(): string;
  readonly usage: Usage | null;
}

/** How one attempt is sent and how its answer is turned into the client's answer. */
export interface UpstreamPlan {
  /** The routing-table backend (null for a cloud provider). */
  backend: Backend | null;
  /** Id and name recorded in history, metrics and `x-llmlb-backend`. */
  id: string;
  name: string;
  target: UpstreamTarget;
  path: string;
  headers: Record<string, string>;
  /** The bytes to send, or a factory of a fresh stream per attempt (spooled uploads). */
  body: Buffer | (() => Readable);
  headersTimeoutMs: number;
  /** Converts a complete 2xx JSON answer (null: forwarded as is, usage read from it). */
  translateJson: ((body: Buffer) => { body: Buffer; usage: Usage | null }) | null;
  /** Converts a 4xx answer (null: passed through as is). */
  translateClientError: ((status: number, body: Buffer) => Buffer) | null;
  /** The relay for a streamed answer. */
  createRelay: () => StreamRelay;
  /** Upstream stream content type expected for streams. */
  streamContentType: string;
  /** Content type of the stream the client receives (default `text/event-stream`). */
  clientStreamContentType?: string;
  /** How a stream that failed after the first byte ends (default: SSE error event + [DONE]). */
  streamErrorTail?: (status: number, code: string, message: string) => string;
}
