import { type Command, Option } from 'commander';
import { listOf } from '../client';
import { contextOf } from '../context';
import { dash } from '../output';

interface UserRow {
  id: string;
  username: string;
  role: string;
  created_at?: string;
}

export function registerUsers(program: Command): void {
  const users = program.command('users').description('Dashboard and API users (admin)');

  users
    .command('list')
    .description('List users')
    .action(async (_opts, cmd: Command) => {
      const { client, out } = contextOf(cmd);
      const data = await client.get('/v0/users');
      out.result(data, () =>
        out.table(
          ['ID', 'USERNAME', 'ROLE', 'CREATED'],
          listOf<UserRow>(data, 'users').map((u) => [u.id, u.username, u.role, dash(u.created_at)]),
        ),
      );
    });

  users
    .command('add')
    .description('Create a user')
    .argument('<username>')
    .requiredOption('--password <password>', 'at least 8 characters')
    .addOption(new Option('--role <role>', 'role').choices(['admin', 'viewer']).default('viewer'))
    .action(async (username: string, opts: { password: string; role: string }, cmd: Command) => {
      const { client, out } = contextOf(cmd);
      const u = await client.post<UserRow>('/v0/users', {
        username,
        password: opts.password,
        role: opts.role,
      });
      out.result(u, () => out.line(`created ${u.role} ${u.username} (${u.id})`));
    });
}
