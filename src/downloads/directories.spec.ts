import { AppError } from '../common/app-error';
import type { EndpointModelSyncService } from '../endpoints/endpoint-model-sync.service';
import type { EndpointsService } from '../endpoints/endpoints.service';
import type { NodesService } from '../nodes/nodes.service';
import type { BackendInfo } from '../routing/backend';
import type { RoutingTable } from '../routing/routing-table.service';
import { EndpointsDirectory } from './endpoints.directory';
import { NodesDirectory } from './nodes.directory';

const backend = (id: string, kind: 'node' | 'endpoint', models: string[]): BackendInfo => ({
  id,
  kind,
  name: `n-${id}`,
  baseUrl: 'http://127.0.0.1:1',
  apiKey: null,
  priority: 50,
  online: true,
  models: models.map((m) => ({ id: m, maxTokens: null })),
  latencyMs: null,
  inferenceTimeoutMs: 1000,
  maxConcurrency: null,
  backendType: 'xllm',
});

describe('EndpointsDirectory', () => {
  const make = (getConnection: (id: string) => Promise<unknown>, all: BackendInfo[] = []) =>
    new EndpointsDirectory(
      { getConnection } as unknown as EndpointsService,
      { sync: jest.fn().mockResolvedValue({}) } as unknown as EndpointModelSyncService,
      { all: () => all } as unknown as RoutingTable,
    );

  it('maps endpoint_not_found to null and passes other errors on', async () => {
    const missing = make(() => Promise.reject(new AppError('endpoint_not_found')));
    await expect(missing.getEndpoint('x')).resolves.toBeNull();
    const broken = make(() => Promise.reject(new Error('db down')));
    await expect(broken.getEndpoint('x')).rejects.toThrow('db down');
  });

  it('lists the synced models of endpoints only (not nodes) from the routing table', async () => {
    const d = make(
      () => Promise.resolve(null),
      [backend('e1', 'endpoint', ['a', 'b']), backend('n1', 'node', ['a'])],
    );
    await expect(d.listModelLocations()).resolves.toEqual([
      { endpointId: 'e1', endpointName: 'n-e1', models: ['a', 'b'] },
    ]);
  });
});

describe('NodesDirectory', () => {
  it('hands heartbeat tasks and status changes (including deleted) to listeners', () => {
    let hb: ((e: unknown) => void) | undefined;
    let st: ((id: string, from: unknown, to: unknown) => void) | undefined;
    const d = new NodesDirectory({
      onHeartbeat: (l: (e: unknown) => void) => (hb = l),
      onStatusChange: (l: (id: string, from: unknown, to: unknown) => void) => (st = l),
    } as unknown as NodesService);
    const beats: unknown[] = [];
    const changes: unknown[] = [];
    d.onHeartbeat((e) => beats.push(e));
    d.onStatusChange((...a) => changes.push(a));
    const tasks = [{ task_id: 't', progress: 0.5 }];
    hb!({ nodeId: 'n', status: 'online', loadedModels: [], tasks, at: new Date() });
    st!('n', 'online', 'deleted');
    expect(beats).toEqual([{ nodeId: 'n', tasks }]);
    expect(changes).toEqual([['n', 'online', 'deleted']]);
  });
});
