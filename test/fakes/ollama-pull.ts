import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Ollama server for `POST /api/pull` (https://github.com/ollama/ollama/blob/main/docs/api.md#pull-a-model):
 * streams NDJSON over time — `{"status":"pulling manifest"}`, then per layer
 * `{"status":"pulling <digest12>","digest":"sha256:…","total":N,"completed":M}`, then
 * `verifying sha256 digest`, `writing manifest`, `success`. Unknown models get
 * `{"error":"pull model manifest: file does not exist"}`. Fault injection: `dropAfterLines`
 * (closes the connection mid-stream), `lineMs` (pace). `GET /v1/models` and `GET /api/tags`
 * list the pulled models (a pull that reaches `success` adds its model); `modelListRequests`
 * counts `/v1/models` listings (probes and model syncs).
 */
export class FakeOllamaPull {
  private server: Server;
  readonly pulls: Array<{ model: string; stream: unknown }> = [];
  url = '';
  lineMs = 60;
  layerBytes = [4_000_000, 1_000];
  chunksPerLayer = 4;
  knownModels = new Set(['llama3.2:1b', 'qwen2.5:0.5b']);
  dropAfterLines: number | null = null;
  models: string[] = [];
  modelListRequests = 0;
  private timers = new Set<NodeJS.Timeout>();

  constructor() {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method === 'GET' && req.url === '/') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end('Ollama is running');
    }
    if (req.method === 'GET' && req.url === '/v1/models') {
      this.modelListRequests++;
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(
        JSON.stringify({
          object: 'list',
          data: this.models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'library' })),
        }),
      );
    }
    if (req.method === 'GET' && req.url === '/api/tags') {
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(
        JSON.stringify({ models: this.models.map((name) => ({ name, model: name, size: 1 })) }),
      );
    }
    if (req.method !== 'POST' || req.url !== '/api/pull') {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return void res.end('404 page not found');
    }
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    this.pulls.push({ model: body.model ?? body.name, stream: body.stream });
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    const lines: unknown[] = [{ status: 'pulling manifest' }];
    if (!this.knownModels.has(body.model ?? body.name)) {
      lines.push({ error: 'pull model manifest: file does not exist' });
    } else {
      this.layerBytes.forEach((total, i) => {
        const digest = `sha256:${String(i).repeat(64).slice(0, 64)}`;
        for (let c = 0; c <= this.chunksPerLayer; c++) {
          lines.push({
            status: `pulling ${digest.slice(7, 19)}`,
            digest,
            total,
            ...(c > 0 ? { completed: Math.round((total * c) / this.chunksPerLayer) } : {}),
          });
        }
      });
      lines.push(
        { status: 'verifying sha256 digest' },
        { status: 'writing manifest' },
        { status: 'success' },
      );
    }
    let i = 0;
    const next = () => {
      if (res.destroyed) return;
      if (this.dropAfterLines != null && i >= this.dropAfterLines) {
        res.socket?.destroy();
        return;
      }
      if (i >= lines.length) return void res.end();
      const line = lines[i] as { status?: string };
      if (line.status === 'success' && !this.models.includes(body.model ?? body.name))
        this.models.push(body.model ?? body.name);
      res.write(JSON.stringify(lines[i++]) + '\n');
      const t = setTimeout(() => {
        this.timers.delete(t);
        next();
      }, this.lineMs);
      this.timers.add(t);
    };
    next();
  }
}
