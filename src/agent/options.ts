/**
 * `llmlb agent` flags, each also read from the environment. The agent is not part of the
 * server, so it reads `process.env` itself (the caller passes it in).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface AgentOptions {
  serverUrl: string;
  runtimeUrl: string;
  key: string | null;
  modelsDir: string;
  name: string | null;
  advertiseAddress: string | null;
  intervalSecs: number;
  dataDir: string;
  onDownloaded: string | null;
  check: boolean;
  /** `LLMLB_AGENT_GPUS`: the operator's GPU list, replaces detection. */
  gpusOverride: string | null;
  /** Bytes to keep free on the models disk (a pull needing more fails `insufficient_disk`). */
  reserveDiskBytes: number;
  hfToken: string | null;
  /** Longest wait between retries when the server or runtime does not answer, ms. */
  maxBackoffMs: number;
}

interface FlagSpec {
  flag: string;
  env: string;
  key: keyof AgentOptions;
  help: string;
}

export const FLAGS: FlagSpec[] = [
  { flag: '--server', env: 'LLMLB_URL', key: 'serverUrl', help: 'llmlb server URL' },
  {
    flag: '--runtime',
    env: 'LLMLB_AGENT_RUNTIME_URL',
    key: 'runtimeUrl',
    help: 'the OpenAI-compatible runtime on this machine',
  },
  { flag: '--key', env: 'LLMLB_NODE_KEY', key: 'key', help: 'API key with nodes.register' },
  {
    flag: '--models-dir',
    env: 'LLMLB_AGENT_MODELS_DIR',
    key: 'modelsDir',
    help: 'where pulled models are stored',
  },
  {
    flag: '--name',
    env: 'LLMLB_AGENT_NAME',
    key: 'name',
    help: 'machine name (default: hostname)',
  },
  {
    flag: '--advertise-address',
    env: 'LLMLB_AGENT_ADVERTISE_ADDRESS',
    key: 'advertiseAddress',
    help: 'IP the server reaches the runtime at',
  },
  {
    flag: '--interval',
    env: 'LLMLB_AGENT_INTERVAL_SECS',
    key: 'intervalSecs',
    help: 'seconds between heartbeats',
  },
  {
    flag: '--data-dir',
    env: 'LLMLB_AGENT_DATA_DIR',
    key: 'dataDir',
    help: 'where agent.json (node id and token) is kept',
  },
  {
    flag: '--on-downloaded',
    env: 'LLMLB_AGENT_ON_DOWNLOADED',
    key: 'onDownloaded',
    help: 'command run with the file path after a pull',
  },
];

export const USAGE = [
  'Usage: llmlb agent [options]',
  '',
  'Makes this GPU machine a node of an llmlb server, beside an OpenAI-compatible runtime.',
  '',
  ...FLAGS.map((f) => `  ${(f.flag + ' <value>').padEnd(30)}${f.help} (env ${f.env})`),
  `  ${'--check'.padEnd(30)}print what the agent detects and exit`,
  `  ${'-h, --help'.padEnd(30)}this help`,
  '',
  'Other environment: LLMLB_AGENT_GPUS="MODEL:COUNT,…" (GPU override), HF_TOKEN,',
  'LLMLB_AGENT_RESERVE_DISK_BYTES, LLMLB_AGENT_MAX_BACKOFF_SECS. See docs/agent.md.',
].join('\n');

export class OptionsError extends Error {}

function positiveNumber(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new OptionsError(`${name} must be a positive number`);
  return n;
}

function url(name: string, v: string): string {
  try {
    const u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error();
  } catch {
    throw new OptionsError(`${name} must be an http(s) URL, got "${v}"`);
  }
  return v.replace(/\/+$/, '');
}

/** Parses `args` (after `agent`); flags win over the environment. `help` when -h was given. */
export function parseOptions(
  args: string[],
  env: NodeJS.ProcessEnv,
): { options: AgentOptions; help: boolean } {
  const raw = new Map<keyof AgentOptions, string>();
  for (const f of FLAGS) {
    const v = env[f.env];
    if (v !== undefined && v !== '') raw.set(f.key, v);
  }
  let check = false;
  let help = false;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--check') {
      check = true;
      continue;
    }
    if (a === '-h' || a === '--help') {
      help = true;
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    const spec = FLAGS.find((f) => f.flag === name);
    if (!spec) throw new OptionsError(`unknown option ${a}`);
    const value = eq > 0 ? a.slice(eq + 1) : args[++i];
    if (value === undefined) throw new OptionsError(`${name} needs a value`);
    raw.set(spec.key, value);
  }
  const dataDir = raw.get('dataDir') ?? join(homedir(), '.llmlb-agent');
  const options: AgentOptions = {
    serverUrl: url('--server', raw.get('serverUrl') ?? 'http://127.0.0.1:32768'),
    runtimeUrl: url('--runtime', raw.get('runtimeUrl') ?? 'http://127.0.0.1:8080'),
    key: raw.get('key') ?? null,
    modelsDir: raw.get('modelsDir') ?? join(dataDir, 'models'),
    name: raw.get('name') ?? null,
    advertiseAddress: raw.get('advertiseAddress') ?? null,
    intervalSecs: positiveNumber('--interval', raw.get('intervalSecs') ?? '5'),
    dataDir,
    onDownloaded: raw.get('onDownloaded') ?? null,
    check,
    gpusOverride: env.LLMLB_AGENT_GPUS?.trim() || null,
    reserveDiskBytes: env.LLMLB_AGENT_RESERVE_DISK_BYTES
      ? Math.floor(
          positiveNumber('LLMLB_AGENT_RESERVE_DISK_BYTES', env.LLMLB_AGENT_RESERVE_DISK_BYTES),
        )
      : 0,
    hfToken: env.HF_TOKEN?.trim() || null,
    maxBackoffMs:
      positiveNumber('LLMLB_AGENT_MAX_BACKOFF_SECS', env.LLMLB_AGENT_MAX_BACKOFF_SECS ?? '30') *
      1000,
  };
  return { options, help };
}
