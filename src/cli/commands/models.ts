import type { Command } from 'commander';
import { CliError, listOf, qs } from '../client';
import { contextOf } from '../context';
import { dash, fmtBytes } from '../output';
import { percent, TERMINAL, watchTasks, type Task } from '../progress';
import { intArg } from './endpoints';
import { resolveNode } from './nodes';

type Row = Record<string, unknown>;

const names = (v: unknown, ...keys: string[]): string[] =>
  Array.isArray(v)
    ? v.map((x: unknown) => {
        if (typeof x === 'string') return x;
        const o = x as Row;
        for (const k of keys) if (o && typeof o[k] === 'string') return o[k] as string;
        return '?';
      })
    : [];

export function registerModels(program: Command): void {
  const models = program
    .command('models')
    .description('Registered models, the Hugging Face catalog and downloads');

  models
    .command('list')
    .description('List registered models and where they are')
    .action(async (_opts, cmd: Command) => {
      const { client, out } = contextOf(cmd);
      const data = await client.get('/v0/models');
      out.result(data, () =>
        out.table(
          ['NAME', 'REPO / FILE', 'SIZE', 'NODES', 'ENDPOINTS'],
          listOf<Row>(data, 'models').map((m) => [
            dash(m.name ?? m.id),
            m.repo ? `${String(m.repo)}${m.filename ? `\n${String(m.filename)}` : ''}` : '-',
            fmtBytes(m.size_bytes),
            names(m.nodes ?? m.node_ids, 'custom_name', 'machine_name', 'id').join(', ') || '-',
            names(m.endpoints ?? m.endpoint_ids, 'name', 'id').join(', ') || '-',
          ]),
        ),
      );
    });

  models
    .command('available')
    .description('Search the Hugging Face GGUF catalog')
    .argument('[search]', 'search text')
    .option('--limit <n>', 'how many results', intArg)
    .option('--offset <n>', 'skip this many results', intArg)
    .action(
      async (
        search: string | undefined,
        opts: { limit?: number; offset?: number },
        cmd: Command,
      ) => {
        const { client, out } = contextOf(cmd);
        const data = await client.get<Row>(
          `/v0/models/available${qs({ search, limit: opts.limit, offset: opts.offset })}`,
        );
        out.result(data, () => {
          const supported = listOf<Row>(data?.supported ?? [], 'supported');
          const available = listOf<Row>(data?.available ?? [], 'available');
          if (data?.stale)
            out.line('note: Hugging Face is unreachable; these results are from the cache');
          const rows = [
            ...supported.map((r) => [dash(r.repo), `registered as ${dash(r.name)}`, '-', '-']),
            ...available.map((r) => [dash(r.repo), 'available', dash(r.downloads), dash(r.likes)]),
          ];
          out.table(['REPO', 'STATE', 'DOWNLOADS', 'LIKES'], rows);
        });
      },
    );

  models
    .command('files')
    .description("List a catalog repository's .gguf files")
    .argument('<repo>', 'e.g. Qwen/Qwen2.5-0.5B-Instruct-GGUF')
    .action(async (repo: string, _opts, cmd: Command) => {
      const { client, out } = contextOf(cmd);
      const data = await client.get(`/v0/models/available/${encodeURIComponent(repo)}/files`);
      out.result(data, () =>
        out.table(
          ['FILE', 'SIZE'],
          listOf<Row>(data, 'files').map((f) => [
            dash(f.filename ?? f.name),
            fmtBytes(f.size_bytes ?? f.size),
          ]),
        ),
      );
    });

  models
    .command('add')
    .description('Register a GGUF file of a Hugging Face repository')
    .argument('<repo>', 'e.g. Qwen/Qwen2.5-0.5B-Instruct-GGUF')
    .argument('<file>', 'e.g. qwen2.5-0.5b-instruct-q4_k_m.gguf')
    .option('--name <name>', 'display name instead of repo/file')
    .action(async (repo: string, file: string, opts: { name?: string }, cmd: Command) => {
      const { client, out } = contextOf(cmd);
      const body: Row = { repo, filename: file };
      if (opts.name) body.display_name = opts.name;
      const r = await client.post<Row>('/v0/models/register', body);
      out.result(r, () => out.line(`registered ${dash(r?.name)} (${fmtBytes(r?.size_bytes)})`));
    });

  models
    .command('download')
    .description('Download a registered model to all online nodes or to chosen nodes')
    .argument('<model>', 'registered model name')
    .option('--all', 'every online node')
    .option('--node <id...>', 'these nodes (id, id prefix or machine name)')
    .option('--no-wait', 'return once the tasks are created')
    .action(
      async (
        model: string,
        opts: { all?: boolean; node?: string[]; wait: boolean },
        cmd: Command,
      ) => {
        const { client, out } = contextOf(cmd);
        if (!!opts.all === !!opts.node?.length) {
          throw new CliError('give either --all or --node ID…', 2);
        }
        const body: Row = { model, target: opts.all ? 'all' : 'specific' };
        if (opts.node?.length)
          body.node_ids = await Promise.all(opts.node.map((n) => resolveNode(client, n)));
        const r = await client.post<{ task_ids?: string[] }>('/v0/models/download', body);
        const ids = r?.task_ids ?? [];
        if (!opts.wait || out.json) {
          out.result(r, () => out.line(`started ${ids.length} task(s): ${ids.join(', ')}`));
          return;
        }
        out.line(`downloading ${model} to ${ids.length} node(s)`);
        const final = await watchTasks(client, ids);
        reportTasks(final, out.line);
      },
    );
}

/** Prints how each task ended and sets a failing exit code when one did not complete. */
export function reportTasks(tasks: Task[], line: (s: string) => void): void {
  for (const t of tasks) {
    line(`${t.id}  ${t.status}${t.error ? `: ${t.error}` : ''}  ${Math.round(percent(t))}%`);
  }
  if (tasks.some((t) => TERMINAL.has(t.status) && t.status !== 'completed')) process.exitCode = 1;
}
