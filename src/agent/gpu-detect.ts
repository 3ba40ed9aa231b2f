/** Runs the GPU vendor tools found on PATH and parses what they print. */
import { execFile } from 'node:child_process';
import { totalmem } from 'node:os';
import {
  groupGpus,
  parseAmdSmi,
  parseGpuOverride,
  parseNvidiaSmi,
  parseRocmSmi,
  parseSystemProfiler,
  type GpuGroup,
  type GpuReading,
} from './gpu-parsers';

const TOOL_TIMEOUT_MS = 5_000;

interface Tool {
  name: string;
  args: string[];
  parse(stdout: string): GpuReading[];
}

export const NVIDIA_QUERY = [
  '--query-gpu=index,name,memory.total,memory.used,utilization.gpu,temperature.gpu',
  '--format=csv,noheader,nounits',
];

const TOOLS: Tool[] = [
  { name: 'nvidia-smi', args: NVIDIA_QUERY, parse: parseNvidiaSmi },
  {
    name: 'rocm-smi',
    args: ['--showproductname', '--showmeminfo', 'vram', '--showuse', '--showtemp', '--json'],
    parse: parseRocmSmi,
  },
  { name: 'amd-smi', args: ['static', '--asic', '--vram', '--json'], parse: parseAmdSmi },
  {
    name: 'system_profiler',
    args: ['SPDisplaysDataType', '-json'],
    parse: (s) => parseSystemProfiler(s, totalmem()),
  },
];

export interface GpuDetection {
  groups: GpuGroup[];
  readings: GpuReading[];
  /** Which tool found the GPUs (`LLMLB_AGENT_GPUS` for the override), or null. */
  source: string | null;
  /** What each tool said when it found nothing (for the "no GPU" message and --check). */
  notes: string[];
}

function run(tool: Tool): Promise<{ stdout: string } | { error: string }> {
  return new Promise((resolve) => {
    execFile(
      tool.name,
      tool.args,
      { timeout: TOOL_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024, windowsHide: true },
      (err, stdout, stderr) => {
        if (!err) return resolve({ stdout: String(stdout) });
        const e = err as NodeJS.ErrnoException & { killed?: boolean; code?: unknown };
        if (e.code === 'ENOENT') return resolve({ error: 'not installed' });
        if (e.killed) return resolve({ error: `no answer within ${TOOL_TIMEOUT_MS} ms` });
        const said = `${String(stderr)}\n${String(stdout)}`.trim().split(/\r?\n/)[0] ?? '';
        resolve({ error: `exit status ${String(e.code)}${said ? `: ${said.slice(0, 200)}` : ''}` });
      },
    );
  });
}

/** Readings of one tool, or why it found none. */
async function readTool(tool: Tool): Promise<{ readings: GpuReading[]; note?: string }> {
  const r = await run(tool);
  if ('error' in r) return { readings: [], note: `${tool.name}: ${r.error}` };
  try {
    const readings = tool.parse(r.stdout);
    return readings.length ? { readings } : { readings, note: `${tool.name}: no GPU listed` };
  } catch (e) {
    return { readings: [], note: `${tool.name}: unreadable output (${(e as Error).message})` };
  }
}

/**
 * Detects GPUs: the operator's `LLMLB_AGENT_GPUS` when set, else the first vendor tool (in
 * the order nvidia-smi, rocm-smi, amd-smi, system_profiler) that lists at least one device.
 */
export async function detectGpus(override: string | null): Promise<GpuDetection> {
  if (override) {
    return {
      groups: parseGpuOverride(override),
      readings: [],
      source: 'LLMLB_AGENT_GPUS',
      notes: [],
    };
  }
  const results = await Promise.all(TOOLS.map(readTool));
  const notes: string[] = [];
  for (let i = 0; i < TOOLS.length; i++) {
    const r = results[i];
    if (r.readings.length)
      return { groups: groupGpus(r.readings), readings: r.readings, source: TOOLS[i].name, notes };
    if (r.note) notes.push(r.note);
  }
  return { groups: [], readings: [], source: null, notes };
}

/** Fresh readings for a heartbeat from the tool that found the GPUs (none for the override). */
export async function readGpuStats(source: string | null): Promise<GpuReading[]> {
  const tool = TOOLS.find((t) => t.name === source);
  if (!tool) return [];
  return (await readTool(tool)).readings;
}
