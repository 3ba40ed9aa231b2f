/** A model as a backend serves it. */
export interface BackendModel {
  /** The backend's own model id (what is sent upstream). */
  id: string;
  /** Context length when known. */
  maxTokens: number | null;
  capabilities?: string[];
}

/**
 * What the nodes and endpoints modules tell the routing table about one backend.
 * `online: false` keeps the backend's models known (so the proxy can answer 503
 * no_healthy_backend rather than 404) without ever sending it traffic.
 */
export interface BackendInfo {
  /** Node id or endpoint id (UUID). */
  id: string;
  kind: 'node' | 'endpoint';
  name: string;
  /** e.g. `http://10.0.0.5:8080`, no trailing slash; `/v1/...` is appended. */
  baseUrl: string;
  /** Decrypted key sent to the backend as `Authorization: Bearer`. */
  apiKey: string | null;
  /** 0–100; higher gets more traffic. */
  priority: number;
  online: boolean;
  models: BackendModel[];
  /** Last probe latency (endpoints) when known. */
  latencyMs: number | null;
  /** First-byte timeout for inference requests. */
  inferenceTimeoutMs: number;
  /** Endpoint type (`ollama`, `vllm`, …) or `xllm` for nodes. */
  backendType: string;
  /** Requests the backend serves at once (its slots); null = unlimited. */
  maxConcurrency: number | null;
}

/** Live load figures the proxy keeps per backend (in memory only). */
export interface BackendLoad {
  inFlight: number;
  /** EWMA of tokens per second of completed requests; null until measured. */
  tokensPerSec: number | null;
  /** EWMA of request latency in ms; null until measured. */
  latencyEwmaMs: number | null;
  requests: number;
  failures: number;
}

/**
 * Passive health from real traffic (in memory only): recent failures make a backend a last
 * resort; `LLMLB_OUTLIER_CONSECUTIVE_FAILURES` in a row eject it from the rotation.
 */
export interface BackendHealth {
  consecutiveFailures: number;
  /** Chosen only when nothing else is left until this time (epoch ms); 0 = not penalized. */
  penalizedUntil: number;
  /** Out of the rotation (outlier ejection). */
  ejected: boolean;
  /** While ejected: no traffic before this time (epoch ms); then one request probes it. */
  ejectedUntil: number;
  /** Length of the next ejection (30 s, doubling up to 5 min). */
  backoffMs: number;
  /** The probing request of an ejected backend is in flight. */
  probing: boolean;
  /** Times ejected since the server started. */
  ejections: number;
}

export interface Backend extends BackendInfo {
  load: BackendLoad;
  health: BackendHealth;
}

export type PassiveFailureListener = (backend: Backend, error: string) => void;

/** Ejected (`true`) or back in the rotation (`false`), with why. */
export type OutlierListener = (backend: Backend, ejected: boolean, reason: string) => void;

/** Whether the backend can take one more request now (slots). */
export function hasFreeSlot(b: Backend): boolean {
  return b.maxConcurrency === null || b.load.inFlight < b.maxConcurrency;
}
