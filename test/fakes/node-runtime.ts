import type { IncomingMessage, ServerResponse } from 'node:http';
import { FakeHttpServer, sendJson } from './fake-http-server';

/**
 * A fake xLLM node runtime: a plain node:http server on 127.0.0.1 and a random port that
 * answers `GET /v1/models` in the OpenAI list format. Other tests add routes with
 * `route(method, path, handler)` (e.g. `POST /v0/models/pull`, `POST /v1/chat/completions`).
 *
 * Fault injection: `mode = 'down'` (connection destroyed), `'error'` (HTTP 500),
 * `'slow'` (answers after `delayMs`).
 */
export type FakeHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  body: string,
) => void | Promise<void>;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

export class FakeNodeRuntime extends FakeHttpServer {
  models: string[] = [];
  mode: 'ok' | 'down' | 'error' | 'slow' = 'ok';
  delayMs = 0;
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, FakeHandler>();

  constructor(models: string[] = ['llama-3.1-8b-instruct']) {
    super();
    this.models = models;
    this.route('GET', '/v1/models', (_req, res) =>
      json(res, 200, {
        object: 'list',
        data: this.models.map((id) => ({
          id,
          object: 'model',
          created: 1700000000,
          owned_by: 'xllm',
        })),
      }),
    );
  }

  get baseUrl(): string {
    return this.url;
  }

  /** Adds or replaces the handler for `METHOD /path` (exact path, no query). */
  route(method: string, path: string, handler: FakeHandler): this {
    this.routes.set(`${method.toUpperCase()} ${path}`, handler);
    return this;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse, body: string): Promise<void> {
    const path = (req.url ?? '/').split('?')[0];
    this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });
    if (this.mode === 'down') {
      req.socket.destroy();
      return;
    }
    if (this.mode === 'slow') await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.mode === 'error') {
      json(res, 500, { error: { message: 'internal error', type: 'server_error' } });
      return;
    }
    const handler = this.routes.get(`${req.method} ${path}`);
    if (!handler) {
      json(res, 404, {
        error: { message: `no route ${req.method} ${path}`, type: 'invalid_request_error' },
      });
      return;
    }
    await handler(req, res, body);
  }
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  sendJson(res, status, body, { 'content-type': 'application/json' });
}

export async function startFakeNodeRuntime(models?: string[]): Promise<FakeNodeRuntime> {
  return new FakeNodeRuntime(models).start();
}
