import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { RoutingModule } from '../routing/routing.module';
import { EndpointHealthController } from './endpoint-health.controller';
import { EndpointHealthScheduler } from './endpoint-health.scheduler';
import { EndpointHealthService } from './endpoint-health.service';
import { EndpointStatusEventEntity } from './endpoint-status-event.entity';
import { EndpointStatusEventsRepository } from './endpoint-status-events.repository';

/** Scheduled pull health checks and the endpoint state machine. Depends on endpoints, not the reverse. */
@Module({
  imports: [TypeOrmModule.forFeature([EndpointStatusEventEntity]), EndpointsModule, RoutingModule],
  controllers: [EndpointHealthController],
  providers: [EndpointHealthService, EndpointHealthScheduler, EndpointStatusEventsRepository],
  exports: [EndpointHealthService, EndpointHealthScheduler],
})
export class HealthModule {}
