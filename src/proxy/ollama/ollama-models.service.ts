import { Injectable } from '@nestjs/common';
import { AppError } from '../../common/app-error';
import type { Backend } from '../../routing/backend';
import { RoutingTable } from '../../routing/routing-table.service';
import type { Ingress } from '../ingress';
import { ollamaIngress } from './ollama.ingress';
import type { OllamaKind } from './ollama.request';

/** The Ollama version llmlb reports; clients gate features (tools, embed) on it. */
export const OLLAMA_COMPAT_VERSION = '0.12.6';

const DETAILS = {
  parent_model: '',
  format: 'gguf',
  family: '',
  families: [] as string[],
  parameter_size: '',
  quantization_level: '',
};

function maxTokens(id: string, backends: Backend[]): number | null {
  let max: number | null = null;
  for (const b of backends)
    for (const m of b.models)
      if (m.id === id && m.maxTokens !== null && (max === null || m.maxTokens > max))
        max = m.maxTokens;
  return max;
}

function capabilities(id: string, backends: Backend[]): string[] {
  const caps = new Set<string>();
  for (const b of backends)
    for (const m of b.models) if (m.id === id) for (const c of m.capabilities ?? []) caps.add(c);
  if (caps.size === 0) caps.add(/embed/i.test(id) ? 'embedding' : 'completion');
  return [...caps];
}

/**
 * The Ollama API's model routes (`/api/tags`, `/api/ps`, `/api/show`, `/api/version`) from
 * the in-memory routing table, and the Ollama ingresses for the inference routes.
 */
@Injectable()
export class OllamaModelsService {
  private readonly seen = new Map<string, string>();
  private readonly ingresses = new Map<OllamaKind, Ingress>();

  constructor(private readonly table: RoutingTable) {
    for (const k of ['chat', 'generate', 'embed', 'embeddings'] as const) {
      this.ingresses.set(
        k,
        ollamaIngress(k, (m) => this.resolve(m)),
      );
    }
  }

  ingress(kind: OllamaKind): Ingress {
    return this.ingresses.get(kind)!;
  }

  /** Ollama's implicit `:latest` tag: `llama3.2` is `llama3.2:latest` when only that is served. */
  resolve(model: string): string {
    if (this.table.backendsFor(model).length > 0 || model.includes(':')) return model;
    const latest = `${model}:latest`;
    return this.table.backendsFor(latest).length > 0 ? latest : model;
  }

  version(): { version: string } {
    return { version: OLLAMA_COMPAT_VERSION };
  }

  tags(): { models: Array<Record<string, unknown>> } {
    return { models: this.online().map(([id]) => this.entry(id)) };
  }

  ps(): { models: Array<Record<string, unknown>> } {
    const expires = new Date(Date.now() + 5 * 60_000).toISOString();
    return {
      models: this.online().map(([id, backends]) => ({
        ...this.entry(id),
        expires_at: expires,
        size_vram: 0,
        context_length: maxTokens(id, backends) ?? 0,
      })),
    };
  }

  show(model: string): Record<string, unknown> {
    const id = this.resolve(model);
    const backends = this.table.onlineFor(id);
    if (backends.length === 0) throw new AppError('model_not_found', `model '${model}' not found`);
    const ctx = maxTokens(id, backends);
    return {
      modelfile: '',
      parameters: '',
      template: '',
      details: DETAILS,
      model_info: {
        'general.architecture': 'llmlb',
        'general.basename': id,
        ...(ctx !== null ? { 'llmlb.context_length': ctx } : {}),
      },
      capabilities: capabilities(id, backends),
      modified_at: this.modifiedAt(id),
    };
  }

  private online(): Array<[string, Backend[]]> {
    return [...this.table.onlineModels()]
      .map(([id, { backends }]) => [id, backends] as [string, Backend[]])
      .sort(([a], [b]) => a.localeCompare(b));
  }

  private modifiedAt(id: string): string {
    let at = this.seen.get(id);
    if (!at) this.seen.set(id, (at = new Date().toISOString()));
    return at;
  }

  private entry(id: string): Record<string, unknown> {
    return {
      name: id,
      model: id,
      modified_at: this.modifiedAt(id),
      size: 0,
      digest: '',
      details: DETAILS,
    };
  }
}
