/** The OpenAI-compatible runtime on this machine (llama.cpp, vLLM, Ollama, xLLM). */
import { requestJson, UnreachableError } from './http';

const TIMEOUT_MS = 5_000;

export interface RuntimeInfo {
  /** Model ids from `GET /v1/models`. */
  models: string[];
  /** llama.cpp `/props` `total_slots`, when the runtime tells. */
  maxConcurrency: number | null;
}

export interface RuntimeIdentity {
  kind: string;
  version: string;
}

export class RuntimeClient {
  constructor(readonly baseUrl: string) {}

  /** `GET /v1/models` (and `/props`); throws with the reason when the runtime does not answer. */
  async probe(): Promise<RuntimeInfo> {
    const r = await requestJson(`${this.baseUrl}/v1/models`, { timeoutMs: TIMEOUT_MS });
    if (r.status < 200 || r.status >= 300)
      throw new UnreachableError(`/v1/models answered ${r.status}`);
    const data = (r.body as { data?: unknown } | undefined)?.data;
    if (!Array.isArray(data)) throw new UnreachableError('/v1/models is not an OpenAI model list');
    const models = data
      .map((m) => (m as { id?: unknown })?.id)
      .filter((id): id is string => typeof id === 'string' && id.length > 0);
    return { models, maxConcurrency: await this.totalSlots() };
  }

  private async totalSlots(): Promise<number | null> {
    try {
      const r = await requestJson(`${this.baseUrl}/props`, { timeoutMs: TIMEOUT_MS });
      const n = (r.body as { total_slots?: unknown } | undefined)?.total_slots;
      return r.status === 200 && typeof n === 'number' && Number.isInteger(n) && n >= 1 ? n : null;
    } catch {
      return null;
    }
  }

  /** Which runtime it is and its version, from the endpoints each product has. */
  async identify(): Promise<RuntimeIdentity> {
    const get = async (path: string) => {
      try {
        const r = await requestJson(`${this.baseUrl}${path}`, { timeoutMs: TIMEOUT_MS });
        return r.status === 200 && r.body && typeof r.body === 'object'
          ? (r.body as Record<string, unknown>)
          : null;
      } catch {
        return null;
      }
    };
    const props = await get('/props');
    if (props && ('total_slots' in props || 'build_info' in props))
      return { kind: 'llama.cpp', version: short(props.build_info) ?? 'unknown' };
    const ollama = await get('/api/version');
    const ov = short(ollama?.version);
    if (ov) return { kind: 'ollama', version: ov };
    const system = await get('/v0/system');
    const xv = short(system?.xllm_version);
    if (xv) return { kind: 'xllm', version: xv };
    const vllm = await get('/version');
    const vv = short(vllm?.version);
    if (vv) return { kind: 'vllm', version: vv };
    return { kind: 'openai_compatible', version: 'unknown' };
  }
}

function short(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v.trim().slice(0, 64) : null;
}
