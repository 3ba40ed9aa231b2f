import { Injectable } from '@nestjs/common';
import type { Backend, BackendInfo, PassiveFailureListener } from './backend';

const EWMA_ALPHA = 0.3;

/**
 * The in-memory routing table: which backends serve which model, and their live load.
 * Fed by the nodes and endpoints modules on every status or model change; read by the
 * proxy on every request (never a database query on that path).
 */
@Injectable()
export class RoutingTable {
  private readonly backends = new Map<string, Backend>();
  /** model id → backends that list it (online or not). */
  private readonly byModel = new Map<string, Backend[]>();
  private readonly failureListeners: PassiveFailureListener[] = [];
  private version = 0;

  /** Adds or replaces a backend's description; its load figures survive the update. */
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
    };
    this.backends.set(info.id, backend);
    this.reindex();
  }

  remove(id: string): void {
    if (this.backends.delete(id)) this.reindex();
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

  /** Model ids with at least one online backend, with how many serve each. */
  onlineModels(): Map<string, { backends: Backend[] }> {
    const out = new Map<string, { backends: Backend[] }>();
    for (const [model, list] of this.byModel) {
      const online = list.filter((b) => b.online);
      if (online.length > 0) out.set(model, { backends: online });
    }
    return out;
  }

  /** Increments whenever the set of backends or models changes. */
  get revision(): number {
    return this.version;
  }

  // --- load accounting (called by the proxy)

  acquire(backend: Backend): void {
    backend.load.inFlight += 1;
    backend.load.requests += 1;
  }

  release(
    backend: Backend,
    outcome: { ok: boolean; latencyMs?: number; tokensPerSec?: number | null },
  ): void {
    backend.load.inFlight = Math.max(0, backend.load.inFlight - 1);
    if (!outcome.ok) {
      backend.load.failures += 1;
      return;
    }
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
    this.failureListeners.push(listener);
  }

  /**
   * The proxy saw a connection error or timeout: tell the listeners. The table itself keeps
   * the backend; health decides whether it goes offline (the proxy penalizes it meanwhile).
   */
  reportFailure(backend: Backend, error: string): void {
    for (const l of this.failureListeners) l(backend, error);
  }

  private reindex(): void {
    this.byModel.clear();
    for (const b of this.backends.values()) {
      for (const m of b.models) {
        let list = this.byModel.get(m.id);
        if (!list) this.byModel.set(m.id, (list = []));
        list.push(b);
      }
    }
    this.version += 1;
  }
}
