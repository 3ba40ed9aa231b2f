import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { AUTH_POLICY } from '../../src/auth/auth.decorators';
import { registeredRoutes } from '../../src/common/http-setup';
import { startApp, TestApp } from '../helpers/app';

/**
 * Default deny: every registered route must either be on the explicit public list or refuse
 * a request without credentials.
 */
const PUBLIC: Array<[string, RegExp]> = [
  ['GET', /^\/healthz$/],
  ['GET', /^\/readyz$/],
  ['POST', /^\/v0\/auth\/login$/],
  ['POST', /^\/v0\/nodes$/],
  ['GET', /^\/dashboard(\/.*)?$/],
  ['GET', /^\/api\/docs(\/.*|-json|-yaml)?$/],
  ['GET', /^\/api\/openapi\.(json|yaml)$/],
];

const SAMPLE_UUID = '00000000-0000-4000-8000-000000000000';

function isPublic(method: string, url: string): boolean {
  return PUBLIC.some(([m, re]) => m === method && re.test(url));
}

describe('route access policy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.cleanup());

  it('every Nest route declares an access policy', () => {
    const discovery = t.app.get(DiscoveryService);
    const scanner = new MetadataScanner();
    const reflector = t.app.get(Reflector);
    const missing: string[] = [];
    let count = 0;
    for (const wrapper of discovery.getControllers()) {
      const instance = wrapper.instance as object;
      if (!instance) continue;
      const proto = Object.getPrototypeOf(instance) as Record<string, unknown>;
      for (const name of scanner.getAllMethodNames(proto)) {
        const handler = proto[name] as (...a: unknown[]) => unknown;
        if (Reflect.getMetadata('method', handler) === undefined) continue; // not a route
        count++;
        const policy: unknown = reflector.getAllAndOverride(AUTH_POLICY, [
          handler,
          wrapper.metatype as (...a: unknown[]) => unknown,
        ]);
        if (!policy) missing.push(`${wrapper.name}.${name}`);
      }
    }
    expect(count).toBeGreaterThan(5);
    expect(missing).toEqual([]);
  });

  it('every route outside the public list refuses a request without credentials', async () => {
    const routes = registeredRoutes(t.app.getHttpAdapter().getInstance()).filter(
      (r) => r.method !== 'HEAD' && r.method !== 'OPTIONS',
    );
    expect(routes.length).toBeGreaterThan(5);
    const open: string[] = [];
    for (const r of routes) {
      if (isPublic(r.method, r.url)) continue;
      const path = r.url.replace(/:[A-Za-z_]+/g, SAMPLE_UUID).replace(/\*/g, 'x');
      const res = await fetch(t.url + path, {
        method: r.method,
        headers:
          r.method === 'GET' || r.method === 'DELETE' ? {} : { 'content-type': 'application/json' },
        body: r.method === 'GET' || r.method === 'DELETE' ? undefined : '{}',
      });
      if (res.status !== 401) open.push(`${r.method} ${r.url} → ${res.status}`);
      await res.arrayBuffer();
    }
    expect(open).toEqual([]);
  });

  it('the client-dialect routes exist and refuse anonymous callers in their own error shape', async () => {
    const routes = registeredRoutes(t.app.getHttpAdapter().getInstance()).map(
      (r) => `${r.method} ${r.url}`,
    );
    const expected: Array<[string, string, 'openai' | 'anthropic' | 'ollama']> = [
      ['POST', '/v1/messages', 'anthropic'],
      ['POST', '/v1/messages/count_tokens', 'anthropic'],
      ['GET', '/api/tags', 'ollama'],
      ['GET', '/api/ps', 'ollama'],
      ['POST', '/api/show', 'ollama'],
      ['GET', '/api/version', 'ollama'],
      ['POST', '/api/chat', 'ollama'],
      ['POST', '/api/generate', 'ollama'],
      ['POST', '/api/embed', 'ollama'],
      ['POST', '/api/embeddings', 'ollama'],
      ['POST', '/v1/audio/transcriptions', 'openai'],
      ['POST', '/v1/audio/translations', 'openai'],
      ['POST', '/v1/audio/speech', 'openai'],
      ['POST', '/v1/images/generations', 'openai'],
      ['POST', '/v1/rerank', 'openai'],
      ['POST', '/v1/reranking', 'openai'],
    ];
    for (const [method, url, dialect] of expected) {
      expect(routes).toContain(`${method} ${url}`);
      expect(isPublic(method, url)).toBe(false);
      const res = await fetch(t.url + url, {
        method,
        headers: method === 'GET' ? {} : { 'content-type': 'application/json' },
        body: method === 'GET' ? undefined : '{"model":"m"}',
      });
      expect(res.status).toBe(401);
      const body = await res.json();
      if (dialect === 'anthropic') {
        expect(body).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
      } else if (dialect === 'ollama') {
        expect(typeof body.error).toBe('string');
      } else {
        expect(body.error).toMatchObject({ type: 'authentication_error', code: 'unauthorized' });
      }
    }
  });
});
