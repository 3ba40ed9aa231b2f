import type { BackendHttpClient, HttpAnswer } from '../backend-http.client';
import type { EndpointType } from '../endpoint-types';

/** How to reach one endpoint. */
export interface AdapterContext {
  baseUrl: string;
  apiKey: string | null;
  http: BackendHttpClient;
  /** Per-call timeout. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * The GET probes of one detection run, memoized: several adapters look at `/v1/models`, it is
 * fetched once. `null` = no HTTP answer at all (refused, timeout).
 */
export interface DetectionProbes {
  get(path: string): Promise<HttpAnswer | null>;
}

/** The backend answered, but not with a model list we understand (stored models are kept). */
export class UnrecognizedAnswerError extends Error {}

/**
 * One server kind. Adding a kind = adding one `<kind>.adapter.ts` file and listing it in
 * `index.ts`.
 */
export interface EndpointAdapter {
  readonly type: Exclude<EndpointType, 'unknown'>;
  /** Position in the detection order of spec §5.2 (lower wins when several match). */
  readonly detectionOrder: number;
  /** Whether this kind tells the context length of its models (`max_tokens`). */
  readonly supportsMetadata: boolean;
  /** Does this server look like this kind? Uses only the shared probes. */
  detect(probes: DetectionProbes): Promise<boolean>;
  /**
   * Model ids the server serves. Throws BackendUnreachableError (no answer) or
   * UnrecognizedAnswerError (answered in no known shape, or an HTTP error).
   */
  listModels(ctx: AdapterContext): Promise<string[]>;
  /** Context length of one model; null when the server does not say. Only when supportsMetadata. */
  fetchMaxTokens?(ctx: AdapterContext, modelId: string): Promise<number | null>;
  /** Requests the server serves at once (its slots); null when it does not say. */
  fetchSlots?(ctx: AdapterContext): Promise<number | null>;
}

// ---- helpers shared by the adapters

export function joinUrl(baseUrl: string, path: string): string {
  return baseUrl + (path.startsWith('/') ? path : `/${path}`);
}

/** Encodes a model id for a path, keeping `/` between segments (ids like `org/name:tag`). */
export function encodeModelPath(id: string): string {
  return id.split('/').map(encodeURIComponent).join('/');
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function is2xx(a: HttpAnswer | null): a is HttpAnswer {
  return a !== null && a.status >= 200 && a.status < 300;
}

/** `data[].id` of an OpenAI `/v1/models` answer, or null when it is not that shape. */
export function parseOpenAiModelIds(json: unknown): string[] | null {
  if (!isObject(json) || !Array.isArray(json.data)) return null;
  const ids: string[] = [];
  for (const item of json.data) {
    if (!isObject(item) || typeof item.id !== 'string' || item.id.length === 0) return null;
    ids.push(item.id);
  }
  return ids;
}

/** `data[]` items of an OpenAI-shaped list answer (empty when not that shape). */
export function dataItems(a: HttpAnswer | null): Record<string, unknown>[] {
  if (!a || !isObject(a.json) || !Array.isArray(a.json.data)) return [];
  return a.json.data.filter(isObject);
}

/** GET `{base}/v1/models` → ids (the listing every kind speaks). */
export async function listOpenAiModels(ctx: AdapterContext): Promise<string[]> {
  const a = await ctx.http.get(joinUrl(ctx.baseUrl, '/v1/models'), ctx);
  if (a.status < 200 || a.status >= 300) {
    throw new UnrecognizedAnswerError(`GET /v1/models answered HTTP ${a.status}`);
  }
  const ids = parseOpenAiModelIds(a.json);
  if (!ids)
    throw new UnrecognizedAnswerError(
      'GET /v1/models answered in an unrecognized shape (no data[].id)',
    );
  return ids;
}

/** A positive integer from a JSON value, else null. */
export function positiveInt(v: unknown): number | null {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return Math.floor(v);
  if (typeof v === 'string' && /^\d+$/.test(v) && Number(v) > 0) return Number(v);
  return null;
}
