import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { RoutingTable } from '../routing/routing-table.service';
import type { Backend } from '../routing/backend';

export interface OpenAiModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: 'llmlb';
  /** How many online backends serve it. */
  endpoints: number;
  /** Largest context length any online backend reports (null when unknown). */
  max_tokens: number | null;
}

/**
 * `GET /v1/models`: the union of models of online backends, and the aliases some online backend
 * serves, from the routing table.
 */
@Injectable()
export class ModelsListService {
  /** When each model id was first seen online (the `created` field). */
  private readonly firstSeen = new Map<string, number>();

  constructor(private readonly table: RoutingTable) {}

  list(): { object: 'list'; data: OpenAiModel[] } {
    const data: OpenAiModel[] = [];
    for (const [id, { backends }] of this.table.onlineModels())
      data.push(this.describe(id, backends));
    for (const [alias, { backends }] of this.table.onlineAliases())
      data.push(this.describe(alias, backends));
    data.sort((a, b) => a.id.localeCompare(b.id));
    return { object: 'list', data };
  }

  get(id: string): OpenAiModel {
    const route = this.table.route(id);
    const online = route ? route.backends.filter((b) => b.online) : [];
    if (online.length === 0)
      throw new AppError('model_not_found', `Model "${id}" not found`, { param: 'model' });
    return this.describe(id, online);
  }

  private describe(id: string, backends: Backend[]): OpenAiModel {
    let created = this.firstSeen.get(id);
    if (created === undefined) this.firstSeen.set(id, (created = Math.floor(Date.now() / 1000)));
    const upstream = this.table.route(id)?.upstreamModel ?? null;
    let maxTokens: number | null = null;
    for (const b of backends) {
      const own = upstream?.get(b.id) ?? id;
      for (const m of b.models) {
        if (m.id === own && m.maxTokens !== null && (maxTokens === null || m.maxTokens > maxTokens))
          maxTokens = m.maxTokens;
      }
    }
    return {
      id,
      object: 'model',
      created,
      owned_by: 'llmlb',
      endpoints: backends.length,
      max_tokens: maxTokens,
    };
  }
}
