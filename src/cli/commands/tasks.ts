import type { Command } from 'commander';
import { listOf, qs } from '../client';
import { contextOf } from '../context';
import { dash, fmtAgo, fmtBytes, shortId } from '../output';
import { percent, targetNames, targetOf, watchTasks, type Task } from '../progress';
import { reportTasks } from './models';

export function registerTasks(program: Command): void {
  program
    .command('tasks')
    .description('List download tasks; --watch shows progress bars until the active ones finish')
    .option(
      '--status <status>',
      'only this status (pending, in_progress, completed, failed, cancelled)',
    )
    .option('--watch', 'follow active tasks with progress bars')
    .action(async (opts: { status?: string; watch?: boolean }, cmd: Command) => {
      const { client, out } = contextOf(cmd);
      if (opts.watch && !out.json) {
        const final = await watchTasks(client, null);
        if (!final.length) out.line('no active tasks');
        else reportTasks(final, out.line);
        return;
      }
      const data = await client.get(`/v0/tasks${qs({ status: opts.status })}`);
      const names = out.json ? new Map<string, string>() : await targetNames(client);
      out.result(data, () =>
        out.table(
          ['ID', 'MODEL', 'TARGET', 'STATUS', 'PROGRESS', 'SIZE', 'CREATED'],
          listOf<Task & { created_at?: string }>(data, 'tasks').map((t) => [
            shortId(t.id),
            dash(t.model),
            targetOf(t, names) || '-',
            t.error ? `${t.status}: ${t.error}` : t.status,
            `${Math.round(percent(t))}%`,
            fmtBytes(t.total_bytes),
            fmtAgo(t.created_at),
          ]),
        ),
      );
    });
}
