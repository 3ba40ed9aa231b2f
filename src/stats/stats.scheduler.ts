import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { skipWhileRunning } from '../common/skip-while-running';
import { StatsService } from './stats.service';

const FLUSH = 'stats-flush';
const RETENTION = 'stats-retention';
const RETENTION_EVERY_MS = 3_600_000;

/**
 * Writes pending history rows every `LLMLB_STATS_FLUSH_MS` (one transaction per batch) and
 * deletes rows older than `LLMLB_HISTORY_RETENTION_DAYS` hourly (and once at boot).
 * Ticks never overlap; the last rows are written on shutdown.
 */
@Injectable()
export class StatsScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(StatsScheduler.name);

  constructor(
    private readonly stats: StatsService,
    private readonly scheduler: SchedulerRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const flush = setInterval(() => void this.stats.flush(), this.config.stats.flushMs);
    flush.unref();
    this.scheduler.addInterval(FLUSH, flush);
    const retention = setInterval(() => void this.purge(), RETENTION_EVERY_MS);
    retention.unref();
    this.scheduler.addInterval(RETENTION, retention);
    void this.purge();
  }

  /** Deletes history older than the retention period; a run never overlaps the previous one. */
  readonly purge = skipWhileRunning(
    async () => {
      const n = await this.stats.purgeOlderThan(this.config.stats.retentionDays);
      if (n > 0)
        this.logger.log(
          `deleted ${n} request history rows older than ${this.config.stats.retentionDays} days`,
        );
    },
    (e) => this.logger.warn(`history retention failed: ${e.message}`),
  );

  async onModuleDestroy(): Promise<void> {
    for (const name of [FLUSH, RETENTION]) {
      if (this.scheduler.doesExist('interval', name)) this.scheduler.deleteInterval(name);
    }
    await this.stats.flush();
    await this.stats.flush();
  }
}
