import { Inject, Injectable, Logger } from '@nestjs/common';
import { SecretBoxService } from '../auth/secret-box.service';
import { AppError } from '../common/app-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { EndpointAdapterRegistry } from './adapter.registry';
import { AdapterContext, EndpointAdapter, UnrecognizedAnswerError } from './adapters';
import { BackendHttpClient, BackendUnreachableError } from './backend-http.client';
import { EndpointModelDto, SyncResultDto } from './dto/endpoint.dto';
import { EndpointModelEntity } from './endpoint-model.entity';
import { EndpointRoutingFeed } from './endpoint-routing.feed';
import type { EndpointEntity } from './endpoint.entity';
import { EndpointsRepository } from './endpoints.repository';
import { capabilitiesFor } from './model-capabilities';

/** Metadata requests run at most this many at a time per sync (spec §5.4). */
export const METADATA_CONCURRENCY = 4;

/** Runs `fn` over `items` with at most `limit` in flight; results keep the input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

export interface ModelDiff {
  added: number;
  removed: number;
  updated: number;
}

/** Compares one sync's models with the stored rows. */
export function diffModels(
  stored: readonly Pick<EndpointModelEntity, 'modelId' | 'maxTokens' | 'capabilities'>[],
  fresh: readonly Pick<EndpointModelEntity, 'modelId' | 'maxTokens' | 'capabilities'>[],
): ModelDiff & { removedIds: string[] } {
  const before = new Map(stored.map((m) => [m.modelId, m]));
  const after = new Set(fresh.map((m) => m.modelId));
  let added = 0;
  let updated = 0;
  for (const m of fresh) {
    const old = before.get(m.modelId);
    if (!old) added++;
    else if (
      old.maxTokens !== m.maxTokens ||
      old.capabilities.join(',') !== m.capabilities.join(',')
    )
      updated++;
  }
  const removedIds = stored.filter((m) => !after.has(m.modelId)).map((m) => m.modelId);
  return { added, removed: removedIds.length, updated, removedIds };
}

/**
 * Model sync (spec §5.4): lists the endpoint's models, fetches context lengths where the kind
 * tells them, diffs against the stored rows and republishes the routing table. An answer in
 * no known shape keeps the stored models and records the error on the endpoint.
 */
@Injectable()
export class EndpointModelSyncService {
  private readonly logger = new Logger('EndpointModelSync');
  private readonly inFlight = new Map<string, Promise<SyncResultDto>>();

  constructor(
    private readonly repo: EndpointsRepository,
    private readonly registry: EndpointAdapterRegistry,
    private readonly http: BackendHttpClient,
    private readonly feed: EndpointRoutingFeed,
    private readonly secrets: SecretBoxService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Syncs now; a sync already running for the endpoint is joined rather than repeated. */
  sync(endpointId: string): Promise<SyncResultDto> {
    let p = this.inFlight.get(endpointId);
    if (!p) {
      p = this.run(endpointId).finally(() => this.inFlight.delete(endpointId));
      this.inFlight.set(endpointId, p);
    }
    return p;
  }

  /** How to talk to an endpoint (decrypted key, configured timeout). */
  context(e: EndpointEntity, signal?: AbortSignal): AdapterContext {
    return {
      baseUrl: e.baseUrl,
      apiKey: e.apiKeyEncrypted ? this.secrets.decrypt(e.apiKeyEncrypted) : null,
      http: this.http,
      timeoutMs: Math.max(5000, this.config.health.timeoutSecs * 1000),
      signal,
    };
  }

  /** Live context length of one model (null when the backend does not say or fails). */
  async fetchMaxTokens(e: EndpointEntity, modelId: string): Promise<number | null> {
    const adapter = this.registry.get(e.endpointType);
    if (!adapter.fetchMaxTokens) return null;
    try {
      return await adapter.fetchMaxTokens(this.context(e), modelId);
    } catch {
      return null;
    }
  }

  private async run(endpointId: string): Promise<SyncResultDto> {
    const e = await this.repo.findById(endpointId);
    if (!e) throw new AppError('endpoint_not_found');
    const adapter = this.registry.get(e.endpointType);
    const ctx = this.context(e);
    let ids: string[];
    try {
      ids = [...new Set(await adapter.listModels(ctx))];
    } catch (err) {
      const message = `model sync failed: ${(err as Error).message}`;
      await this.recordError(e, message);
      if (err instanceof BackendUnreachableError)
        throw new AppError('endpoint_unreachable', message);
      if (err instanceof UnrecognizedAnswerError) throw new AppError('upstream_error', message);
      throw err;
    }
    const stored = await this.repo.findModels(endpointId);
    const storedById = new Map(stored.map((m) => [m.modelId, m]));
    const fetchMax = adapter.fetchMaxTokens?.bind(adapter);
    const maxTokens = fetchMax
      ? await mapLimit(ids, METADATA_CONCURRENCY, (id) => fetchMax(ctx, id).catch(() => undefined))
      : ids.map(() => null);
    const now = new Date();
    const rows = ids.map((modelId, i) => {
      const m = new EndpointModelEntity();
      m.endpointId = endpointId;
      m.modelId = modelId;
      // A failed metadata request keeps what was known.
      const fetched = maxTokens[i];
      m.maxTokens = fetched === undefined ? (storedById.get(modelId)?.maxTokens ?? null) : fetched;
      m.capabilities = capabilitiesFor(modelId);
      m.lastSyncedAt = now;
      return m;
    });
    const diff = diffModels(stored, rows);
    await this.repo.replaceModels(endpointId, rows, diff.removedIds, now);
    await this.syncSlots(e, adapter, ctx);
    const fresh = await this.repo.findById(endpointId);
    if (fresh) this.feed.publish(fresh, rows);
    if (diff.added || diff.removed || diff.updated) {
      this.logger.log(
        `endpoint ${e.name}: ${rows.length} models (+${diff.added} -${diff.removed} ~${diff.updated})`,
      );
    }
    rows.sort((a, b) => a.modelId.localeCompare(b.modelId));
    return {
      added: diff.added,
      removed: diff.removed,
      updated: diff.updated,
      models: rows.map(EndpointModelDto.from),
    };
  }

  /** Stores the slots the backend reports (llama.cpp `total_slots`); a failure keeps the old value. */
  private async syncSlots(
    e: EndpointEntity,
    adapter: EndpointAdapter,
    ctx: AdapterContext,
  ): Promise<void> {
    if (!adapter.fetchSlots) return;
    const slots = await adapter.fetchSlots(ctx).catch(() => undefined);
    if (slots === undefined || slots === e.detectedMaxConcurrency) return;
    await this.repo.update(e.id, { detectedMaxConcurrency: slots });
  }

  private async recordError(e: EndpointEntity, message: string): Promise<void> {
    const updated = await this.repo.update(e.id, { lastError: message });
    if (updated) this.feed.publish(updated);
  }
}
