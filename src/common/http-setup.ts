import { randomUUID } from 'node:crypto';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from './app-error';
import { requestContext } from './app-logger';
import { renderError } from './error-renderer';

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

/** `/v1` and the Ollama API take large bodies; everything else the management limit. */
export function isProxyPath(url: string): boolean {
  // the Ollama API (`/api/chat`, …) is inference traffic too; Swagger's /api/docs is GET only
  return url === '/v1' || url.startsWith('/v1/') || url.startsWith('/api/');
}

/**
 * Errors Fastify raises before routing (a malformed path such as `/%ZZ`): answered in the
 * spec's error shape with `x-request-id`, like every other error.
 */
export function onFrameworkError(
  err: FastifyError,
  req: FastifyRequest,
  reply: FastifyReply,
): void {
  const { status, body } = renderError(err, String(req.id));
  void reply
    .status(status)
    .header('x-request-id', req.id)
    .header('content-type', 'application/json; charset=utf-8')
    .send(body);
}

const ROUTES = new WeakMap<object, Array<{ method: string; url: string }>>();

/** Every route registered on the Fastify instance (Nest routes, Swagger, static files). */
export function registeredRoutes(fastify: object): Array<{ method: string; url: string }> {
  return ROUTES.get(fastify) ?? [];
}

/**
 * Wires the parts of the HTTP layer that live below Nest: the request id header, the JSON
 * body parser and the per-route body limits, enforced by Fastify while the body is read
 * (`Content-Length` over the limit is refused before reading). Errors raised here (malformed
 * JSON, body too large) reach the global exception filter through Nest's Fastify error
 * handler.
 */
export function configureFastify(
  fastify: FastifyInstance,
  limits: { managementBytes: number; proxyBytes: number },
): void {
  const routes: Array<{ method: string; url: string }> = [];
  ROUTES.set(fastify, routes);
  fastify.addHook('onRoute', (route) => {
    route.bodyLimit ??= isProxyPath(route.url) ? limits.proxyBytes : limits.managementBytes;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.push({ method: String(method), url: route.url });
  });

  // The rest of the request runs inside its context, so log lines can name it.
  fastify.addHook('onRequest', (req, reply, done) => {
    void reply.header('x-request-id', req.id);
    requestContext.run({ requestId: String(req.id) }, done);
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
    { parseAs: 'buffer' },
    (req: RawBodyRequest, body: Buffer, done) => {
      if (isProxyPath(req.url)) req.rawBody = body;
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
