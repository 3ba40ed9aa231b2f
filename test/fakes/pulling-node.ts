import type { IncomingMessage, ServerResponse } from 'node:http';
import { CHUNKED_JSON, FakeHttpServer, sendJson } from './fake-http-server';

export interface PullRequest {
  task_id: string;
  model: string;
  manifest_url: string;
}

export interface ReportResult {
  status: number;
  body: any;
}

/**
 * A fake node runtime for model pulls (docs/node-api.md "Model pulls"): answers
 * `POST /v0/models/pull` with 202, fetches the manifest with its `X-Node-Token`, then reports
 * progress to `POST /v0/tasks/{id}/progress` in `steps` every `stepMs`, like a real runtime
 * downloading the file. `auto = false` leaves reporting to the test (`report`).
 * Fault injection: `refusePulls` (500).
 */
export class PullingNode extends FakeHttpServer {
  readonly pulls: PullRequest[] = [];
  readonly reports: Array<{ taskId: string; progress: number; result: ReportResult }> = [];
  readonly manifests: any[] = [];
  auto = true;
  refusePulls = false;
  steps = [0.25, 0.5, 0.75, 1];
  stepMs = 150;
  totalBytes = 4_000_000;
  private timers = new Set<NodeJS.Timeout>();

  constructor(
    public lbUrl: string,
    public token: string,
  ) {
    super();
  }

  override async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    await super.stop();
  }

  /** Reports progress for a task with this node's token (or `token`). */
  async report(
    taskId: string,
    body: Record<string, unknown>,
    token = this.token,
  ): Promise<ReportResult> {
    const res = await fetch(`${this.lbUrl}/v0/tasks/${taskId}/progress`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-node-token': token },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    const result = { status: res.status, body: text ? JSON.parse(text) : undefined };
    this.reports.push({ taskId, progress: Number(body.progress), result });
    return result;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse, raw: string): Promise<void> {
    if (req.method === 'GET' && req.url === '/v1/models')
      return json(res, 200, { object: 'list', data: [] });
    if (req.method === 'POST' && req.url === '/v0/models/pull') {
      if (this.refusePulls) return json(res, 500, { error: 'disk full' });
      const body = JSON.parse(raw) as PullRequest;
      this.pulls.push(body);
      json(res, 202, { accepted: true });
      if (this.auto) void this.run(body);
      return;
    }
    json(res, 404, { error: 'not found' });
  }

  private async run(pull: PullRequest): Promise<void> {
    // manifest_url is absolute (LLMLB_PUBLIC_URL) or a path on the server this node knows
    const m = await fetch(new URL(pull.manifest_url, this.lbUrl), {
      headers: { 'x-node-token': this.token },
    });
    const manifest = (await m.json()) as any;
    this.manifests.push(manifest);
    const total = manifest?.files?.[0]?.size_bytes ?? this.totalBytes;
    for (const p of this.steps) {
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          this.timers.delete(t);
          r();
        }, this.stepMs);
        this.timers.add(t);
      });
      const r = await this.report(pull.task_id, {
        progress: p,
        downloaded_bytes: Math.round(total * p),
        total_bytes: total,
        speed_bps: 1_000_000,
        ...(p >= 1 ? { status: 'completed' } : {}),
      }).catch(() => null);
      if (!r || r.status === 409) return; // cancelled or finished: stop downloading
    }
  }
}

const json = (res: ServerResponse, status: number, body: unknown) =>
  sendJson(res, status, body, CHUNKED_JSON);
