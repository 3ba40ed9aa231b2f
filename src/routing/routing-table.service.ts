import { Inject, Injectable, Logger } from '@nestjs/common';
import { Listeners } from '../common/listeners';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import type {
  Backend,
  BackendHealth,
  BackendInfo,
  OutlierListener,
  PassiveFailureListener,
} from './backend';

const EWMA_ALPHA = 0.3;
/** How long a backend that failed on real traffic is chosen only as a last resort. */
export const PENALTY_MS = 5_000;
/** First outlier ejection; each failed probe doubles it, up to EJECT_MAX_MS. */
export const EJECT_BASE_MS = 30_000;
export const EJECT_MAX_MS = 300_000;

/**
 * What a client asks for (a model id or an alias) and who can serve it. Rebuilt whenever the
 * backends, their models or the aliases change, so a request costs one Map lookup.
 */
export interface Route {
  /** The model id or alias the client named. */
  name: string;
  /** Every backend serving it, online or not (the scheduler filters). */
  backends: readonly Backend[];
  /** Backend id → the backend's own model id, for aliases (null: the same as `name`). */
  upstreamModel: ReadonlyMap<string, string> | null;
  alias: boolean;
}

/** How one request ended for the backend's passive health. */
export type AttemptResult = 'ok' | 'failed' | 'neutral';

function freshHealth(): BackendHealth {
  return {
    consecutiveFailures: 0,
    penalizedUntil: 0,
    ejected: false,
    ejectedUntil: 0,
    backoffMs: EJECT_BASE_MS,
    probing: false,
    ejections: 0,
  };
}

/** Whether the scheduler may send this backend a request now (slots aside). */
export function isRoutable(b: Backend, now: number): boolean {
  if (!b.online) return false;
  const h = b.health;
  return !h.ejected || (!h.probing && now >= h.ejectedUntil);
}

/**
 * The in-memory routing table: which backends serve which model (and alias), their live load,
 * slots and passive health. Fed by the nodes, endpoints and models modules; read by the proxy
 * on every request (never a database query on that path).
 */
@Injectable()
export class RoutingTable {
  private readonly logger = new Logger('RoutingTable');
  private readonly backends = new Map<string, Backend>();
  /** model id → backends that list it (online or not). */
  private readonly byModel = new Map<string, Backend[]>();
  private readonly routes = new Map<string, Route>();
  private aliasTargets: ReadonlyMap<string, readonly string[]> = new Map();
  private readonly failureListeners = new Listeners<Parameters<PassiveFailureListener>>(
    'passive failure',
    this.logger,
  );
  private readonly outlierListeners = new Listeners<Parameters<OutlierListener>>(
    'outlier',
    this.logger,
  );
  private readonly changeListeners = new Listeners<[]>('routing change', this.logger);
  private readonly outlierThreshold: number;
  private version = 0;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.outlierThreshold = config.scheduling.outlierConsecutiveFailures;
  }

  /** Adds or replaces a backend's description; its load and health figures survive the update. */
  upsert(info: BackendInfo): void {
    const prev = this.backends.get(info.id);
    const backend: Backend = {
      ...info,
      load: prev?.load ?? {
        inFlight: 0,
        tokensPerSec: null,
        latencyEwmaMs: null,
        requests: 0,
        failures: 0,
      },
      // A backend the health checks bring back online starts with a clean record.
      health: prev && (prev.online || !info.online) ? prev.health : freshHealth(),
    };
    if (prev && backend.health !== prev.health) backend.health.ejections = prev.health.ejections;
    this.backends.set(info.id, backend);
    this.reindex();
  }

  remove(id: string): void {
    if (this.backends.delete(id)) this.reindex();
  }

  /** Replaces the model aliases (alias → target model ids). */
  setAliases(aliases: ReadonlyMap<string, readonly string[]>): void {
    this.aliasTargets = aliases;
    this.reindex();
  }

  get(id: string): Backend | undefined {
    return this.backends.get(id);
  }

  all(): Backend[] {
    return [...this.backends.values()];
  }

  /** Every backend listing `model`, online or not (the caller filters). */
  backendsFor(model: string): readonly Backend[] {
    return this.byModel.get(model) ?? [];
  }

  /** Online backends listing `model`. */
  onlineFor(model: string): Backend[] {
    return this.backendsFor(model).filter((b) => b.online);
  }

  /** Who serves a model id or alias; undefined when nothing does. */
  route(name: string): Route | undefined {
    return this.routes.get(name);
  }

  /** Whether `name` is a model id some backend lists (online or not). */
  isServedModel(name: string): boolean {
    return this.byModel.has(name);
  }

  /** Model ids with at least one online backend, with how many serve each. */
  onlineModels(): Map<string, { backends: Backend[] }> {
    const out = new Map<string, { backends: Backend[] }>();
    for (const [model, list] of this.byModel) {
      const online = list.filter((b) => b.online);
      if (online.length > 0) out.set(model, { backends: online });
    }
    return out;
  }

  /** Aliases with at least one online backend serving a target (for `/v1/models`). */
  onlineAliases(): Map<string, { backends: Backend[] }> {
    const out = new Map<string, { backends: Backend[] }>();
    for (const r of this.routes.values()) {
      if (!r.alias) continue;
      const online = r.backends.filter((b) => b.online);
      if (online.length > 0) out.set(r.name, { backends: online });
    }
    return out;
  }

  /** Increments whenever the set of backends, models or aliases changes. */
  get revision(): number {
    return this.version;
  }

  /** Called after every change of backends, models or aliases (capacity may have grown). */
  onChange(listener: () => void): void {
    this.changeListeners.add(listener);
  }

  // --- load accounting (called by the scheduler)

  acquire(backend: Backend): void {
    backend.load.inFlight += 1;
    backend.load.requests += 1;
    if (backend.health.ejected) backend.health.probing = true;
  }

  release(
    backend: Backend,
    outcome: { result: AttemptResult; latencyMs?: number; tokensPerSec?: number | null },
  ): void {
    backend.load.inFlight = Math.max(0, backend.load.inFlight - 1);
    if (outcome.result === 'failed') {
      backend.load.failures += 1;
      this.failed(backend, Date.now());
      return;
    }
    if (outcome.result === 'neutral') {
      backend.health.probing = false;
      return;
    }
    this.succeeded(backend);
    if (outcome.latencyMs !== undefined) {
      const l = backend.load.latencyEwmaMs;
      backend.load.latencyEwmaMs =
        l === null ? outcome.latencyMs : l + EWMA_ALPHA * (outcome.latencyMs - l);
    }
    if (
      outcome.tokensPerSec !== undefined &&
      outcome.tokensPerSec !== null &&
      outcome.tokensPerSec > 0
    ) {
      const t = backend.load.tokensPerSec;
      backend.load.tokensPerSec =
        t === null ? outcome.tokensPerSec : t + EWMA_ALPHA * (outcome.tokensPerSec - t);
    }
  }

  // --- passive health

  /** The health scheduler subscribes to failures the proxy observes on real traffic. */
  onPassiveFailure(listener: PassiveFailureListener): void {
    this.failureListeners.add(listener);
  }

  /** Ejections and returns (status events, metrics). */
  onOutlier(listener: OutlierListener): void {
    this.outlierListeners.add(listener);
  }

  /** The proxy saw a connection error or timeout: tell health (which may take it offline). */
  reportFailure(backend: Backend, error: string): void {
    this.failureListeners.emit(backend, error);
  }

  private succeeded(b: Backend): void {
    const h = b.health;
    h.consecutiveFailures = 0;
    h.penalizedUntil = 0;
    // Only the probing request brings it back (not one sent before the ejection).
    if (!h.ejected || !h.probing) return;
    h.ejected = false;
    h.probing = false;
    h.ejectedUntil = 0;
    h.backoffMs = EJECT_BASE_MS;
    this.emitOutlier(b, false, 'a probing request succeeded');
  }

  private failed(b: Backend, now: number): void {
    const h = b.health;
    h.consecutiveFailures += 1;
    h.penalizedUntil = now + PENALTY_MS;
    if (h.ejected) {
      // A request sent before the ejection: already out, nothing more to decide.
      if (!h.probing) return;
      // The probing request failed: out again, for twice as long.
      h.probing = false;
      h.backoffMs = Math.min(EJECT_MAX_MS, h.backoffMs * 2);
      h.ejectedUntil = now + h.backoffMs;
      h.ejections += 1;
      this.emitOutlier(b, true, `probing request failed; out for ${h.backoffMs / 1000} s`);
      return;
    }
    if (h.consecutiveFailures < this.outlierThreshold || this.isLastServer(b)) return;
    h.ejected = true;
    h.probing = false;
    h.ejectedUntil = now + h.backoffMs;
    h.ejections += 1;
    this.emitOutlier(
      b,
      true,
      `${h.consecutiveFailures} consecutive failures; out for ${h.backoffMs / 1000} s`,
    );
  }

  /** True when, for some model of `b`, no other online backend is in the rotation. */
  private isLastServer(b: Backend): boolean {
    for (const m of b.models) {
      const others = this.byModel.get(m.id) ?? [];
      if (!others.some((o) => o !== b && o.online && !o.health.ejected)) return true;
    }
    return false;
  }

  private emitOutlier(b: Backend, ejected: boolean, reason: string): void {
    if (ejected) this.logger.warn(`${b.kind} ${b.name} ejected from the rotation: ${reason}`);
    else this.logger.log(`${b.kind} ${b.name} back in the rotation: ${reason}`);
    this.outlierListeners.emit(b, ejected, reason);
  }

  private reindex(): void {
    this.byModel.clear();
    this.routes.clear();
    for (const b of this.backends.values()) {
      for (const m of b.models) {
        let list = this.byModel.get(m.id);
        if (!list) this.byModel.set(m.id, (list = []));
        list.push(b);
      }
    }
    for (const [name, backends] of this.byModel) {
      this.routes.set(name, { name, backends, upstreamModel: null, alias: false });
    }
    for (const [alias, targets] of this.aliasTargets) {
      if (this.byModel.has(alias)) continue; // a served model id always wins over an alias
      const backends: Backend[] = [];
      const upstreamModel = new Map<string, string>();
      for (const t of targets) {
        for (const b of this.byModel.get(t) ?? []) {
          if (upstreamModel.has(b.id)) continue;
          upstreamModel.set(b.id, t);
          backends.push(b);
        }
      }
      this.routes.set(alias, { name: alias, backends, upstreamModel, alias: true });
    }
    this.version += 1;
    this.changeListeners.emit();
  }
}
