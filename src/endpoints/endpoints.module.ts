import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { RoutingModule } from '../routing/routing.module';
import { EndpointAdapterRegistry } from './adapter.registry';
import { BackendHttpClient } from './backend-http.client';
import { EndpointDetector } from './endpoint-detector';
import { EndpointConnections } from './endpoint-connections.service';
import { EndpointLifecycle } from './endpoint-lifecycle';
import { EndpointModelSyncService } from './endpoint-model-sync.service';
import { EndpointModelEntity } from './endpoint-model.entity';
import { EndpointProbeService } from './endpoint-probe.service';
import { EndpointRoutingFeed } from './endpoint-routing.feed';
import { EndpointStatusEventEntity } from './endpoint-status-event.entity';
import { EndpointStatusEventsRepository } from './endpoint-status-events.repository';
import { EndpointEntity } from './endpoint.entity';
import { EndpointsController } from './endpoints.controller';
import { EndpointsRepository } from './endpoints.repository';
import { EndpointsService } from './endpoints.service';

/**
 * Admin-registered endpoints: CRUD, type detection, one adapter per server kind, model sync
 * and metadata, the routing-table feed, and the endpoint health state with its probe
 * (`EndpointProbeService`, also used by the health module's scheduler).
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([EndpointEntity, EndpointModelEntity, EndpointStatusEventEntity]),
    AuthModule,
    RoutingModule,
  ],
  controllers: [EndpointsController],
  providers: [
    EndpointsRepository,
    EndpointsService,
    EndpointConnections,
    EndpointProbeService,
    EndpointStatusEventsRepository,
    EndpointAdapterRegistry,
    EndpointDetector,
    EndpointModelSyncService,
    EndpointRoutingFeed,
    EndpointLifecycle,
    BackendHttpClient,
  ],
  exports: [
    EndpointsService,
    EndpointProbeService,
    EndpointStatusEventsRepository,
    EndpointModelSyncService,
    EndpointAdapterRegistry,
    EndpointDetector,
    EndpointLifecycle,
    BackendHttpClient,
  ],
})
export class EndpointsModule {}
