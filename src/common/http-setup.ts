import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from './app-error';

const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;

/** Fastify's request id: the caller's `x-request-id` when it is sane, else a new UUID. */
export function genRequestId(req: {
  headers: Record<string, string | string[] | undefined>;
}): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
}

export interface RawBodyRequest extends FastifyRequest {
  rawBody?: Buffer;
}

/**
 * Wires the parts of the HTTP layer that live below Nest: the request id header, the JSON
 * body parser with per-area size limits. Errors raised here (malformed JSON, body too large)
 * reach the global exception filter through Nest's Fastify error handler.
 */
const ROUTES = new WeakMap<object, Array<{ method: string; url: string }>>();

/** Every route registered on the Fastify instance (Nest routes, Swagger, static files). */
export function registeredRoutes(fastify: object): Array<{ method: string; url: string }> {
  return ROUTES.get(fastify) ?? [];
}

export function configureFastify(
  fastify: FastifyInstance,
  limits: { managementBytes: number; proxyBytes: number },
): void {
  const routes: Array<{ method: string; url: string }> = [];
  ROUTES.set(fastify, routes);
  fastify.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.push({ method: String(method), url: route.url });
  });

  fastify.addHook('onRequest', (req, reply, done) => {
    void reply.header('x-request-id', req.id);
    done();
  });

  // multipart uploads (/v1/audio/transcriptions) stay a stream: the route spools it to disk
  // with its own size limit, after the guard has checked credentials
  // (only there: elsewhere multipart stays an unsupported media type)
  fastify.addContentTypeParser('multipart/form-data', (req, payload, done) => {
    if (!req.url.startsWith('/v1/audio/')) {
      done(new AppError('unsupported_media_type'), undefined);
      return;
    }
    done(null, payload);
  });

  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: Math.max(limits.managementBytes, limits.proxyBytes) },
    (req: RawBodyRequest, body: Buffer, done) => {
      // the Ollama API (`/api/chat`, …) is inference traffic too; Swagger's /api/docs is GET only
      const isProxy = req.url.startsWith('/v1/') || req.url.startsWith('/api/');
      const limit = isProxy ? limits.proxyBytes : limits.managementBytes;
      if (body.length > limit) {
        done(new AppError('payload_too_large', `Request body exceeds ${limit} bytes`), undefined);
        return;
      }
      if (isProxy) req.rawBody = body;
      if (body.length === 0) {
        done(null, undefined);
        return;
      }
      try {
        done(null, JSON.parse(body.toString('utf8')));
      } catch (e) {
        done(
          new AppError('invalid_json', `Request body is not valid JSON: ${(e as Error).message}`),
          undefined,
        );
      }
    },
  );
}
