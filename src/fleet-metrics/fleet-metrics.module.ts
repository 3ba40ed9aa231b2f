import { Module } from '@nestjs/common';
import { TasksModule } from '../tasks/tasks.module';
import { HealthModule } from '../health/health.module';
import { NodesModule } from '../nodes/nodes.module';
import { StatsModule } from '../stats/stats.module';
import { FleetMetricsService } from './fleet-metrics.service';

/** Publishes node, task and probe figures on /metrics. */
@Module({
  imports: [StatsModule, NodesModule, TasksModule, HealthModule],
  providers: [FleetMetricsService],
})
export class FleetMetricsModule {}
