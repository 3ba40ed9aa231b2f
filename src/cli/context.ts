import type { Command } from 'commander';
import { readCliEnvironment } from '../config/cli-environment';
import { ApiClient } from './client';
import { createOutput, type Output } from './output';

export interface Ctx {
  client: ApiClient;
  out: Output;
}

/** Builds the client and output from the global options (`--url`, `--json`) and the environment. */
export function contextOf(cmd: Command): Ctx {
  const opts = cmd.optsWithGlobals<{ url?: string; json?: boolean }>();
  const env = readCliEnvironment();
  return {
    client: new ApiClient(opts.url ?? env.url, env),
    out: createOutput(!!opts.json, env.color),
  };
}
