import { Module } from '@nestjs/common';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { RoutingModule } from '../routing/routing.module';
import { EndpointHealthController } from './endpoint-health.controller';
import { EndpointHealthScheduler } from './endpoint-health.scheduler';
import { EndpointHealthService } from './endpoint-health.service';

/** Scheduled pull health checks and the endpoint state machine. Depends on endpoints, not the reverse. */
@Module({
  imports: [EndpointsModule, RoutingModule],
  controllers: [EndpointHealthController],
  providers: [EndpointHealthService, EndpointHealthScheduler],
  exports: [EndpointHealthService, EndpointHealthScheduler],
})
export class HealthModule {}
