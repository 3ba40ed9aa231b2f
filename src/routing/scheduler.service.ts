import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AffinityMap } from './affinity';
import { hasFreeSlot, type Backend } from './backend';
import { Balancer } from './balancer';
import { FairQueue, type Queued } from './fair-queue';
import { isRoutable, RoutingTable, type AttemptResult, type Route } from './routing-table.service';

/** 429 queue_full / 503 queue_timeout, with the `Retry-After` the client should get. */
export class QueueRejection extends AppError {
  constructor(
    code: 'queue_full' | 'queue_timeout',
    message: string,
    readonly retryAfterSecs: number,
  ) {
    super(code, message);
  }
}

/** The client went away while its request waited; nothing to answer. */
export class WaiterGone extends Error {
  constructor() {
    super('client disconnected while waiting for a slot');
  }
}

interface Waiter extends Queued {
  routeName: string;
  exclude: readonly string[];
  affinityKey: string | null;
  signal: AbortSignal;
  timer: NodeJS.Timeout | null;
  onAbort: () => void;
  resolve: (b: Backend) => void;
  reject: (e: Error) => void;
}

/** What the proxy asks for: a backend with a free slot for this route. */
export interface AdmissionRequest {
  route: Route;
  /** API key id or user id: waiters are served round-robin across callers. */
  caller: string;
  /** Conversation key (see conversationKey), or null. */
  affinityKey: string | null;
  /** Backends already tried for this request. */
  exclude: readonly string[];
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
}

/**
 * Admission: every request takes one slot of a backend before it is sent and gives it back
 * when it ends, so no backend ever has more requests in flight than its `max_concurrency`.
 *
 * Fast path (a slot is free): affinity lookup + balancer pick, synchronous, no allocation.
 * Slow path (every routable candidate is full): the request waits in its model's FairQueue;
 * whenever a slot frees (or the table changes) waiters are placed on whichever backend has room,
 * round-robin across callers. Bounded by `LLMLB_QUEUE_MAX` per model and
 * `LLMLB_QUEUE_TIMEOUT_SECS`; a waiter whose client disconnects leaves at once.
 */
@Injectable()
export class Scheduler implements OnModuleDestroy {
  private readonly balancer = new Balancer();
  private readonly queues = new Map<string, FairQueue<Waiter>>();
  private readonly affinity: AffinityMap | null;
  private readonly queueMax: number;
  private readonly queueTimeoutMs: number;
  private waiting = 0;
  /** `Date.now()` of the current pick (read by the predicates below). */
  private now = 0;
  private readonly skip = (b: Backend): boolean => !isRoutable(b, this.now) || !hasFreeSlot(b);
  private readonly penalized = (b: Backend): boolean => b.health.penalizedUntil > this.now;

  constructor(
    private readonly table: RoutingTable,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    const s = config.scheduling;
    this.affinity = s.affinity ? new AffinityMap(s.affinityTtlSecs * 1000) : null;
    this.queueMax = s.queueMax;
    this.queueTimeoutMs = s.queueTimeoutSecs * 1000;
    table.onChange(() => this.drain());
  }

  /** Whether a conversation key is worth computing for this route (more than one backend). */
  wantsAffinity(route: Route): boolean {
    return this.affinity !== null && route.backends.length > 1;
  }

  /**
   * A backend slot for the request: the backend at once when one is free, a promise when the
   * request has to wait, null when no routable backend is left (all offline, ejected or tried).
   * Throws QueueRejection (queue_full) when the model's queue is full; the promise rejects with
   * QueueRejection (queue_timeout) or WaiterGone.
   */
  acquire(req: AdmissionRequest): Backend | Promise<Backend> | null {
    const b = this.pick(req.route, req.exclude, req.affinityKey);
    if (b) {
      this.take(b, req.affinityKey);
      return b;
    }
    if (!this.anyRoutable(req.route, req.exclude)) return null;
    return this.enqueue(req);
  }

  /** Gives the slot back (and hands it to a waiter, if any). */
  release(
    b: Backend,
    outcome: { result: AttemptResult; latencyMs?: number; tokensPerSec?: number | null },
  ): void {
    this.table.release(b, outcome);
    if (this.waiting > 0) this.drain();
  }

  /** Requests waiting per route (model id or alias), only the non-empty queues. */
  queueDepths(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [name, q] of this.queues) if (q.size > 0) out.set(name, q.size);
    return out;
  }

  get totalWaiting(): number {
    return this.waiting;
  }

  onModuleDestroy(): void {
    for (const q of this.queues.values()) {
      for (let w = q.heads().next(); !w.done; w = q.heads().next()) {
        q.take(w.value);
        this.forget(w.value);
        w.value.reject(new QueueRejection('queue_timeout', 'The server is shutting down', 1));
      }
    }
    this.queues.clear();
  }

  // --- internals

  private pick(route: Route, exclude: readonly string[], key: string | null): Backend | null {
    const now = (this.now = Date.now());
    if (key !== null && this.affinity !== null) {
      const id = this.affinity.get(key, now);
      if (id !== null) {
        const list = route.backends;
        for (let i = 0; i < list.length; i++) {
          const b = list[i];
          if (b.id !== id) continue;
          if (!this.skip(b) && !this.penalized(b) && !exclude.includes(id)) return b;
          break;
        }
      }
    }
    return this.balancer.pick(route.backends, exclude, this.penalized, this.skip);
  }

  private take(b: Backend, key: string | null): void {
    this.table.acquire(b);
    if (key !== null && this.affinity !== null) this.affinity.set(key, b.id, this.now);
  }

  private anyRoutable(route: Route, exclude: readonly string[]): boolean {
    const now = Date.now();
    return route.backends.some((b) => isRoutable(b, now) && !exclude.includes(b.id));
  }

  private enqueue(req: AdmissionRequest): Promise<Backend> {
    if (req.signal.aborted) return Promise.reject(new WaiterGone());
    const name = req.route.name;
    let q = this.queues.get(name);
    if ((q?.size ?? 0) >= this.queueMax) {
      throw new QueueRejection(
        'queue_full',
        this.queueMax === 0
          ? `Every backend serving "${name}" is busy`
          : `Every backend serving "${name}" is busy and ${this.queueMax} requests are already waiting`,
        this.retryAfterSecs(req.route),
      );
    }
    if (!q) this.queues.set(name, (q = new FairQueue<Waiter>()));
    const queue = q;
    return new Promise<Backend>((resolve, reject) => {
      const w: Waiter = {
        caller: req.caller,
        routeName: name,
        exclude: req.exclude,
        affinityKey: req.affinityKey,
        signal: req.signal,
        timer: null,
        onAbort: () => {
          if (!queue.remove(w)) return;
          this.forget(w);
          reject(new WaiterGone());
        },
        resolve,
        reject,
      };
      w.timer = setTimeout(() => {
        if (!queue.remove(w)) return;
        this.forget(w);
        const route = this.table.route(name);
        reject(
          new QueueRejection(
            'queue_timeout',
            `No backend serving "${name}" had a free slot within ${this.queueTimeoutMs / 1000} s`,
            route ? this.retryAfterSecs(route) : 1,
          ),
        );
      }, this.queueTimeoutMs);
      req.signal.addEventListener('abort', w.onAbort, { once: true });
      queue.push(w);
      this.waiting += 1;
    });
  }

  /** Places waiters on free slots, round-robin across callers, until no slot or waiter is left. */
  private drain(): void {
    if (this.waiting === 0) return;
    for (const [name, q] of this.queues) {
      const route = this.table.route(name);
      if (route) this.drainQueue(route, q);
      if (q.size === 0) this.queues.delete(name);
    }
  }

  private drainQueue(route: Route, q: FairQueue<Waiter>): void {
    for (;;) {
      let placed = false;
      for (const w of q.heads()) {
        const b = this.pick(route, w.exclude, w.affinityKey);
        if (b) {
          q.take(w);
          this.forget(w);
          this.take(b, w.affinityKey);
          w.resolve(b);
          placed = true;
          break;
        }
        // Without exclusions, a waiter that finds no slot means no other waiter will.
        if (w.exclude.length === 0) return;
      }
      if (!placed || q.size === 0) return;
    }
  }

  /** Bookkeeping of a waiter that left the queue (placed, timed out or gone). */
  private forget(w: Waiter): void {
    this.waiting -= 1;
    if (w.timer) clearTimeout(w.timer);
    w.signal.removeEventListener('abort', w.onAbort);
  }

  /** A hint for `Retry-After`: about one request's latency on this route, 1–60 s. */
  private retryAfterSecs(route: Route): number {
    let sum = 0;
    let n = 0;
    for (const b of route.backends) {
      if (b.load.latencyEwmaMs !== null) {
        sum += b.load.latencyEwmaMs;
        n += 1;
      }
    }
    const secs = n > 0 ? Math.ceil(sum / n / 1000) : 1;
    return Math.min(60, Math.max(1, secs));
  }
}
