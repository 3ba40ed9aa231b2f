import type { RawBodyRequest } from '../common/http-setup';
import type { ParsedRequest } from './request-body';
import type { UpstreamPlan } from './upstream-plan';

/**
 * One request as a client dialect (Anthropic Messages, Ollama, OpenAI embeddings encoding,
 * multipart audio) hands it to the proxy pipeline: `parsed` is what routing needs (model,
 * stream, the OpenAI-shaped JSON), `adapt` turns each attempt's plan (built for an OpenAI
 * `/v1` backend) into what this dialect sends and answers, `cleanup` runs once at the end.
 */
export interface PreparedIngress {
  parsed: ParsedRequest;
  adapt(plan: UpstreamPlan): UpstreamPlan;
  cleanup?(): void;
}

/** A client dialect hooked into `ProxyService.handle` (request and response transforms). */
export interface Ingress {
  /** Reads the request (`body`, `rawBody`, headers; a multipart body is still a stream). */
  prepare(req: RawBodyRequest): PreparedIngress | Promise<PreparedIngress>;
}
