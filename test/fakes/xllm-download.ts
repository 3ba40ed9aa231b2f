import type { IncomingMessage, ServerResponse } from 'node:http';
import { CHUNKED_JSON, FakeHttpServer, sendJson } from './fake-http-server';

interface RemoteTask {
  id: string;
  model: string;
  filename?: string;
  polls: number;
}

/**
 * A fake xLLM runtime's download API: `POST /v0/models/download {model, filename}` →
 * `{task_id}`; `GET /v0/models/download/{task_id}` → `{status, progress (0–100), speed_mbps,
 * eta_seconds, error}`. Each poll advances progress by `stepPct`; `failAt` makes it report
 * `failed` at that percentage; `refuse` answers the start with 400; `forget` answers polls 404.
 * `GET /v1/models` (OpenAI list) serves `models`; a completed download adds its model there,
 * and `modelListRequests` counts the listings (probes and model syncs).
 */
export class FakeXllmDownloads extends FakeHttpServer {
  readonly started: Array<{ model: string; filename?: string; authorization?: string }> = [];
  readonly tasks = new Map<string, RemoteTask>();
  stepPct = 25;
  failAt: number | null = null;
  refuse = false;
  forget = false;
  models: string[] = [];
  modelListRequests = 0;
  private seq = 0;

  get polls(): number {
    let n = 0;
    for (const t of this.tasks.values()) n += t.polls;
    return n;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    const url = req.url ?? '/';
    if (req.method === 'GET' && url === '/v1/models') {
      this.modelListRequests++;
      return json(res, 200, {
        object: 'list',
        data: this.models.map((id) => ({ id, object: 'model', owned_by: 'xllm' })),
      });
    }
    if (req.method === 'GET' && url === '/v0/system')
      return json(res, 200, { xllm_version: '1.4.0' });
    if (req.method === 'POST' && url === '/v0/models/download') {
      const body = JSON.parse(raw);
      this.started.push({ ...body, authorization: req.headers.authorization });
      if (this.refuse) return json(res, 400, { error: 'model not found in registry' });
      const id = `dl-${++this.seq}`;
      this.tasks.set(id, { id, model: body.model, filename: body.filename, polls: 0 });
      return json(res, 200, { task_id: id });
    }
    const m = /^\/v0\/models\/download\/([^/]+)$/.exec(url);
    if (req.method === 'GET' && m) {
      const t = this.tasks.get(decodeURIComponent(m[1]));
      if (!t || this.forget) return json(res, 404, { error: 'task not found' });
      t.polls++;
      const progress = Math.min(100, t.polls * this.stepPct);
      if (this.failAt != null && progress >= this.failAt) {
        return json(res, 200, {
          status: 'failed',
          progress,
          speed_mbps: 0,
          eta_seconds: null,
          error: 'checksum mismatch',
        });
      }
      const done = progress >= 100;
      if (done && !this.models.includes(t.model)) this.models.push(t.model);
      return json(res, 200, {
        status: done ? 'completed' : 'downloading',
        progress,
        speed_mbps: done ? 0 : 120.5,
        eta_seconds: done ? 0 : Math.round((100 - progress) / 10),
        error: null,
      });
    }
    json(res, 404, { error: 'not found' });
  }
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  sendJson(res, status, body, CHUNKED_JSON);
