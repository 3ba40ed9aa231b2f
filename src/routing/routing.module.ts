import { Module } from '@nestjs/common';
import { RoutingTable } from './routing-table.service';
import { Scheduler } from './scheduler.service';

/**
 * The in-memory routing table shared by nodes, endpoints and models (writers) and the proxy
 * (reader), and the scheduler that admits requests onto backend slots.
 */
@Module({ providers: [RoutingTable, Scheduler], exports: [RoutingTable, Scheduler] })
export class RoutingModule {}
