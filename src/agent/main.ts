/**
 * Entry point of `llmlb agent` (bin/llmlb.js loads this file directly, without commander or
 * any server code, so the agent starts fast and stays small).
 */
import { Agent } from './agent';
import { check } from './check';
import { AgentLog } from './log';
import { OptionsError, parseOptions, USAGE } from './options';

/** Runs the agent with `args` (the words after `agent`); resolves with the exit status. */
export async function runAgent(
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  let parsed;
  try {
    parsed = parseOptions(args, env);
  } catch (e) {
    if (!(e instanceof OptionsError)) throw e;
    process.stderr.write(`error: ${e.message}\n\n${USAGE}\n`);
    return 1;
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { options } = parsed;
  if (options.check) return check(options, (line) => process.stdout.write(`${line}\n`));

  const log = new AgentLog();
  const agent = new Agent(options, log);
  const stop = (signal: string) => {
    log.info(`${signal}: stopping`);
    agent.stop();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  try {
    return await agent.run();
  } catch (e) {
    log.error(`fatal: ${(e as Error).message}`);
    return 1;
  }
}

/** `argv` as in process.argv, with `agent` as the first word after the script. */
export function run(argv: string[] = process.argv): void {
  const args = argv.slice(2);
  void runAgent(args[0] === 'agent' ? args.slice(1) : args).then((code) => {
    process.exitCode = code;
    // Open keep-alive sockets or timers must not hold the process after the agent is done.
    setImmediate(() => process.exit(code));
  });
}

if (require.main === module) run();
