import type { Command } from 'commander';
import { type ApiClient, listOf, qs, resolveId, isUuid } from '../client';
import { contextOf } from '../context';
import { dash, fmtAgo, fmtBytes, fmtPct, shortId } from '../output';

export interface NodeRow {
  id: string;
  machine_name?: string;
  custom_name?: string | null;
  ip_address?: string;
  runtime_port?: number;
  status?: string;
  gpu_devices?: Array<{ model: string; count?: number; memory_bytes?: number }>;
  gpu_model?: string | null;
  gpu_count?: number | null;
  cpu_usage?: number | null;
  gpu_usage?: number | null;
  memory_usage?: number | null;
  loaded_models?: string[];
  last_seen?: string | null;
}

export function gpuText(n: NodeRow): string {
  const d = Array.isArray(n.gpu_devices) ? n.gpu_devices : [];
  if (!d.length) return n.gpu_model ? `${n.gpu_model} x${n.gpu_count ?? 1}` : '-';
  return d
    .map(
      (g) => `${g.model} x${g.count ?? 1}${g.memory_bytes ? ` ${fmtBytes(g.memory_bytes)}` : ''}`,
    )
    .join('\n');
}

export async function resolveNode(client: ApiClient, input: string): Promise<string> {
  if (isUuid(input)) return input;
  const nodes = listOf<NodeRow>(await client.get('/v0/nodes'), 'nodes');
  return resolveId('node', input, nodes, (n) => [n.machine_name, n.custom_name]);
}

export function registerNodes(program: Command): void {
  const nodes = program.command('nodes').description('GPU nodes that registered themselves');

  nodes
    .command('list')
    .description('List nodes')
    .option(
      '--status <status>',
      'only nodes in this status (pending, registering, online, offline)',
    )
    .action(async (opts: { status?: string }, cmd: Command) => {
      const { client, out } = contextOf(cmd);
      const data = await client.get(`/v0/nodes${qs({ status: opts.status })}`);
      const list = listOf<NodeRow>(data, 'nodes');
      out.result(data, () =>
        out.table(
          ['ID', 'NAME', 'ADDRESS', 'STATUS', 'GPU', 'CPU', 'GPU%', 'MEM', 'MODELS', 'LAST SEEN'],
          list.map((n) => [
            shortId(n.id),
            n.custom_name || n.machine_name || '-',
            `${dash(n.ip_address)}:${dash(n.runtime_port)}`,
            dash(n.status),
            gpuText(n),
            fmtPct(n.cpu_usage),
            fmtPct(n.gpu_usage),
            fmtPct(n.memory_usage),
            (n.loaded_models ?? []).join(', ') || '-',
            fmtAgo(n.last_seen),
          ]),
        ),
      );
    });

  nodes
    .command('approve')
    .description('Approve a pending node so it receives traffic')
    .argument('<id>', 'node id, id prefix or machine name')
    .action(async (input: string, _opts, cmd: Command) => {
      const { client, out } = contextOf(cmd);
      const id = await resolveNode(client, input);
      const res = await client.post<NodeRow | null>(`/v0/nodes/${id}/approve`);
      out.result(res ?? { id, approved: true }, () =>
        out.line(`approved ${res?.machine_name ?? id}${res?.status ? ` (now ${res.status})` : ''}`),
      );
    });

  nodes
    .command('reject')
    .description('Reject (delete) a node; its token stops working')
    .argument('<id>', 'node id, id prefix or machine name')
    .action(async (input: string, _opts, cmd: Command) => {
      const { client, out } = contextOf(cmd);
      const id = await resolveNode(client, input);
      await client.delete(`/v0/nodes/${id}`);
      out.result({ id, rejected: true }, () => out.line(`rejected node ${id}`));
    });
}
