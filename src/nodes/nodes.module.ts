import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { RoutingModule } from '../routing/routing.module';
import { HeartbeatController } from './heartbeat.controller';
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
 */
@Module({
  imports: [TypeOrmModule.forFeature([NodeEntity]), AuthModule, RoutingModule],
  controllers: [NodesController, HeartbeatController],
  providers: [NodesRepository, NodesMaintenance, NodeRuntimeClient, NodesService, NodesScheduler],
  exports: [NodesService],
})
export class NodesModule {}
