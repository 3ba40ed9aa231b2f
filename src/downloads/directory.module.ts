import { Module } from '@nestjs/common';
import { EndpointsModule } from '../endpoints/endpoints.module';
import { NodesModule } from '../nodes/nodes.module';
import { RoutingModule } from '../routing/routing.module';
import { EndpointsDirectory } from './endpoints.directory';
import { NodesDirectory } from './nodes.directory';
import { ENDPOINT_DIRECTORY, NODE_DIRECTORY } from './ports';

/**
 * Binds NODE_DIRECTORY and ENDPOINT_DIRECTORY to thin adapters over the nodes and endpoints
 * modules (downloads → nodes, downloads → endpoints; never the reverse).
 */
@Module({
  imports: [NodesModule, EndpointsModule, RoutingModule],
  providers: [
    NodesDirectory,
    EndpointsDirectory,
    { provide: NODE_DIRECTORY, useExisting: NodesDirectory },
    { provide: ENDPOINT_DIRECTORY, useExisting: EndpointsDirectory },
  ],
  exports: [NODE_DIRECTORY, ENDPOINT_DIRECTORY],
})
export class DirectoryModule {}
