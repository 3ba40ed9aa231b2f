import type { Command } from 'commander';
import { listOf, resolveId, isUuid } from '../client';
import { contextOf } from '../context';
import { dash, fmtAgo } from '../output';

interface KeyRow {
  id: string;
  name: string;
  key_prefix?: string;
  permissions?: string[];
  expires_at?: string | null;
  created_at?: string;
  key?: string;
}

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('API keys for apps and scripts');

  keys
    .command('create')
    .description('Create an API key; the key is printed once')
    .argument('<name>', 'a name for the key')
    .requiredOption('--perm <permission...>', 'permissions, e.g. --perm inference models.read')
    .option('--expires <date>', 'RFC 3339 expiry time, e.g. 2027-01-01T00:00:00Z')
    .action(async (name: string, opts: { perm: string[]; expires?: string }, cmd: Command) => {
      const { client, out } = contextOf(cmd);
      const permissions = opts.perm
        .flatMap((p) => p.split(','))
        .map((p) => p.trim())
        .filter(Boolean);
      const body: Record<string, unknown> = { name, permissions };
      if (opts.expires) body.expires_at = opts.expires;
      const k = await client.post<KeyRow>('/v0/api-keys', body);
      out.result(k, () => {
        out.line(`created key "${k.name}" (${k.id}) with ${(k.permissions ?? []).join(', ')}`);
        out.line('store it now, it is not shown again:');
        out.line(k.key);
      });
    });

  keys
    .command('list')
    .description('List API keys (prefixes only)')
    .action(async (_opts, cmd: Command) => {
      const { client, out } = contextOf(cmd);
      const data = await client.get('/v0/api-keys');
      out.result(data, () =>
        out.table(
          ['ID', 'NAME', 'PREFIX', 'PERMISSIONS', 'EXPIRES', 'CREATED'],
          listOf<KeyRow>(data, 'api_keys').map((k) => [
            k.id,
            k.name,
            `${dash(k.key_prefix)}…`,
            (k.permissions ?? []).join(', '),
            k.expires_at ?? 'never',
            fmtAgo(k.created_at),
          ]),
        ),
      );
    });

  keys
    .command('revoke')
    .description('Revoke an API key')
    .argument('<id>', 'key id or name')
    .action(async (input: string, _opts, cmd: Command) => {
      const { client, out } = contextOf(cmd);
      const id = isUuid(input)
        ? input
        : resolveId(
            'key',
            input,
            listOf<KeyRow>(await client.get('/v0/api-keys'), 'api_keys'),
            (k) => [k.name],
          );
      await client.delete(`/v0/api-keys/${id}`);
      out.result({ id, revoked: true }, () => out.line(`revoked key ${id}`));
    });
}
