import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RoutingModule } from '../routing/routing.module';
import { MetricsService } from './metrics.service';
import { RequestRecordEntity } from './request-record.entity';
import { RequestRecordsRepository } from './request-records.repository';
import { StatsController } from './stats.controller';
import { StatsScheduler } from './stats.scheduler';
import { StatsService } from './stats.service';

/**
 * Request statistics and metrics. Exports `StatsService` (the proxy records requests) and
 * `MetricsService` (other modules add probe durations, node and task counts, collectors).
 */
@Module({
  imports: [TypeOrmModule.forFeature([RequestRecordEntity]), RoutingModule],
  controllers: [StatsController],
  providers: [RequestRecordsRepository, StatsService, MetricsService, StatsScheduler],
  exports: [StatsService, MetricsService],
})
export class StatsModule {}
