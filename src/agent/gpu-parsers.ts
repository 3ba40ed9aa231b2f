/**
 * Parsers of the GPU vendor tools' real output formats, pure (no I/O), and the grouping of
 * devices into the registration's `{model, count, memory_bytes}`.
 */

/** One GPU device as a tool reports it; figures are null when the tool says `[N/A]`. */
export interface GpuReading {
  name: string;
  memoryTotalBytes: number | null;
  memoryUsedBytes: number | null;
  utilizationPct: number | null;
  temperatureC: number | null;
}

export interface GpuGroup {
  model: string;
  count: number;
  memory_bytes?: number;
}

const MIB = 1024 * 1024;

/** A number, or null for `[N/A]`, `[Not Supported]`, `N/A` and other non-numbers. */
function num(v: unknown): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v !== 'string') return null;
  const m = /^\s*(-?\d+(?:\.\d+)?)/.exec(v);
  return m ? Number(m[1]) : null;
}

/**
 * `nvidia-smi --query-gpu=index,name,memory.total,memory.used,utilization.gpu,temperature.gpu
 * --format=csv,noheader,nounits`: one line per device, memory in MiB.
 */
export function parseNvidiaSmi(stdout: string): GpuReading[] {
  const out: GpuReading[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length < 6) continue;
    // a name may itself contain commas: the first cell is the index, the last four are figures
    const figures = cells.slice(-4);
    const name = cells.slice(1, -4).join(', ').trim();
    if (!name || num(cells[0]) === null) continue;
    const total = num(figures[0]);
    const used = num(figures[1]);
    out.push({
      name,
      memoryTotalBytes: total === null ? null : Math.round(total * MIB),
      memoryUsedBytes: used === null ? null : Math.round(used * MIB),
      utilizationPct: num(figures[2]),
      temperatureC: num(figures[3]),
    });
  }
  return out;
}

function field(card: Record<string, unknown>, ...patterns: RegExp[]): unknown {
  for (const p of patterns) {
    const k = Object.keys(card).find((key) => p.test(key));
    if (k !== undefined && card[k] !== undefined && card[k] !== '' && card[k] !== 'N/A')
      return card[k];
  }
  return undefined;
}

/**
 * `rocm-smi --showproductname --showmeminfo vram --showuse --showtemp --json`:
 * `{"card0": {"Card Series": "…", "VRAM Total Memory (B)": "…", …}, "system": {…}}`, all
 * values strings.
 */
export function parseRocmSmi(stdout: string): GpuReading[] {
  const doc = JSON.parse(stdout) as Record<string, unknown>;
  const out: GpuReading[] = [];
  for (const [key, value] of Object.entries(doc)) {
    if (!/^card\d+$/i.test(key) || !value || typeof value !== 'object') continue;
    const card = value as Record<string, unknown>;
    const name = field(card, /^card series$/i, /^device name$/i, /^card model$/i, /^card sku$/i);
    if (typeof name !== 'string' || !name.trim()) continue;
    const total = num(field(card, /^vram total memory \(b\)$/i));
    const used = num(field(card, /^vram total used memory \(b\)$/i));
    out.push({
      name: name.trim(),
      memoryTotalBytes: total,
      memoryUsedBytes: used,
      utilizationPct: num(field(card, /^gpu use \(%\)$/i)),
      temperatureC: num(
        field(card, /^temperature \(sensor edge\) \(c\)$/i, /^temperature \(sensor junction\)/i),
      ),
    });
  }
  return out;
}

const UNIT_BYTES: Record<string, number> = {
  B: 1,
  KB: 1024,
  MB: MIB,
  MIB: MIB,
  GB: 1024 * MIB,
  GIB: 1024 * MIB,
};

/** `"196592 MB"`, `{"value": 196592, "unit": "MB"}` or a number of MB → bytes. */
function sizeBytes(v: unknown): number | null {
  if (v && typeof v === 'object') {
    const o = v as { value?: unknown; unit?: unknown };
    const n = num(o.value);
    const unit = typeof o.unit === 'string' ? o.unit.toUpperCase() : 'MB';
    return n === null ? null : Math.round(n * (UNIT_BYTES[unit] ?? MIB));
  }
  if (typeof v === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?\s*$/i.exec(v);
    if (!m) return null;
    return Math.round(Number(m[1]) * (UNIT_BYTES[(m[2] ?? 'MB').toUpperCase()] ?? MIB));
  }
  const n = num(v);
  return n === null ? null : Math.round(n * MIB);
}

/** `amd-smi static --asic --vram --json`: a list (or `{gpu_data: [...]}`) of devices. */
export function parseAmdSmi(stdout: string): GpuReading[] {
  const doc = JSON.parse(stdout) as unknown;
  const list = Array.isArray(doc)
    ? doc
    : Array.isArray((doc as { gpu_data?: unknown })?.gpu_data)
      ? (doc as { gpu_data: unknown[] }).gpu_data
      : [];
  const out: GpuReading[] = [];
  for (const item of list) {
    if (!item || typeof item !== 'object') continue;
    const d = item as { asic?: Record<string, unknown>; vram?: Record<string, unknown> };
    const name = d.asic?.market_name ?? d.asic?.product_name;
    if (typeof name !== 'string' || !name.trim() || name === 'N/A') continue;
    out.push({
      name: name.trim(),
      memoryTotalBytes: sizeBytes(d.vram?.size),
      memoryUsedBytes: null,
      utilizationPct: null,
      temperatureC: null,
    });
  }
  return out;
}

/**
 * `system_profiler SPDisplaysDataType -json`: `{"SPDisplaysDataType": [{"sppci_model": …}]}`.
 * Apple Silicon GPUs share the machine's memory (`unifiedMemoryBytes`); discrete GPUs of Intel
 * Macs give `spdisplays_vram` ("8 GB").
 */
export function parseSystemProfiler(stdout: string, unifiedMemoryBytes: number): GpuReading[] {
  const doc = JSON.parse(stdout) as { SPDisplaysDataType?: unknown };
  const list = Array.isArray(doc.SPDisplaysDataType) ? doc.SPDisplaysDataType : [];
  const out: GpuReading[] = [];
  for (const item of list as Array<Record<string, unknown>>) {
    if (!item || typeof item !== 'object') continue;
    const name = item.sppci_model ?? item._name;
    if (typeof name !== 'string' || !name.trim()) continue;
    const apple =
      String(item.spdisplays_vendor ?? '').includes('Apple') || /^Apple M\d/.test(name.trim());
    const vram = item.spdisplays_vram ?? item.spdisplays_vram_shared;
    out.push({
      name: name.trim(),
      memoryTotalBytes: apple ? unifiedMemoryBytes : sizeBytes(vram),
      memoryUsedBytes: null,
      utilizationPct: null,
      temperatureC: null,
    });
  }
  return out;
}

/** `LLMLB_AGENT_GPUS="NVIDIA L4:2,AMD MI300X"` (count defaults to 1). */
export function parseGpuOverride(value: string): GpuGroup[] {
  const groups: GpuGroup[] = [];
  for (const part of value.split(',')) {
    const p = part.trim();
    if (!p) continue;
    const m = /^(.*?):(\d+)$/.exec(p);
    const model = (m ? m[1] : p).trim();
    const count = m ? Number(m[2]) : 1;
    if (!model || count < 1)
      throw new Error(`LLMLB_AGENT_GPUS: "${p}" is not MODEL or MODEL:COUNT (COUNT ≥ 1)`);
    groups.push({ model, count });
  }
  if (groups.length === 0) throw new Error('LLMLB_AGENT_GPUS is empty');
  return groups;
}

/** Devices of one model become one group; `memory_bytes` is the smallest device's memory. */
export function groupGpus(readings: GpuReading[]): GpuGroup[] {
  const groups = new Map<string, GpuGroup>();
  for (const r of readings) {
    const g = groups.get(r.name);
    if (!g) {
      groups.set(r.name, {
        model: r.name,
        count: 1,
        ...(r.memoryTotalBytes !== null ? { memory_bytes: r.memoryTotalBytes } : {}),
      });
      continue;
    }
    g.count += 1;
    if (r.memoryTotalBytes !== null)
      g.memory_bytes =
        g.memory_bytes === undefined
          ? r.memoryTotalBytes
          : Math.min(g.memory_bytes, r.memoryTotalBytes);
  }
  return [...groups.values()];
}

export interface GpuStats {
  gpu_usage?: number;
  gpu_memory_usage?: number;
  gpu_memory_used_bytes?: number;
  gpu_memory_total_bytes?: number;
  gpu_temperature?: number;
}

/** Heartbeat GPU figures: mean use, memory sums, hottest temperature; unknowns left out. */
export function gpuStats(readings: GpuReading[]): GpuStats {
  const known = <T>(xs: (T | null)[]) => xs.filter((x): x is T => x !== null);
  const util = known(readings.map((r) => r.utilizationPct));
  const temps = known(readings.map((r) => r.temperatureC));
  const withMem = readings.filter((r) => r.memoryTotalBytes !== null && r.memoryUsedBytes !== null);
  const stats: GpuStats = {};
  if (util.length) stats.gpu_usage = clampPct(util.reduce((a, b) => a + b, 0) / util.length);
  if (temps.length) stats.gpu_temperature = Math.max(...temps);
  if (withMem.length) {
    const total = withMem.reduce((a, r) => a + r.memoryTotalBytes!, 0);
    const used = withMem.reduce((a, r) => a + r.memoryUsedBytes!, 0);
    stats.gpu_memory_total_bytes = total;
    stats.gpu_memory_used_bytes = Math.min(used, total);
    if (total > 0) stats.gpu_memory_usage = clampPct((used / total) * 100);
  }
  return stats;
}

function clampPct(v: number): number {
  return Math.round(Math.min(100, Math.max(0, v)) * 10) / 10;
}
