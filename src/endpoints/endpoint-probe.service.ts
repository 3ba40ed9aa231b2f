import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { KeyedMutex } from '../common/keyed-mutex';
import { Listeners } from '../common/listeners';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { parseOpenAiModelIds } from './adapters';
import { BackendHttpClient } from './backend-http.client';
import { EndpointConnections } from './endpoint-connections.service';
import type { ProbeOutcome, ProbeRequest } from './endpoint-lifecycle';
import { EndpointModelSyncService } from './endpoint-model-sync.service';
import type { EndpointStatus } from './endpoint-types';
import { EndpointStatusEventsRepository } from './endpoint-status-events.repository';
import { nextHealthState } from './endpoint-state-machine';
import type { ProbeRecord } from './probe-record';

interface RawResult {
  success: boolean;
  latencyMs: number | null;
  error: string | null;
  modelsFound: number | null;
}

const RECENT_PROBES_KEPT = 20;

/**
 * Probes endpoints (`GET {base}/v1/models`, 2xx = success), applies the state machine, stores
 * transitions, and on recovery re-detects the type and re-syncs the models. `probe(id)` is
 * what registration, `test` and URL changes (`EndpointsService`) and the health scheduler
 * call; health reaches it through `EndpointHealthService`.
 */
@Injectable()
export class EndpointProbeService implements OnModuleDestroy {
  private readonly logger = new Logger('EndpointHealth');
  private readonly inFlight = new Map<string, Promise<ProbeOutcome>>();
  /** Per endpoint, so that state updates (probe or passive) never interleave. */
  private readonly locks = new KeyedMutex();
  private readonly recent = new Map<string, ProbeRecord[]>();
  private readonly lastProbeDone = new Map<string, number>();
  private readonly probeListeners = new Listeners<[endpointId: string, probe: ProbeRecord]>(
    'probe',
    this.logger,
  );
  private stopping = false;

  constructor(
    private readonly endpoints: EndpointConnections,
    private readonly modelSync: EndpointModelSyncService,
    private readonly http: BackendHttpClient,
    private readonly events: EndpointStatusEventsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleDestroy(): void {
    // Probes cut short by shutdown must not be recorded as failures.
    this.stopping = true;
  }

  /** Every raw probe result (for metrics: durations, outcomes). */
  onProbe(listener: (endpointId: string, probe: ProbeRecord) => void): void {
    this.probeListeners.add(listener);
  }

  /** Probes now; a probe of the same endpoint already running is joined, never doubled. */
  probe(
    id: string,
    req: ProbeRequest | { cause: 'schedule' } = { cause: 'schedule' },
  ): Promise<ProbeOutcome> {
    let p = this.inFlight.get(id);
    if (!p) {
      p = this.runProbe(id, req).finally(() => {
        this.inFlight.delete(id);
        this.lastProbeDone.set(id, Date.now());
      });
      this.inFlight.set(id, p);
    }
    return p;
  }

  isProbing(id: string): boolean {
    return this.inFlight.has(id);
  }

  /** When the last probe of the endpoint finished (epoch ms), if any since start-up. */
  lastProbedAt(id: string): number | undefined {
    return this.lastProbeDone.get(id);
  }

  /** Raw results of the last probes, newest last. */
  recentProbes(id: string): ProbeRecord[] {
    return [...(this.recent.get(id) ?? [])];
  }

  /** A failure the proxy saw on real traffic counts as a failed probe, right now. */
  async recordPassiveFailure(id: string, error: string): Promise<EndpointStatus | null> {
    const raw: RawResult = {
      success: false,
      latencyMs: null,
      error: `proxied request failed: ${error}`,
      modelsFound: null,
    };
    this.remember(id, raw, 'passive');
    const applied = await this.apply(id, raw, 'passive', false);
    return applied?.status ?? null;
  }

  forget(id: string): void {
    this.recent.delete(id);
    this.lastProbeDone.delete(id); // its lock entry goes away by itself once idle
  }

  private async runProbe(
    id: string,
    req: ProbeRequest | { cause: 'schedule' },
  ): Promise<ProbeOutcome> {
    const conn = await this.endpoints.getConnection(id);
    const unreachable = 'unreachable' in req ? req.unreachable : undefined;
    let raw: RawResult;
    const started = performance.now();
    if (unreachable) {
      raw = { success: false, latencyMs: null, error: unreachable, modelsFound: null };
    } else {
      raw = await this.request(conn.baseUrl, conn.apiKey);
    }
    const durationMs = Math.round(performance.now() - started);
    if (this.stopping) return { ...raw, status: conn.status };
    this.remember(id, raw, req.cause, durationMs);
    const applied = await this.apply(id, raw, req.cause, unreachable !== undefined);
    if (!applied) throw new AppError('endpoint_not_found');
    if (raw.success)
      await this.afterSuccess(
        id,
        applied.prev,
        applied.typeSource,
        applied.type,
        applied.modelsSyncedAt,
      );
    return { ...raw, status: applied.status };
  }

  private async request(baseUrl: string, apiKey: string | null): Promise<RawResult> {
    try {
      const a = await this.http.get(`${baseUrl}/v1/models`, {
        apiKey,
        timeoutMs: this.config.health.timeoutSecs * 1000,
      });
      const ok = a.status >= 200 && a.status < 300;
      return {
        success: ok,
        latencyMs: a.latencyMs,
        error: ok ? null : `GET /v1/models answered HTTP ${a.status}`,
        modelsFound: ok ? (parseOpenAiModelIds(a.json)?.length ?? null) : null,
      };
    } catch (e) {
      return { success: false, latencyMs: null, error: (e as Error).message, modelsFound: null };
    }
  }

  /** Applies one result under the endpoint's lock; records the transition if the status changed. */
  private apply(id: string, raw: RawResult, cause: string, unreachableAtRegistration: boolean) {
    return this.locks.run(id, async () => {
      let cur;
      try {
        cur = await this.endpoints.getConnection(id);
      } catch {
        return null; // deleted meanwhile
      }
      const next = nextHealthState(cur, raw.success, this.config.health.failuresForOffline, {
        unreachableAtRegistration,
      });
      const now = new Date();
      const updated = await this.endpoints.applyHealth(id, {
        status: next.status,
        consecutiveFailures: next.consecutiveFailures,
        lastCheckedAt: now,
        lastError: raw.success ? null : raw.error,
        ...(raw.success ? { latencyMs: raw.latencyMs, lastOnlineAt: now } : {}),
      });
      if (!updated) return null;
      if (next.status !== cur.status) {
        await this.events.insert({
          endpointId: id,
          fromStatus: cur.status,
          toStatus: next.status,
          cause,
          error: raw.success ? null : raw.error,
          latencyMs: raw.latencyMs,
        });
        const how = raw.success ? '' : ` (${raw.error})`;
        this.logger.log(`endpoint ${cur.name}: ${cur.status} → ${next.status}${how}`);
      }
      return {
        prev: cur.status,
        status: next.status,
        typeSource: updated.typeSource,
        type: updated.endpointType,
        modelsSyncedAt: updated.modelsSyncedAt,
      };
    });
  }

  /** Recovery re-detects and re-syncs; a healthy endpoint is re-synced at most every sync interval. */
  private async afterSuccess(
    id: string,
    prev: EndpointStatus,
    typeSource: string,
    type: string,
    modelsSyncedAt: Date | null,
  ): Promise<void> {
    const recovered = prev === 'offline' || prev === 'error';
    try {
      if (typeSource === 'detected' && (recovered || type === 'unknown'))
        await this.endpoints.redetect(id);
      const syncDue =
        recovered ||
        modelsSyncedAt === null ||
        Date.now() - modelsSyncedAt.getTime() >= this.config.health.modelSyncIntervalSecs * 1000;
      if (syncDue) await this.modelSync.sync(id);
    } catch (e) {
      this.logger.warn(`endpoint ${id}: after a healthy probe: ${(e as Error).message}`);
    }
  }

  private remember(id: string, raw: RawResult, cause: string, durationMs = 0): void {
    let list = this.recent.get(id);
    if (!list) this.recent.set(id, (list = []));
    const record: ProbeRecord = {
      at: new Date().toISOString(),
      success: raw.success,
      latencyMs: raw.latencyMs,
      durationMs,
      error: raw.error,
      cause,
    };
    list.push(record);
    if (list.length > RECENT_PROBES_KEPT) list.shift();
    this.probeListeners.emit(id, record);
  }
}
