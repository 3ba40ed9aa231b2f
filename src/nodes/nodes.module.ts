import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { RoutingModule } from '../routing/routing.module';
import { Clock } from '../common/clock';
import { HeartbeatController } from './heartbeat.controller';
import { NodeAdmin } from './node-admin.service';
import { NodeEvents } from './node-events';
import { NodeHeartbeats } from './node-heartbeats.service';
import { NodeRegistration } from './node-registration.service';
import { NodeRegistry } from './node-registry';
import { NodeRoutingFeed } from './node-routing.feed';
import { NodeRuntimeClient } from './node-runtime.client';
import { NodeEntity } from './node.entity';
import { NodesMaintenance } from './nodes-maintenance.service';
import { NodesController } from './nodes.controller';
import { NodesRepository } from './nodes.repository';
import { NodesScheduler } from './nodes.scheduler';
import { NodesService } from './nodes.service';

/**
 * Self-registering GPU nodes: registration (GPU rule, reachability), node tokens, heartbeats,
 * approval, the offline monitor, startup cleanup and legacy import. Feeds the routing table.
 * Other modules use NodesService, a facade over the files that own each role.
 */
@Module({
  imports: [TypeOrmModule.forFeature([NodeEntity]), AuthModule, RoutingModule],
  controllers: [NodesController, HeartbeatController],
  providers: [
    Clock,
    NodesRepository,
    NodesMaintenance,
    NodeRuntimeClient,
    NodeRegistry,
    NodeEvents,
    NodeRoutingFeed,
    NodeRegistration,
    NodeHeartbeats,
    NodeAdmin,
    NodesService,
    NodesScheduler,
  ],
  exports: [NodesService],
})
export class NodesModule {}
