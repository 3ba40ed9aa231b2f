/** The llmlb node API as the agent uses it (docs/node-api.md). */
import type { GpuGroup, GpuStats } from './gpu-parsers';
import { requestJson, type JsonResponse } from './http';
import type { PullOrder } from './state-file';

export interface Registration {
  machine_name: string;
  ip_address: string;
  runtime_version: string;
  runtime_port: number;
  gpu_available: true;
  gpu_devices: GpuGroup[];
  supported_runtimes: string[];
  pull_mode: 'poll';
  agent_version: string;
  max_concurrency?: number;
}

export interface Heartbeat extends GpuStats {
  node_id?: string;
  cpu_usage: number;
  memory_usage: number;
  loaded_models?: string[];
  loaded_embedding_models?: string[];
  ready_models?: [number, number];
  initializing: boolean;
  max_concurrency?: number;
}

export interface Progress {
  progress: number;
  downloaded_bytes?: number;
  total_bytes?: number;
  speed_bps?: number;
  status?: 'in_progress' | 'completed' | 'failed';
  error?: string;
}

export interface ManifestFile {
  filename: string;
  url: string;
  size_bytes: number | null;
  sha256?: string | null;
}

export class ServerClient {
  constructor(
    readonly baseUrl: string,
    private readonly key: string | null,
  ) {}

  register(body: Registration, token: string | null): Promise<JsonResponse> {
    const headers: Record<string, string> = {};
    if (this.key) headers.authorization = `Bearer ${this.key}`;
    if (token) headers['x-node-token'] = token;
    return requestJson(`${this.baseUrl}/v0/nodes`, {
      method: 'POST',
      headers,
      body,
      timeoutMs: 15_000,
    });
  }

  heartbeat(token: string, body: Heartbeat): Promise<JsonResponse> {
    return requestJson(`${this.baseUrl}/v0/health`, {
      method: 'POST',
      headers: { 'x-node-token': token },
      body,
    });
  }

  progress(token: string, taskId: string, body: Progress): Promise<JsonResponse> {
    return requestJson(`${this.baseUrl}/v0/tasks/${encodeURIComponent(taskId)}/progress`, {
      method: 'POST',
      headers: { 'x-node-token': token },
      body,
    });
  }

  /** The manifest of a pull; a relative `manifest_url` is taken relative to the server URL. */
  manifest(token: string, manifestUrl: string): Promise<JsonResponse> {
    return requestJson(new URL(manifestUrl, `${this.baseUrl}/`).toString(), {
      headers: { 'x-node-token': token },
    });
  }

  /** `GET /api/version`-like reachability: any HTTP answer means the server is up. */
  async reachable(): Promise<string | null> {
    try {
      await requestJson(`${this.baseUrl}/v0/health`, { method: 'GET', timeoutMs: 5_000 });
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  }
}

/** Pull orders in a heartbeat answer (`tasks:[{task_id, model, manifest_url}]`). */
export function pullOrders(body: unknown): PullOrder[] {
  const tasks = (body as { tasks?: unknown } | undefined)?.tasks;
  if (!Array.isArray(tasks)) return [];
  return tasks.filter(
    (t): t is PullOrder =>
      !!t &&
      typeof t === 'object' &&
      typeof (t as PullOrder).task_id === 'string' &&
      typeof (t as PullOrder).model === 'string' &&
      typeof (t as PullOrder).manifest_url === 'string',
  );
}
