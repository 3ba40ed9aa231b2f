import Fastify from 'fastify';
import { AppLogger, requestContext } from './app-logger';
import { configureFastify } from './http-setup';

/** Captures what the logger writes to stdout and stderr. */
function capture(): { lines: () => string[]; restore: () => void } {
  const out: string[] = [];
  const spies = [process.stdout, process.stderr].map((s) =>
    jest.spyOn(s, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk));
      return true;
    }),
  );
  return {
    lines: () => out.join('').split('\n').filter(Boolean),
    restore: () => spies.forEach((s) => s.mockRestore()),
  };
}

describe('AppLogger', () => {
  it('writes one JSON object per line, with the request id inside a request', () => {
    const cap = capture();
    try {
      const logger = new AppLogger({ logLevel: 'log', logFormat: 'json' });
      logger.log('outside', 'Test');
      requestContext.run({ requestId: 'req-42' }, () => logger.warn('inside', 'Test'));
      logger.error('broken', 'Error: x\n    at y', 'Test');
    } finally {
      cap.restore();
    }
    const objects = cap.lines().map((l) => JSON.parse(l));
    expect(objects).toHaveLength(3);
    expect(objects[0]).toMatchObject({ level: 'log', message: 'outside', context: 'Test' });
    expect(objects[0]).not.toHaveProperty('request_id');
    expect(objects[1]).toMatchObject({ level: 'warn', message: 'inside', request_id: 'req-42' });
    expect(objects[2]).toMatchObject({
      level: 'error',
      message: 'broken',
      stack: 'Error: x\n    at y',
    });
  });

  it("moves Nest's per-module start-up lines to debug", () => {
    const cap = capture();
    try {
      const quiet = new AppLogger({ logLevel: 'log', logFormat: 'json' });
      quiet.log('AppModule dependencies initialized', 'InstanceLoader');
      quiet.log('Mapped {/v0/nodes, GET} route', 'RouterExplorer');
      quiet.log('listening on http://127.0.0.1:1', 'llmlb');
      const verbose = new AppLogger({ logLevel: 'debug', logFormat: 'json' });
      verbose.log('AppModule dependencies initialized', 'InstanceLoader');
    } finally {
      cap.restore();
    }
    const objects = cap.lines().map((l) => JSON.parse(l));
    expect(objects.map((o) => [o.level, o.context])).toEqual([
      ['log', 'llmlb'],
      ['debug', 'InstanceLoader'],
    ]);
  });

  it('writes readable lines in text mode', () => {
    const cap = capture();
    try {
      new AppLogger({ logLevel: 'log', logFormat: 'text' }).log('hello', 'Test');
    } finally {
      cap.restore();
    }
    expect(cap.lines()).toHaveLength(1);
    expect(cap.lines()[0]).toContain('hello');
    expect(() => JSON.parse(cap.lines()[0])).toThrow();
  });

  it('the HTTP layer runs each request inside its context (the X-Request-Id)', async () => {
    const fastify = Fastify({ genReqId: () => 'generated' });
    configureFastify(fastify, { managementBytes: 1024, proxyBytes: 1024 });
    fastify.get('/id', async () => ({ id: requestContext.getStore()?.requestId ?? null }));
    try {
      const res = await fastify.inject({ method: 'GET', url: '/id' });
      expect(res.json()).toEqual({ id: 'generated' });
      expect(res.headers['x-request-id']).toBe('generated');
    } finally {
      await fastify.close();
    }
  });
});
