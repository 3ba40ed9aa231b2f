/**
 * The `llmlb` command. Client commands talk to a running server over HTTP and load neither
 * Nest nor TypeORM; only `serve` (the default when no command is given) loads the server.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Command } from 'commander';
import { CliError } from './client';
import { registerEndpoints } from './commands/endpoints';
import { registerKeys } from './commands/keys';
import { registerModels } from './commands/models';
import { registerNodes } from './commands/nodes';
import { registerStatus } from './commands/status';
import { registerTasks } from './commands/tasks';
import { registerUsers } from './commands/users';

function packageVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p))
      return (JSON.parse(readFileSync(p, 'utf8')) as { version?: string }).version ?? '0.0.0';
    dir = dirname(dir);
  }
  return '0.0.0';
}

export function buildProgram(): Command {
  const program = new Command('llmlb')
    .description('llmlb: one OpenAI-compatible API in front of your GPU nodes and LLM servers')
    .version(packageVersion())
    .option('--url <url>', 'server URL (env LLMLB_URL, default http://127.0.0.1:32768)')
    .option('--json', 'print JSON for scripts instead of tables')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nCredentials: LLMLB_API_KEY, or LLMLB_USERNAME and LLMLB_PASSWORD.\nWith no command, `llmlb` runs `llmlb serve`.',
    );

  program
    .command('serve')
    .description('Start the llmlb server (configured by LLMLB_* variables; the default command)')
    .action(async () => {
      const { serve } = await import('../main');
      await serve();
    });

  program
    .command('agent')
    .description('Run the node agent on a GPU machine (see `llmlb agent --help`, docs/agent.md)')
    .helpOption(false)
    .allowUnknownOption()
    .argument('[options...]')
    .action(async (args: string[]) => {
      const { runAgent } = await import('../agent/main');
      process.exitCode = await runAgent(args);
    });

  registerStatus(program);
  registerNodes(program);
  registerEndpoints(program);
  registerModels(program);
  registerTasks(program);
  registerKeys(program);
  registerUsers(program);
  return program;
}

/** Runs the CLI; `argv` as in process.argv. */
export async function run(argv: string[] = process.argv): Promise<void> {
  const args = argv.slice(2);
  // `llmlb` alone (or with only global options) starts the server.
  const firstPositional = args.find((a, i) => !a.startsWith('-') && args[i - 1] !== '--url');
  const wantsInfo = args.some((a) => ['-h', '--help', '-V', '--version'].includes(a));
  const full = !firstPositional && !wantsInfo ? [...argv.slice(0, 2), 'serve', ...args] : argv;
  try {
    await buildProgram().parseAsync(full);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`error: ${message}\n`);
    process.exitCode = e instanceof CliError ? e.exitCode : 1;
  }
}

if (require.main === module) {
  void run();
}
