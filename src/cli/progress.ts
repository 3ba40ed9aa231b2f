import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import { type ApiClient, listOf } from './client';
import { fmtBytes, shortId } from './output';

export interface Task {
  id: string;
  kind?: string;
  model?: string;
  node_id?: string | null;
  endpoint_id?: string | null;
  status: string;
  progress?: number | null;
  downloaded_bytes?: number | null;
  total_bytes?: number | null;
  speed_bps?: number | null;
  eta_seconds?: number | null;
  error?: string | null;
}

export const TERMINAL = new Set(['completed', 'failed', 'cancelled']);

export function percent(t: Task): number {
  if (t.status === 'completed') return 100;
  const p = Number(t.progress);
  if (!Number.isFinite(p)) return 0;
  return Math.max(0, Math.min(100, p > 1 ? p : p * 100));
}

/** Display names of nodes and endpoints by id (tasks carry ids only); empty when not readable. */
export async function targetNames(client: ApiClient): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  const [nodes, endpoints] = await Promise.allSettled([
    client.get('/v0/nodes'),
    client.get('/v0/endpoints'),
  ]);
  if (nodes.status === 'fulfilled')
    for (const n of listOf<{ id: string; machine_name?: string; custom_name?: string | null }>(
      nodes.value,
      'nodes',
    ))
      names.set(n.id, n.custom_name || n.machine_name || n.id);
  if (endpoints.status === 'fulfilled')
    for (const e of listOf<{ id: string; name?: string }>(endpoints.value, 'endpoints'))
      names.set(e.id, e.name || e.id);
  return names;
}

/** "node gpu-01" / "endpoint lab-ollama" (the id prefix when the name is unknown). */
export function targetOf(t: Task, names: Map<string, string> = new Map()): string {
  const id = t.node_id ?? t.endpoint_id;
  if (!id) return '';
  return `${t.node_id ? 'node' : 'endpoint'} ${names.get(id) ?? shortId(id)}`;
}

/** Keeps the end of long names (the quantization tells model files apart). */
function tail(s: string, max: number): string {
  return s.length <= max ? s : `…${s.slice(s.length - max + 1)}`;
}

function payload(t: Task, names: Map<string, string>) {
  const target = targetOf(t, names);
  const speed = t.speed_bps ? `${fmtBytes(t.speed_bps)}/s` : '';
  const eta =
    t.eta_seconds !== null && t.eta_seconds !== undefined && !TERMINAL.has(t.status)
      ? `eta ${Math.round(t.eta_seconds)}s`
      : '';
  return {
    model: tail(t.model ?? '?', 40),
    target,
    status: t.error ? `${t.status}: ${t.error}` : t.status,
    extra: [speed, eta].filter(Boolean).join(' '),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls tasks and draws one progress bar per task (plain lines when stderr is not a terminal)
 * until every watched task has finished. `ids` null = every task that is active when the watch
 * starts. Resolves to the final tasks.
 */
export async function watchTasks(
  client: ApiClient,
  ids: string[] | null,
  opts: { intervalMs?: number; stream?: NodeJS.WriteStream } = {},
): Promise<Task[]> {
  const stream = opts.stream ?? process.stderr;
  const interval = opts.intervalMs ?? 1000;
  const tty = !!stream.isTTY;
  const multi = tty
    ? new MultiBar(
        {
          stream,
          format: ' {model} {target} [{bar}] {percentage}% | {status} {extra}',
          hideCursor: true,
          clearOnComplete: false,
          stopOnComplete: false,
          barsize: 28,
        },
        Presets.shades_classic,
      )
    : null;
  // Ctrl-C leaves the terminal clean (cursor shown) and exits like an interrupted command.
  const onSigint = () => {
    multi?.stop();
    process.exit(130);
  };
  process.once('SIGINT', onSigint);
  const bars = new Map<string, SingleBar>();
  const lastLine = new Map<string, string>();
  let watched = ids ? new Set(ids) : null;
  let current: Task[] = [];
  const names = await targetNames(client);
  try {
    for (;;) {
      const all = listOf<Task>(await client.get('/v0/tasks'), 'tasks');
      if (!watched) watched = new Set(all.filter((t) => !TERMINAL.has(t.status)).map((t) => t.id));
      current = all.filter((t) => watched!.has(t.id));
      // Tasks not in the list (e.g. filtered out server-side) are fetched one by one.
      for (const id of watched) {
        if (!current.some((t) => t.id === id))
          current.push(await client.get<Task>(`/v0/tasks/${id}`));
      }
      for (const t of current) {
        const p = Math.round(percent(t));
        if (multi) {
          const bar = bars.get(t.id);
          if (bar) bar.update(p, payload(t, names));
          else bars.set(t.id, multi.create(100, p, payload(t, names)));
        } else {
          const pl = payload(t, names);
          const line = `${pl.model} ${pl.target} ${Math.floor(p / 10) * 10}% ${pl.status}`;
          if (lastLine.get(t.id) !== line) {
            lastLine.set(t.id, line);
            stream.write(
              `${pl.model} ${pl.target} ${p}% ${pl.status} ${pl.extra}\n`.replace(/ +\n$/, '\n'),
            );
          }
        }
      }
      if (current.every((t) => TERMINAL.has(t.status))) break;
      await sleep(interval);
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
    multi?.stop();
  }
  return current;
}
