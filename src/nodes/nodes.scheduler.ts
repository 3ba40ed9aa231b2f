import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { skipWhileRunning } from '../common/skip-while-running';
import { NodesService } from './nodes.service';

export const HEARTBEAT_FLUSH_MS = 1000;
const MONITOR = 'nodes-offline-monitor';
const FLUSH = 'nodes-heartbeat-flush';

/** The offline monitor (every LLMLB_NODE_MONITOR_INTERVAL_SECS) and the heartbeat writer (1 s). */
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
  }

  async onModuleDestroy(): Promise<void> {
    for (const name of [MONITOR, FLUSH]) {
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
}
