import { Injectable } from '@nestjs/common';
import type { EndpointAdapter, DetectionProbes } from './adapters';
import { joinUrl } from './adapters';
import { EndpointAdapterRegistry } from './adapter.registry';
import { BackendHttpClient, BackendUnreachableError, type HttpAnswer } from './backend-http.client';
import type { EndpointType } from './endpoint-types';

/** Each detection probe gives up after 5 s (spec §5.2). */
export const DETECTION_PROBE_TIMEOUT_MS = 5000;

export type DetectionResult =
  | { kind: 'matched'; type: Exclude<EndpointType, 'unknown'> }
  /** Something answered HTTP, but no kind matched. */
  | { kind: 'unmatched'; reason: string }
  /** Nothing answered at all. */
  | { kind: 'unreachable'; error: string };

/**
 * Runs every adapter's detect against one shared, memoized set of probes (so all probes run
 * concurrently and each path is fetched once) and picks the first match in detection order.
 */
export async function detectWith(
  adapters: readonly EndpointAdapter[],
  probes: DetectionProbes & { answered(): HttpAnswer[]; errors(): string[] },
): Promise<DetectionResult> {
  const matches = await Promise.all(adapters.map((a) => a.detect(probes).catch(() => false)));
  const i = matches.findIndex(Boolean);
  if (i >= 0) return { kind: 'matched', type: adapters[i].type };
  const answered = probes.answered();
  if (answered.length === 0) {
    return { kind: 'unreachable', error: probes.errors()[0] ?? 'no answer' };
  }
  const denied = answered.find((a) => a.status === 401 || a.status === 403);
  const reason = denied
    ? `the server refused the request (HTTP ${denied.status}); check the api_key`
    : 'the server answered, but not as any supported kind (xllm, lm_studio, ollama, vllm, llama_cpp, openai_compatible); set endpoint_type to register it anyway';
  return { kind: 'unmatched', reason };
}

/** Memoized GET probes against one base URL. */
export class HttpDetectionProbes implements DetectionProbes {
  private readonly cache = new Map<string, Promise<HttpAnswer | null>>();
  private readonly answers: HttpAnswer[] = [];
  private readonly failures: string[] = [];

  constructor(
    private readonly http: BackendHttpClient,
    private readonly baseUrl: string,
    private readonly apiKey: string | null,
    private readonly timeoutMs: number,
    private readonly signal?: AbortSignal,
  ) {}

  get(path: string): Promise<HttpAnswer | null> {
    let p = this.cache.get(path);
    if (!p) {
      p = this.http
        .get(joinUrl(this.baseUrl, path), {
          apiKey: this.apiKey,
          timeoutMs: this.timeoutMs,
          signal: this.signal,
        })
        .then(
          (a) => {
            this.answers.push(a);
            return a;
          },
          (e: unknown) => {
            this.failures.push(e instanceof BackendUnreachableError ? e.message : String(e));
            return null;
          },
        );
      this.cache.set(path, p);
    }
    return p;
  }

  answered(): HttpAnswer[] {
    return this.answers;
  }

  errors(): string[] {
    return this.failures;
  }
}

/** Detects what kind of server lives at a base URL (spec §5.2). */
@Injectable()
export class EndpointDetector {
  constructor(
    private readonly http: BackendHttpClient,
    private readonly registry: EndpointAdapterRegistry,
  ) {}

  detect(baseUrl: string, apiKey: string | null, signal?: AbortSignal): Promise<DetectionResult> {
    const probes = new HttpDetectionProbes(
      this.http,
      baseUrl,
      apiKey,
      DETECTION_PROBE_TIMEOUT_MS,
      signal,
    );
    return detectWith(this.registry.inDetectionOrder, probes);
  }
}
