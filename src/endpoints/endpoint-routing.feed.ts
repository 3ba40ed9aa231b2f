import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SecretBoxService } from '../auth/secret-box.service';
import type { BackendModel } from '../routing/backend';
import { RoutingTable } from '../routing/routing-table.service';
import type { EndpointModelEntity } from './endpoint-model.entity';
import type { EndpointEntity } from './endpoint.entity';
import { EndpointsRepository } from './endpoints.repository';

/**
 * Keeps the routing table in step with the endpoints: every status, model or setting change
 * republishes the endpoint; deletion removes it; start-up loads them all from the database.
 */
@Injectable()
export class EndpointRoutingFeed implements OnApplicationBootstrap {
  private readonly logger = new Logger('EndpointRoutingFeed');
  private readonly models = new Map<string, BackendModel[]>();
  private readonly keys = new Map<string, { cipher: string; plain: string | null }>();

  constructor(
    private readonly table: RoutingTable,
    private readonly repo: EndpointsRepository,
    private readonly secrets: SecretBoxService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const [endpoints, models] = await Promise.all([this.repo.find(), this.repo.findAllModels()]);
    const byEndpoint = new Map<string, EndpointModelEntity[]>();
    for (const m of models) {
      let list = byEndpoint.get(m.endpointId);
      if (!list) byEndpoint.set(m.endpointId, (list = []));
      list.push(m);
    }
    for (const e of endpoints) this.publish(e, byEndpoint.get(e.id) ?? []);
  }

  /** Publishes an endpoint; `models` replaces the known model list when given. */
  publish(e: EndpointEntity, models?: EndpointModelEntity[]): void {
    if (models) {
      this.models.set(
        e.id,
        models.map((m) => ({
          id: m.modelId,
          maxTokens: m.maxTokens,
          capabilities: m.capabilities,
        })),
      );
    }
    this.table.upsert({
      id: e.id,
      kind: 'endpoint',
      name: e.name,
      baseUrl: e.baseUrl,
      apiKey: this.decryptKey(e),
      priority: e.priority,
      online: e.status === 'online' && e.enabled,
      models: this.models.get(e.id) ?? [],
      latencyMs: e.latencyMs,
      inferenceTimeoutMs: e.inferenceTimeoutSecs * 1000,
      backendType: e.endpointType,
      maxConcurrency: e.maxConcurrency ?? e.detectedMaxConcurrency ?? null,
    });
  }

  /** Publishes after loading the models when they are not known yet. */
  async publishLoadingModels(e: EndpointEntity): Promise<void> {
    this.publish(e, this.models.has(e.id) ? undefined : await this.repo.findModels(e.id));
  }

  remove(id: string): void {
    this.models.delete(id);
    this.keys.delete(id);
    this.table.remove(id);
  }

  private decryptKey(e: EndpointEntity): string | null {
    if (!e.apiKeyEncrypted) return null;
    const cached = this.keys.get(e.id);
    if (cached && cached.cipher === e.apiKeyEncrypted) return cached.plain;
    let plain: string | null = null;
    try {
      plain = this.secrets.decrypt(e.apiKeyEncrypted);
    } catch (err) {
      this.logger.error(
        `cannot decrypt the api_key of endpoint ${e.id}: ${(err as Error).message}`,
      );
    }
    this.keys.set(e.id, { cipher: e.apiKeyEncrypted, plain });
    return plain;
  }
}
