import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { skipWhileRunning } from '../common/skip-while-running';
import { NodesService } from './nodes.service';

export const HEARTBEAT_FLUSH_MS = 1000;
/** How often nodes left pending longer than LLMLB_PENDING_NODE_TTL_HOURS are looked for. */
export const PENDING_EXPIRY_MS = 3_600_000;
const MONITOR = 'nodes-offline-monitor';
const FLUSH = 'nodes-heartbeat-flush';
const PENDING_EXPIRY = 'nodes-pending-expiry';

/**
 * The offline monitor (every LLMLB_NODE_MONITOR_INTERVAL_SECS), the heartbeat writer (1 s)
 * and the removal of nodes never approved (hourly).
 */
@Injectable()
export class NodesScheduler implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(NodesScheduler.name);

  constructor(
    private readonly nodes: NodesService,
    private readonly scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.scheduler.addInterval(
      MONITOR,
      setInterval(() => void this.monitorTick(), this.config.nodes.monitorIntervalSecs * 1000),
    );
    this.scheduler.addInterval(
      FLUSH,
      setInterval(() => void this.nodes.flushHeartbeats(), HEARTBEAT_FLUSH_MS),
    );
    this.scheduler.addInterval(
      PENDING_EXPIRY,
      setInterval(() => void this.pendingExpiryTick(), PENDING_EXPIRY_MS),
    );
  }

  async onModuleDestroy(): Promise<void> {
    for (const name of [MONITOR, FLUSH, PENDING_EXPIRY]) {
      if (this.scheduler.doesExist('interval', name)) this.scheduler.deleteInterval(name);
    }
    // A flush may be in flight; the second call writes what changed since it started.
    await this.nodes.flushHeartbeats();
    await this.nodes.flushHeartbeats();
  }

  /** One monitor pass; a pass never overlaps the previous one. */
  readonly monitorTick = skipWhileRunning(
    () => this.nodes.markSilentNodesOffline(),
    (e) => this.logger.error(`offline monitor failed: ${e.message}`),
  );

  /** One pass removing nodes still pending after LLMLB_PENDING_NODE_TTL_HOURS. */
  readonly pendingExpiryTick = skipWhileRunning(
    () => this.nodes.removeExpiredPending(),
    (e) => this.logger.error(`pending node expiry failed: ${e.message}`),
  );
}
