import { Logger } from '@nestjs/common';
import { loadConfig } from '../config/load-config';
import type { BackendInfo } from './backend';
import { RoutingTable } from './routing-table.service';

function info(id: string): BackendInfo {
  return {
    id,
    kind: 'endpoint',
    name: id,
    baseUrl: `http://127.0.0.1:1/${id}`,
    apiKey: null,
    priority: 50,
    online: true,
    models: [{ id: 'm', maxTokens: null }],
    latencyMs: null,
    inferenceTimeoutMs: 1000,
    backendType: 'openai_compatible',
    maxConcurrency: null,
  };
}

describe('RoutingTable listeners', () => {
  afterEach(() => jest.restoreAllMocks());

  it('a failing listener is logged and neither stops the others nor the caller', () => {
    const errors = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const table = new RoutingTable(loadConfig({ LLMLB_DATA_DIR: '/tmp/unused' }));
    const seen: string[] = [];
    const boom = () => {
      throw new Error('boom');
    };
    table.onChange(boom);
    table.onChange(() => seen.push('change'));
    table.onPassiveFailure(boom);
    table.onPassiveFailure((b, error) => seen.push(`failure ${b.id} ${error}`));

    table.upsert(info('a'));
    table.reportFailure(table.get('a')!, 'ECONNREFUSED');

    expect(seen).toEqual(['change', 'failure a ECONNREFUSED']);
    expect(errors.mock.calls.map((c) => String(c[0]))).toEqual([
      'routing change listener failed: boom',
      'passive failure listener failed: boom',
    ]);
  });
});
