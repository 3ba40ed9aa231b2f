import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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

export class FakeNodeRuntime {
  models: string[] = [];
  mode: 'ok' | 'down' | 'error' | 'slow' = 'ok';
  delayMs = 0;
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, FakeHandler>();
  private server: Server | null = null;
  port = 0;

  constructor(models: string[] = ['llama-3.1-8b-instruct']) {
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
    return `http://127.0.0.1:${this.port}`;
  }

  /** Adds or replaces the handler for `METHOD /path` (exact path, no query). */
  route(method: string, path: string, handler: FakeHandler): this {
    this.routes.set(`${method.toUpperCase()} ${path}`, handler);
    return this;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
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
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

export async function startFakeNodeRuntime(models?: string[]): Promise<FakeNodeRuntime> {
  return new FakeNodeRuntime(models).start();
}
