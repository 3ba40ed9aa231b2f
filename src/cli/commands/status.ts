import type { Command } from 'commander';
import { CliError, listOf } from '../client';
import { contextOf } from '../context';
import { fmtMs } from '../output';

type Row = Record<string, unknown>;

function byStatus(items: Row[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) {
    const s = String(i.status ?? 'unknown');
    out[s] = (out[s] ?? 0) + 1;
  }
  return out;
}

const summary = (total: number, counts: Record<string, number>) =>
  `${total}${
    Object.keys(counts).length
      ? ` (${Object.entries(counts)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ')})`
      : ''
  }`;

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description(
      'Show whether the server is up and a summary of nodes, endpoints, models and traffic',
    )
    .action(async (_opts, cmd: Command) => {
      const { client, out } = contextOf(cmd);
      const health = await client.anonymous<{ status: string }>('GET', '/healthz');
      let ready = 'ready';
      try {
        await client.anonymous('GET', '/readyz');
      } catch (e) {
        ready = e instanceof CliError && e.status ? `not ready: ${e.message}` : 'unknown';
      }
      const result: Record<string, unknown> = { url: client.baseUrl, status: health.status, ready };
      const notes: string[] = [];
      if (client.hasCredentials) {
        // Make sure the credentials work before summarising (a bad key is an error).
        const me = await client.get<{ user?: { username?: string }; kind?: string; name?: string }>(
          '/v0/auth/me',
        );
        result.me = me;
        const parts = await Promise.allSettled([
          client.get('/v0/nodes'),
          client.get('/v0/endpoints'),
          client.get('/v0/models'),
          client.get('/v0/stats'),
        ]);
        const [nodes, endpoints, models, stats] = parts;
        const unavailable = (r: PromiseSettledResult<unknown>) =>
          r.status === 'rejected'
            ? r.reason instanceof Error
              ? r.reason.message
              : String(r.reason)
            : null;
        if (nodes.status === 'fulfilled') {
          const l = listOf(nodes.value, 'nodes');
          result.nodes = { total: l.length, by_status: byStatus(l) };
        } else result.nodes = { error: unavailable(nodes) };
        if (endpoints.status === 'fulfilled') {
          const l = listOf(endpoints.value, 'endpoints');
          result.endpoints = { total: l.length, by_status: byStatus(l) };
        } else result.endpoints = { error: unavailable(endpoints) };
        if (models.status === 'fulfilled')
          result.models = { total: listOf(models.value, 'models').length };
        else result.models = { error: unavailable(models) };
        if (stats.status === 'fulfilled') {
          // GET /v0/stats: totals since start, last_hour with the rate and percentiles.
          const s = stats.value as {
            totals?: Row;
            last_hour?: Row;
            scheduling?: {
              waiting?: number;
              backends?: { in_flight?: number; max_concurrency?: number | null }[];
            };
          } | null;
          let used = 0;
          let capacity: number | null = 0;
          for (const b of s?.scheduling?.backends ?? []) {
            used += b.in_flight ?? 0;
            if (b.max_concurrency == null) capacity = null;
            else if (capacity !== null) capacity += b.max_concurrency;
          }
          result.stats = {
            requests: s?.totals?.requests ?? 0,
            errors: s?.totals?.errors ?? 0,
            last_hour: s?.last_hour ?? null,
            queued: s?.scheduling?.waiting ?? 0,
            slots_in_use: used,
            slots_total: capacity,
          };
        } else result.stats = { error: unavailable(stats) };
      } else {
        notes.push(
          'no credentials: set LLMLB_API_KEY, or LLMLB_USERNAME and LLMLB_PASSWORD, for the fleet summary',
        );
      }
      out.result(result, () => {
        const rows: Array<[string, string]> = [
          ['Server', `${client.baseUrl}  ${health.status}, ${ready}`],
        ];
        const section = (label: string, v: unknown) => {
          if (v === undefined) return;
          const o = v as { total?: number; by_status?: Record<string, number>; error?: string };
          rows.push([
            label,
            o.error ? `n/a (${o.error})` : summary(o.total ?? 0, o.by_status ?? {}),
          ]);
        };
        section('Nodes', result.nodes);
        section('Endpoints', result.endpoints);
        section('Models', result.models);
        if (result.stats !== undefined) {
          const s = (result.stats ?? {}) as Record<string, unknown>;
          const h = (s.last_hour ?? {}) as Record<string, unknown>;
          rows.push([
            'Requests',
            s.error
              ? `n/a (${String(s.error)})`
              : `${String(s.requests ?? 0)} total, ${String(s.errors ?? 0)} errors; last hour ${String(h.requests_per_minute ?? 0)}/min, p50 ${fmtMs(h.p50_latency_ms)}, p95 ${fmtMs(h.p95_latency_ms)}`,
          ]);
          if (!s.error) {
            const total = s.slots_total === null ? 'unlimited' : String(s.slots_total ?? 0);
            rows.push([
              'Slots',
              `${String(s.slots_in_use ?? 0)} in use of ${total}; ${String(s.queued ?? 0)} queued`,
            ]);
          }
        }
        for (const [k, v] of rows) out.line(`${k.padEnd(10)} ${v}`);
        for (const n of notes) out.line(`note: ${n}`);
      });
    });
}
