import { Module } from '@nestjs/common';
import { TasksStoreModule } from '../downloads/tasks-store.module';
import { HealthModule } from '../health/health.module';
import { NodesModule } from '../nodes/nodes.module';
import { StatsModule } from '../stats/stats.module';
import { FleetMetricsService } from './fleet-metrics.service';

/** Publishes node, task and probe figures on /metrics. */
@Module({
  imports: [StatsModule, NodesModule, TasksStoreModule, HealthModule],
  providers: [FleetMetricsService],
})
export class FleetMetricsModule {}
