import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface ProviderRequest {
  method: string;
  path: string;
  query: string;
  headers: IncomingMessage['headers'];
  json: any;
}

/** Shared plumbing of the cloud provider fakes: a node:http server on 127.0.0.1 that records requests. */
export abstract class FakeProvider {
  readonly received: ProviderRequest[] = [];
  /** Text pieces of the answer (streamed one per event). */
  chunks = ['Hi', ' there', '!'];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private portNo = 0;

  get url(): string {
    return `http://127.0.0.1:${this.portNo}`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.receive(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    this.server = server;
    this.portNo = (server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (!s) return;
    for (const sock of this.sockets) sock.destroy();
    await new Promise<void>((r) => s.close(() => r()));
  }

  protected json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json; charset=UTF-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  protected abstract handle(req: ProviderRequest, res: ServerResponse): Promise<void> | void;

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const bufs: Buffer[] = [];
    for await (const c of req) bufs.push(c as Buffer);
    const raw = Buffer.concat(bufs).toString('utf8');
    const [path, query = ''] = (req.url ?? '/').split('?');
    let json: any;
    try {
      json = raw ? JSON.parse(raw) : undefined;
    } catch {
      json = undefined;
    }
    const r: ProviderRequest = {
      method: req.method ?? 'GET',
      path,
      query,
      headers: req.headers,
      json,
    };
    this.received.push(r);
    await this.handle(r, res);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
