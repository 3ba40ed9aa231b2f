import { Injectable } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { EndpointModelSyncService } from '../endpoints/endpoint-model-sync.service';
import { EndpointsService } from '../endpoints/endpoints.service';
import { RoutingTable } from '../routing/routing-table.service';
import type { DirectoryEndpoint, EndpointDirectory } from './ports';

/** ENDPOINT_DIRECTORY over the endpoints module and the routing table it feeds. */
@Injectable()
export class EndpointsDirectory implements EndpointDirectory {
  constructor(
    private readonly endpoints: EndpointsService,
    private readonly modelSync: EndpointModelSyncService,
    private readonly routing: RoutingTable,
  ) {}

  async getEndpoint(id: string): Promise<DirectoryEndpoint | null> {
    try {
      const c = await this.endpoints.getConnection(id);
      return {
        id: c.id,
        name: c.name,
        endpointType: c.endpointType,
        baseUrl: c.baseUrl,
        apiKey: c.apiKey,
      };
    } catch (e) {
      if (e instanceof AppError && e.code === 'endpoint_not_found') return null;
      throw e;
    }
  }

  async sync(id: string): Promise<void> {
    await this.modelSync.sync(id);
  }

  /** Synced models of every endpoint, from the routing table the endpoints module keeps current. */
  listModelLocations(): Promise<
    Array<{ endpointId: string; endpointName: string; models: string[] }>
  > {
    return Promise.resolve(
      this.routing
        .all()
        // like nodes, only endpoints that can serve the model right now
        .filter((b) => b.kind === 'endpoint' && b.online)
        .map((b) => ({
          endpointId: b.id,
          endpointName: b.name,
          models: b.models.map((m) => m.id),
        })),
    );
  }
}
