import { Injectable } from '@nestjs/common';
import { SecretBoxService } from '../auth/secret-box.service';
import { AppError } from '../common/app-error';
import { EndpointAdapterRegistry } from './adapter.registry';
import {
  CreateEndpointDto,
  EndpointDetailDto,
  EndpointDto,
  EndpointListDto,
  EndpointModelDto,
  EndpointModelListDto,
  EndpointTestResultDto,
  ListEndpointsQueryDto,
  ModelInfoDto,
  SyncResultDto,
  UpdateEndpointDto,
} from './dto/endpoint.dto';
import { DetectionResult, EndpointDetector } from './endpoint-detector';
import {
  EndpointConnections,
  type EndpointConnection,
  type HealthPatch,
} from './endpoint-connections.service';
import { EndpointLifecycle } from './endpoint-lifecycle';
import { EndpointProbeService } from './endpoint-probe.service';
import { EndpointModelSyncService } from './endpoint-model-sync.service';
import { EndpointRoutingFeed } from './endpoint-routing.feed';
import type { EndpointType, TypeSource } from './endpoint-types';
import { normalizeBaseUrl, sameOrigin } from './endpoint-url';
import type { EndpointEntity } from './endpoint.entity';
import { EndpointsRepository, UniqueViolation } from './endpoints.repository';

export type { EndpointConnection, HealthPatch } from './endpoint-connections.service';

const DEFAULTS = { healthCheckIntervalSecs: 30, inferenceTimeoutSecs: 120, priority: 50 };

/** Endpoint registration and administration (spec §5.1). */
@Injectable()
export class EndpointsService {
  constructor(
    private readonly repo: EndpointsRepository,
    private readonly detector: EndpointDetector,
    private readonly registry: EndpointAdapterRegistry,
    private readonly modelSync: EndpointModelSyncService,
    private readonly feed: EndpointRoutingFeed,
    private readonly lifecycle: EndpointLifecycle,
    private readonly prober: EndpointProbeService,
    private readonly connections: EndpointConnections,
    private readonly secrets: SecretBoxService,
  ) {}

  // ---- API

  async list(query: ListEndpointsQueryDto): Promise<EndpointListDto> {
    const [rows, counts] = await Promise.all([
      this.repo.find({ type: query.type, status: query.status }),
      this.repo.modelCounts(),
    ]);
    return {
      endpoints: rows.map((e) => EndpointDto.from(e, counts.get(e.id) ?? 0)),
      total: rows.length,
    };
  }

  async get(id: string): Promise<EndpointDetailDto> {
    const e = await this.connections.mustFind(id);
    const models = await this.repo.findModels(id);
    return { ...EndpointDto.from(e, models.length), models: models.map(EndpointModelDto.from) };
  }

  async create(dto: CreateEndpointDto): Promise<EndpointDetailDto> {
    const baseUrl = normalizeBaseUrl(dto.base_url);
    await this.assertFree(dto.name, baseUrl);
    const apiKey = dto.api_key ? dto.api_key : null;
    let type: EndpointType;
    let typeSource: TypeSource;
    let detection: DetectionResult | null = null;
    if (dto.endpoint_type) {
      type = dto.endpoint_type;
      typeSource = 'manual';
    } else {
      detection = await this.detector.detect(baseUrl, apiKey);
      type = this.typeFromDetection(detection);
      typeSource = 'detected';
    }
    const now = new Date();
    const e = await this.write(() =>
      this.repo.insert({
        name: dto.name,
        baseUrl,
        apiKeyEncrypted: apiKey ? this.secrets.encrypt(apiKey) : null,
        endpointType: type,
        typeSource,
        status: 'pending',
        enabled: dto.enabled ?? true,
        priority: dto.priority ?? DEFAULTS.priority,
        healthCheckIntervalSecs: dto.health_check_interval_secs ?? DEFAULTS.healthCheckIntervalSecs,
        inferenceTimeoutSecs: dto.inference_timeout_secs ?? DEFAULTS.inferenceTimeoutSecs,
        latencyMs: null,
        lastCheckedAt: null,
        lastOnlineAt: null,
        lastError: null,
        consecutiveFailures: 0,
        modelsSyncedAt: null,
        notes: dto.notes ?? null,
        maxConcurrency: dto.max_concurrency ?? null,
        detectedMaxConcurrency: null,
        registeredAt: now,
        updatedAt: now,
      }),
    );
    this.feed.publish(e, []);
    if (e.enabled) {
      // The first probe (and, when healthy, the first model sync) runs right away.
      await this.prober.probe(e.id, {
        cause: 'registration',
        unreachable: detection?.kind === 'unreachable' ? detection.error : undefined,
      });
    }
    return this.get(e.id);
  }

  async update(id: string, dto: UpdateEndpointDto): Promise<EndpointDetailDto> {
    const e = await this.connections.mustFind(id);
    const patch: Partial<EndpointEntity> = {};
    if (dto.name !== undefined && dto.name !== e.name) patch.name = dto.name;
    if (dto.base_url !== undefined) {
      const url = normalizeBaseUrl(dto.base_url);
      if (url !== e.baseUrl) patch.baseUrl = url;
    }
    await this.assertFree(patch.name, patch.baseUrl, id);
    let apiKey = e.apiKeyEncrypted ? this.secrets.decrypt(e.apiKeyEncrypted) : null;
    if (dto.api_key !== undefined) {
      const next = dto.api_key ? dto.api_key : null;
      if (next !== apiKey) {
        patch.apiKeyEncrypted = next ? this.secrets.encrypt(next) : null;
        apiKey = next;
      }
    } else if (apiKey && patch.baseUrl && !sameOrigin(patch.baseUrl, e.baseUrl)) {
      // The key was given for the old server: a new scheme, host or port never receives it
      // (not even by the detection below, which uses what will be saved).
      patch.apiKeyEncrypted = null;
      apiKey = null;
    }
    let detection: DetectionResult | null = null;
    if (dto.endpoint_type) {
      patch.endpointType = dto.endpoint_type;
      patch.typeSource = 'manual';
    } else if (dto.endpoint_type === null || (patch.baseUrl && e.typeSource === 'detected')) {
      // A new URL (or a return to automatic typing) re-detects; a manual type is kept.
      detection = await this.detector.detect(patch.baseUrl ?? e.baseUrl, apiKey);
      patch.endpointType = this.typeFromDetection(detection);
      patch.typeSource = 'detected';
    }
    if (dto.health_check_interval_secs !== undefined)
      patch.healthCheckIntervalSecs = dto.health_check_interval_secs;
    if (dto.inference_timeout_secs !== undefined)
      patch.inferenceTimeoutSecs = dto.inference_timeout_secs;
    if (dto.priority !== undefined) patch.priority = dto.priority;
    if (dto.enabled !== undefined) patch.enabled = dto.enabled;
    if (dto.notes !== undefined) patch.notes = dto.notes;
    if (dto.max_concurrency !== undefined) patch.maxConcurrency = dto.max_concurrency;

    const backendChanged =
      patch.baseUrl !== undefined ||
      patch.apiKeyEncrypted !== undefined ||
      (patch.endpointType !== undefined && patch.endpointType !== e.endpointType);
    if (backendChanged) {
      // What we knew about the old backend no longer holds: probe and sync it afresh.
      Object.assign(patch, {
        status: 'pending',
        consecutiveFailures: 0,
        latencyMs: null,
        lastError: null,
      });
      patch.modelsSyncedAt = null;
    }
    patch.updatedAt = new Date();
    const updated = await this.write(() => this.repo.update(id, patch));
    if (!updated) throw new AppError('endpoint_not_found');
    await this.feed.publishLoadingModels(updated);
    const enabledNow =
      updated.enabled && (backendChanged || (patch.enabled === true && !e.enabled));
    if (enabledNow) {
      await this.prober.probe(id, {
        cause: 'update',
        unreachable: detection?.kind === 'unreachable' ? detection.error : undefined,
      });
    }
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.repo.delete(id))) throw new AppError('endpoint_not_found');
    this.feed.remove(id);
    this.lifecycle.emitDeleted(id);
  }

  /** Probes now and re-detects the type (when it is not manual). */
  async test(id: string): Promise<EndpointTestResultDto> {
    let e = await this.connections.mustFind(id);
    let detectError: string | null = null;
    if (e.typeSource === 'detected') {
      const det = await this.detector.detect(e.baseUrl, this.connections.decryptKey(e));
      if (det.kind === 'matched' && det.type !== e.endpointType) {
        e = (await this.repo.update(id, { endpointType: det.type, modelsSyncedAt: null })) ?? e;
        this.feed.publish(e);
      } else if (det.kind === 'unmatched') {
        detectError = det.reason;
      }
    }
    const outcome = await this.prober.probe(id, { cause: 'test' });
    return {
      success: outcome.success,
      latency_ms: outcome.latencyMs,
      endpoint_type: e.endpointType,
      models_found: outcome.modelsFound,
      error: outcome.error ?? detectError,
    };
  }

  async sync(id: string): Promise<SyncResultDto> {
    await this.connections.mustFind(id);
    return this.modelSync.sync(id);
  }

  async models(id: string): Promise<EndpointModelListDto> {
    await this.connections.mustFind(id);
    const models = await this.repo.findModels(id);
    return { endpoint_id: id, models: models.map(EndpointModelDto.from), total: models.length };
  }

  /** Live context length of one synced model (xllm, ollama, lm_studio only). */
  async modelInfo(id: string, modelId: string): Promise<ModelInfoDto> {
    const e = await this.connections.mustFind(id);
    if (!this.registry.supportsMetadata(e.endpointType)) {
      throw new AppError(
        'unsupported_for_type',
        `Model metadata is not available for endpoint type ${e.endpointType} (only xllm, ollama, lm_studio)`,
      );
    }
    const models = await this.repo.findModels(id);
    const m = models.find((x) => x.modelId === modelId);
    if (!m)
      throw new AppError('model_not_found', `Model ${modelId} is not served by this endpoint`);
    const live = await this.modelSync.fetchMaxTokens(e, modelId);
    if (live !== null && live !== m.maxTokens) {
      m.maxTokens = live;
      await this.repo.updateModel(id, modelId, { maxTokens: live });
      this.feed.publish(e, models);
    }
    return { model: modelId, endpoint_id: id, max_tokens: live ?? m.maxTokens };
  }

  // ---- for other modules (health, downloads): the connection/state part

  getConnection(id: string): Promise<EndpointConnection> {
    return this.connections.getConnection(id);
  }

  findConnection(id: string): Promise<EndpointConnection | null> {
    return this.connections.findConnection(id);
  }

  listEnabled(): Promise<EndpointConnection[]> {
    return this.connections.listEnabled();
  }

  applyHealth(id: string, patch: HealthPatch): Promise<EndpointConnection | null> {
    return this.connections.applyHealth(id, patch);
  }

  redetect(id: string): Promise<EndpointType> {
    return this.connections.redetect(id);
  }

  // ---- internals

  private typeFromDetection(d: DetectionResult): EndpointType {
    if (d.kind === 'matched') return d.type;
    if (d.kind === 'unmatched')
      throw new AppError('unsupported_endpoint', `Unsupported endpoint: ${d.reason}`);
    return 'unknown';
  }

  private async assertFree(
    name: string | undefined,
    baseUrl: string | undefined,
    selfId?: string,
  ): Promise<void> {
    if (name !== undefined) {
      const other = await this.repo.findByName(name);
      if (other && other.id !== selfId) throw this.taken('name');
    }
    if (baseUrl !== undefined) {
      const other = await this.repo.findByBaseUrl(baseUrl);
      if (other && other.id !== selfId) throw this.taken('base_url');
    }
  }

  private taken(column: 'name' | 'base_url'): AppError {
    return column === 'name'
      ? new AppError('endpoint_name_taken', undefined, { param: 'name' })
      : new AppError('endpoint_url_taken', undefined, { param: 'base_url' });
  }

  /** Runs a write, turning a unique-index collision (a concurrent registration) into 409. */
  private async write<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof UniqueViolation) throw this.taken(e.column);
      throw e;
    }
  }
}
