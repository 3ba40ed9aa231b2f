import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { RoutingModule } from '../routing/routing.module';
import { EndpointAdapterRegistry } from './adapter.registry';
import { BackendHttpClient } from './backend-http.client';
import { EndpointDetector } from './endpoint-detector';
import { EndpointLifecycle } from './endpoint-lifecycle';
import { EndpointModelSyncService } from './endpoint-model-sync.service';
import { EndpointModelEntity } from './endpoint-model.entity';
import { EndpointRoutingFeed } from './endpoint-routing.feed';
import { EndpointEntity } from './endpoint.entity';
import { EndpointsController } from './endpoints.controller';
import { EndpointsRepository } from './endpoints.repository';
import { EndpointsService } from './endpoints.service';

/**
 * Admin-registered endpoints: CRUD, type detection, one adapter per server kind, model sync
 * and metadata, and the routing-table feed. Health plugs its probe in through EndpointLifecycle.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([EndpointEntity, EndpointModelEntity]),
    AuthModule,
    RoutingModule,
  ],
  controllers: [EndpointsController],
  providers: [
    EndpointsRepository,
    EndpointsService,
    EndpointAdapterRegistry,
    EndpointDetector,
    EndpointModelSyncService,
    EndpointRoutingFeed,
    EndpointLifecycle,
    BackendHttpClient,
  ],
  exports: [
    EndpointsService,
    EndpointModelSyncService,
    EndpointAdapterRegistry,
    EndpointDetector,
    EndpointLifecycle,
    BackendHttpClient,
  ],
})
export class EndpointsModule {}
