import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Header values for the send helpers; `null` leaves a default header out. */
export type HeaderOverrides = Record<string, string | number | null>;

function writeBody(
  res: ServerResponse,
  status: number,
  text: string,
  defaults: Record<string, string | number>,
  overrides: HeaderOverrides,
): void {
  const headers: Record<string, string | number> = {};
  for (const [k, v] of Object.entries({ ...defaults, ...overrides }))
    if (v !== null) headers[k] = v;
  res.writeHead(status, headers);
  res.end(text);
}

/** Headers of the fakes that answer `application/json` without a content-length (chunked). */
export const CHUNKED_JSON: HeaderOverrides = {
  'content-type': 'application/json',
  'content-length': null,
};

/**
 * Writes `body` as JSON (`application/json; charset=utf-8` with a content-length). `headers`
 * override or add headers; `'content-length': null` sends the body chunked instead.
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: HeaderOverrides = {},
): void {
  const text = JSON.stringify(body);
  writeBody(
    res,
    status,
    text,
    {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    },
    headers,
  );
}

/** Writes plain text (`text/plain; charset=utf-8` with a content-length); `headers` as in sendJson. */
export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: HeaderOverrides = {},
): void {
  writeBody(
    res,
    status,
    text,
    { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) },
    headers,
  );
}

/** The exact bytes of each request body read by `readBody` (binary uploads). */
export const requestBytes = new WeakMap<IncomingMessage, Buffer>();

/** The whole request body as UTF-8 text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const bytes = Buffer.concat(chunks);
  requestBytes.set(req, bytes);
  return bytes.toString('utf8');
}

/** `JSON.parse` of a body, `undefined` when it is empty or not JSON. */
export function parseJson(body: string): any {
  try {
    return body ? JSON.parse(body) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The lifecycle every fake shares: a node:http server on 127.0.0.1 (port 0 or a given one),
 * open sockets tracked so `stop()` cuts them and the port refuses connections at once,
 * `restart()` on the same port. Subclasses answer in `handle(req, res, body)` with the whole
 * request body already read.
 */
export abstract class FakeHttpServer {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private portNo: number;
  /** Keep-alive timeout of the server, ms (Node's default when unset). */
  protected keepAliveTimeout: number | undefined;

  constructor(port = 0) {
    this.portNo = port;
  }

  get port(): number {
    return this.portNo;
  }

  get url(): string {
    return `http://127.0.0.1:${this.portNo}`;
  }

  /** Whether the server is listening (false after `stop()`). */
  protected get listening(): boolean {
    return this.server !== null;
  }

  /** Listens on `port` (0: a free one); a no-op while listening. */
  async start(port = 0): Promise<this> {
    if (this.server) return this;
    const server = createServer((req, res) => void this.receive(req, res));
    if (this.keepAliveTimeout !== undefined) server.keepAliveTimeout = this.keepAliveTimeout;
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
      this.onConnection(s);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.portNo = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Stops listening and drops open connections: the port now refuses connections. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Stops (if running) and listens again on the same port. */
  async restart(): Promise<this> {
    await this.stop();
    return this.start(this.portNo);
  }

  /** Called for every accepted TCP connection. */
  protected onConnection(_socket: Socket): void {}

  protected abstract handle(
    req: IncomingMessage,
    res: ServerResponse,
    body: string,
  ): void | Promise<void>;

  private async receive(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    await this.handle(req, res, body);
  }
}
