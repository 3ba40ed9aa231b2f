import type { IncomingMessage, ServerResponse } from 'node:http';
import { CHUNKED_JSON, FakeHttpServer, sendJson, sendText } from './fake-http-server';

/** Ollama's text answers: `text/plain`, no content-length. */
const PLAIN_TEXT = { 'content-type': 'text/plain', 'content-length': null };

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
export class FakeOllamaPull extends FakeHttpServer {
  readonly pulls: Array<{ model: string; stream: unknown }> = [];
  lineMs = 60;
  layerBytes = [4_000_000, 1_000];
  chunksPerLayer = 4;
  knownModels = new Set(['llama3.2:1b', 'qwen2.5:0.5b']);
  dropAfterLines: number | null = null;
  models: string[] = [];
  modelListRequests = 0;
  private timers = new Set<NodeJS.Timeout>();

  override async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    await super.stop();
  }

  protected async handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    if (req.method === 'GET' && req.url === '/') {
      return sendText(res, 200, 'Ollama is running', PLAIN_TEXT);
    }
    if (req.method === 'GET' && req.url === '/v1/models') {
      this.modelListRequests++;
      return sendJson(
        res,
        200,
        {
          object: 'list',
          data: this.models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'library' })),
        },
        CHUNKED_JSON,
      );
    }
    if (req.method === 'GET' && req.url === '/api/tags') {
      const models = this.models.map((name) => ({ name, model: name, size: 1 }));
      return sendJson(res, 200, { models }, CHUNKED_JSON);
    }
    if (req.method !== 'POST' || req.url !== '/api/pull') {
      return sendText(res, 404, '404 page not found', PLAIN_TEXT);
    }
    const body = JSON.parse(raw);
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
