import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { judgeStoredGpu, totalGpuCount, type GpuDevice } from './gpu-rules';
import { NodeEntity } from './node.entity';

/**
 * Parsing of the older JSON storage (`<data dir>/nodes.json`, an array of node objects).
 * The seeds' Rust structs serialised snake_case names; older tools wrote camelCase, and the
 * first GPU generation called the devices `gpu_info`. All are accepted.
 */

export interface LegacySkip {
  index: number;
  reason: string;
}

export interface LegacyParseResult {
  nodes: NodeEntity[];
  skipped: LegacySkip[];
  repaired: number;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

type Obj = Record<string, unknown>;

function pick(o: Obj, ...names: string[]): unknown {
  for (const n of names) if (o[n] !== undefined) return o[n];
  return undefined;
}

function str(v: unknown, max: number): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, max) : null;
}

function strList(v: unknown): string[] {
  return Array.isArray(v)
    ? v.filter((x): x is string => typeof x === 'string' && x !== '').slice(0, 1000)
    : [];
}

function date(v: unknown): Date | null {
  if (typeof v !== 'string' && typeof v !== 'number') return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d;
}

function devices(v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  return v.map((d) => {
    if (typeof d !== 'object' || d === null) return d;
    const o = d as Obj;
    const memory = pick(o, 'memory_bytes', 'memoryBytes', 'memory');
    return {
      model: pick(o, 'model', 'name'),
      count: pick(o, 'count'),
      ...(typeof memory === 'number' && Number.isInteger(memory) && memory >= 0
        ? { memory_bytes: memory }
        : {}),
    };
  });
}

/** Turns the file's parsed JSON into nodes to import (pending, no token). Throws when not an array. */
export function parseLegacyNodes(data: unknown, now = new Date()): LegacyParseResult {
  const list = Array.isArray(data)
    ? data
    : typeof data === 'object' && data !== null && Array.isArray((data as Obj).nodes)
      ? ((data as Obj).nodes as unknown[])
      : null;
  if (!list) throw new Error('nodes.json must hold an array of node objects');
  const nodes: NodeEntity[] = [];
  const skipped: LegacySkip[] = [];
  let repaired = 0;
  list.forEach((raw, index) => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      skipped.push({ index, reason: 'not an object' });
      return;
    }
    const o = raw as Obj;
    const machineName = str(pick(o, 'machine_name', 'machineName'), 255);
    const ip = str(pick(o, 'ip_address', 'ipAddress'), 45);
    const port = pick(o, 'runtime_port', 'runtimePort');
    if (!machineName) return void skipped.push({ index, reason: 'machine_name is missing' });
    if (!ip || isIP(ip) === 0)
      return void skipped.push({ index, reason: 'ip_address is not an IP address' });
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      return void skipped.push({ index, reason: 'runtime_port is missing or out of range' });
    }
    const gpuDevices = devices(pick(o, 'gpu_devices', 'gpuDevices', 'gpu_info', 'gpuInfo'));
    let gpuAvailable = pick(o, 'gpu_available', 'gpuAvailable');
    // Files from before `gpu_available` existed: the devices alone say whether there is a GPU.
    if (gpuAvailable === undefined && Array.isArray(gpuDevices) && gpuDevices.length > 0)
      gpuAvailable = true;
    const gpuModelRaw = pick(o, 'gpu_model', 'gpuModel');
    const gpuCountRaw = pick(o, 'gpu_count', 'gpuCount');
    const verdict = judgeStoredGpu({
      gpu_available: gpuAvailable,
      gpu_devices: gpuDevices,
      gpu_model: gpuModelRaw,
      gpu_count: gpuCountRaw,
    });
    if (verdict.action === 'remove')
      return void skipped.push({ index, reason: `no valid GPU info (${verdict.reason})` });
    const devs: GpuDevice[] =
      verdict.action === 'repair' ? verdict.devices : (gpuDevices as GpuDevice[]).slice(0, 64);
    if (verdict.action === 'repair') repaired += 1;
    const gpuCount =
      typeof gpuCountRaw === 'number' && Number.isInteger(gpuCountRaw) && gpuCountRaw >= 1
        ? gpuCountRaw
        : totalGpuCount(devs);
    const id = pick(o, 'id', 'node_id', 'nodeId');
    const node = new NodeEntity();
    Object.assign(node, {
      id: typeof id === 'string' && UUID_RE.test(id) ? id.toLowerCase() : randomUUID(),
      machineName,
      ipAddress: ip,
      runtimeVersion: str(pick(o, 'runtime_version', 'runtimeVersion'), 64) ?? 'unknown',
      runtimePort: port,
      status: 'pending',
      gpuAvailable: true,
      gpuDevices: devs,
      gpuCount,
      gpuModel: str(gpuModelRaw, 255) ?? devs[0].model,
      supportedRuntimes: strList(pick(o, 'supported_runtimes', 'supportedRuntimes')),
      loadedModels: strList(pick(o, 'loaded_models', 'loadedModels')),
      loadedEmbeddingModels: strList(pick(o, 'loaded_embedding_models', 'loadedEmbeddingModels')),
      readyModels: null,
      initializing: false,
      cpuUsage: null,
      memoryUsage: null,
      gpuUsage: null,
      activeRequests: null,
      extraMetrics: null,
      maxConcurrency: null,
      tokenHash: null,
      registeredAt: date(pick(o, 'registered_at', 'registeredAt')) ?? now,
      lastSeen: date(pick(o, 'last_seen', 'lastSeen')),
      onlineSince: null,
      customName: str(pick(o, 'custom_name', 'customName'), 255),
      tags: strList(pick(o, 'tags')).slice(0, 32),
      notes: typeof o.notes === 'string' ? o.notes.slice(0, 4096) : null,
    } satisfies NodeEntity);
    nodes.push(node);
  });
  return { nodes, skipped, repaired };
}
