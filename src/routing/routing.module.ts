import { Module } from '@nestjs/common';
import { RoutingTable } from './routing-table.service';

/** The in-memory routing table shared by nodes, endpoints (writers) and the proxy (reader). */
@Module({ providers: [RoutingTable], exports: [RoutingTable] })
export class RoutingModule {}
