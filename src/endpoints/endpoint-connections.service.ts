import { Injectable } from '@nestjs/common';
import { SecretBoxService } from '../auth/secret-box.service';
import { AppError } from '../common/app-error';
import { EndpointDetector } from './endpoint-detector';
import { EndpointRoutingFeed } from './endpoint-routing.feed';
import type { EndpointStatus, EndpointType, TypeSource } from './endpoint-types';
import type { EndpointEntity } from './endpoint.entity';
import { EndpointsRepository } from './endpoints.repository';

/** How other modules (health, downloads) reach one endpoint. Holds the decrypted key: never return it. */
export interface EndpointConnection {
  id: string;
  name: string;
  endpointType: EndpointType;
  typeSource: TypeSource;
  baseUrl: string;
  apiKey: string | null;
  status: EndpointStatus;
  enabled: boolean;
  consecutiveFailures: number;
  healthCheckIntervalSecs: number;
  modelsSyncedAt: Date | null;
}

/** The health fields a probe writes. */
export interface HealthPatch {
  status: EndpointStatus;
  consecutiveFailures: number;
  lastCheckedAt: Date;
  lastError: string | null;
  latencyMs?: number | null;
  lastOnlineAt?: Date;
}

/**
 * The connection and health-state part of an endpoint, shared by the CRUD (`EndpointsService`),
 * the probe (`EndpointProbeService`), health and downloads. Depends on no other endpoint service.
 */
@Injectable()
export class EndpointConnections {
  constructor(
    private readonly repo: EndpointsRepository,
    private readonly detector: EndpointDetector,
    private readonly feed: EndpointRoutingFeed,
    private readonly secrets: SecretBoxService,
  ) {}

  /** An endpoint with its decrypted key, or 404 endpoint_not_found. */
  async getConnection(id: string): Promise<EndpointConnection> {
    return this.toConnection(await this.mustFind(id));
  }

  /** Like getConnection, but null for an unknown endpoint (downloads resuming after a delete). */
  async findConnection(id: string): Promise<EndpointConnection | null> {
    const e = await this.repo.findById(id);
    return e ? this.toConnection(e) : null;
  }

  /** Enabled endpoints, for the health scheduler. */
  async listEnabled(): Promise<EndpointConnection[]> {
    const rows = await this.repo.find();
    return rows.filter((e) => e.enabled).map((e) => this.toConnection(e, false));
  }

  /** Writes a probe's result and republishes the endpoint; null when it was deleted meanwhile. */
  async applyHealth(id: string, patch: HealthPatch): Promise<EndpointConnection | null> {
    const e = await this.repo.update(id, patch);
    if (!e) return null;
    await this.feed.publishLoadingModels(e);
    return this.toConnection(e, false);
  }

  /** Re-runs type detection when the type is not manual; returns the (possibly new) type. */
  async redetect(id: string): Promise<EndpointType> {
    const e = await this.mustFind(id);
    if (e.typeSource !== 'detected') return e.endpointType;
    const det = await this.detector.detect(e.baseUrl, this.decryptKey(e));
    if (det.kind === 'matched' && det.type !== e.endpointType) {
      const updated = await this.repo.update(id, { endpointType: det.type });
      if (updated) this.feed.publish(updated);
      return det.type;
    }
    return e.endpointType;
  }

  async mustFind(id: string): Promise<EndpointEntity> {
    const e = await this.repo.findById(id);
    if (!e) throw new AppError('endpoint_not_found');
    return e;
  }

  decryptKey(e: EndpointEntity): string | null {
    return e.apiKeyEncrypted ? this.secrets.decrypt(e.apiKeyEncrypted) : null;
  }

  toConnection(e: EndpointEntity, withKey = true): EndpointConnection {
    return {
      id: e.id,
      name: e.name,
      endpointType: e.endpointType,
      typeSource: e.typeSource,
      baseUrl: e.baseUrl,
      apiKey: withKey ? this.decryptKey(e) : null,
      status: e.status,
      enabled: e.enabled,
      consecutiveFailures: e.consecutiveFailures,
      healthCheckIntervalSecs: e.healthCheckIntervalSecs,
      modelsSyncedAt: e.modelsSyncedAt,
    };
  }
}
