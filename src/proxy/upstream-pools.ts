import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Pool } from 'undici';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RoutingTable } from '../routing/routing-table.service';

export interface UpstreamTarget {
  pool: Pool;
  /** Path prefix of the base URL (`''` or e.g. `/openai`), without trailing slash. */
  pathPrefix: string;
  origin: string;
}

const SWEEP_EVERY_MS = 5_000;

/**
 * One undici keep-alive `Pool` per backend origin. Connect timeout `LLMLB_PROXY_CONNECT_TIMEOUT_MS`;
 * first-byte and idle timeouts are set per request. Pools of origins that left the routing
 * table are closed (checked whenever the table's revision changes) and all pools close on
 * shutdown.
 */
@Injectable()
export class UpstreamPools implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(UpstreamPools.name);
  private readonly byBaseUrl = new Map<string, UpstreamTarget>();
  private readonly pools = new Map<string, Pool>();
  /** Origins that stay open whatever the table says (cloud providers). */
  private readonly pinned = new Set<string>();
  private seenRevision = -1;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly table: RoutingTable,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => this.sweep(), SWEEP_EVERY_MS);
    this.timer.unref();
  }

  /** The pool and path prefix for a base URL (cached; no URL parsing per request). */
  target(baseUrl: string, pin = false): UpstreamTarget {
    const hit = this.byBaseUrl.get(baseUrl);
    if (hit && !hit.pool.closed && !hit.pool.destroyed) return hit;
    const url = new URL(baseUrl);
    const origin = url.origin;
    let pool = this.pools.get(origin);
    if (!pool || pool.closed || pool.destroyed) {
      pool = new Pool(origin, {
        connections: 512,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
        connect: { timeout: this.config.proxy.connectTimeoutMs },
      });
      this.pools.set(origin, pool);
    }
    if (pin) this.pinned.add(origin);
    const t: UpstreamTarget = { pool, origin, pathPrefix: url.pathname.replace(/\/+$/, '') };
    this.byBaseUrl.set(baseUrl, t);
    return t;
  }

  get openPools(): number {
    return this.pools.size;
  }

  /** Closes pools whose origin no longer belongs to any backend in the table. */
  sweep(force = false): void {
    if (!force && this.table.revision === this.seenRevision) return;
    this.seenRevision = this.table.revision;
    const live = new Set<string>(this.pinned);
    for (const b of this.table.all()) {
      try {
        live.add(new URL(b.baseUrl).origin);
      } catch {
        /* a bad URL never got a pool */
      }
    }
    for (const [origin, pool] of this.pools) {
      if (live.has(origin)) continue;
      this.pools.delete(origin);
      for (const [base, t] of this.byBaseUrl) if (t.origin === origin) this.byBaseUrl.delete(base);
      // close() lets requests in flight finish; new ones get a fresh pool if the backend returns
      pool.close().catch((e: unknown) => this.logger.debug(`closing pool ${origin}: ${String(e)}`));
    }
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const pools = [...this.pools.values()];
    this.pools.clear();
    this.byBaseUrl.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }
}
