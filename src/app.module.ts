import { DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import type { AppConfig } from './config/app-config';
import { AuthModule } from './auth/auth.module';
import { ConfigModule } from './config/config.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { DatabaseModule } from './database/database.module';
import { DownloadsModule } from './downloads/downloads.module';
import { EndpointsModule } from './endpoints/endpoints.module';
import { FleetMetricsModule } from './fleet-metrics/fleet-metrics.module';
import { HealthModule } from './health/health.module';
import { ModelsModule } from './models/models.module';
import { NodesModule } from './nodes/nodes.module';
import { ProxyModule } from './proxy/proxy.module';
import { RoutingModule } from './routing/routing.module';
import { StatsModule } from './stats/stats.module';
import { SystemModule } from './system/system.module';

/** Composition root. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        DatabaseModule,
        ScheduleModule.forRoot(),
        AuthModule,
        RoutingModule,
        NodesModule,
        EndpointsModule,
        HealthModule,
        StatsModule,
        ProxyModule,
        FleetMetricsModule,
        SystemModule,
        ModelsModule,
        DownloadsModule,
        DashboardModule,
      ],
    };
  }
}
