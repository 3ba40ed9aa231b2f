import { randomUUID } from 'node:crypto';
import type { BackendInfo } from '../../src/routing/backend';
import { RoutingTable } from '../../src/routing/routing-table.service';
import type { TestApp } from './app';
import { api } from './http';

/** Puts a fake backend into the app's routing table (what nodes/endpoints do after merge). */
export function feedBackend(
  t: TestApp,
  url: string,
  opts: Omit<Partial<BackendInfo>, 'models'> & {
    models?: string[];
    maxTokens?: number | null;
  } = {},
): BackendInfo {
  const { models, maxTokens, ...rest } = opts;
  const info: BackendInfo = {
    id: randomUUID(),
    kind: 'endpoint',
    name: `fake-${url.split(':').pop()}`,
    baseUrl: url,
    apiKey: null,
    priority: 50,
    online: true,
    models: (models ?? ['test-model']).map((id) => ({ id, maxTokens: maxTokens ?? null })),
    latencyMs: null,
    inferenceTimeoutMs: 5_000,
    backendType: 'openai_compatible',
    maxConcurrency: null,
    ...rest,
  };
  t.app.get(RoutingTable).upsert(info);
  return info;
}

/** Creates an API key with the given permissions (as admin) and returns its plaintext. */
export async function createKey(
  t: TestApp,
  adminToken: string,
  permissions: string[],
): Promise<string> {
  const res = await api(t.url)
    .as(adminToken)
    .post('/v0/api-keys', { name: `k-${permissions.join('-')}`, permissions });
  if (res.status !== 201) throw new Error(`key creation failed: ${res.status} ${res.text}`);
  return res.body.key as string;
}
