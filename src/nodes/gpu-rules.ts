/**
 * The GPU rule of spec §4.1, as pure functions shared by the registration guard, the startup
 * cleanup and the legacy JSON import.
 */

export interface GpuDevice {
  model: string;
  count: number;
  memory_bytes?: number;
}

/**
 * - `ok`: GPU information is present and usable.
 * - `missing`: GPU information is missing or empty → 403 `gpu_required`.
 * - `malformed`: present but of the wrong type (e.g. `gpu_devices: "x"`) → left to the DTO
 *   validation (400 `validation_failed`).
 */
export type GpuCheck = { result: 'ok' } | { result: 'missing' | 'malformed'; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Checks one device: `count` ≥ 1 and a non-blank `model`. */
function checkDevice(d: unknown, i: number): GpuCheck {
  if (!isObject(d)) return { result: 'malformed', reason: `gpu_devices[${i}] is not an object` };
  const { model, count } = d;
  if (model === undefined || model === null)
    return { result: 'missing', reason: `gpu_devices[${i}].model is missing` };
  if (typeof model !== 'string')
    return { result: 'malformed', reason: `gpu_devices[${i}].model is not a string` };
  if (model.trim() === '') return { result: 'missing', reason: `gpu_devices[${i}].model is blank` };
  if (count === undefined || count === null)
    return { result: 'missing', reason: `gpu_devices[${i}].count is missing` };
  if (typeof count !== 'number' || !Number.isFinite(count)) {
    return { result: 'malformed', reason: `gpu_devices[${i}].count is not a number` };
  }
  if (count < 1) return { result: 'missing', reason: `gpu_devices[${i}].count is ${count}` };
  return { result: 'ok' };
}

/**
 * Applies the GPU rule to a registration body (wire names). `gpu_available` must be `true`;
 * `gpu_devices` a non-empty array of devices with `count` ≥ 1 and a non-blank `model`.
 */
export function checkGpuInfo(body: unknown): GpuCheck {
  if (!isObject(body)) return { result: 'malformed', reason: 'body is not a JSON object' };
  const available = body.gpu_available;
  if (available === undefined || available === null || available === false) {
    return {
      result: 'missing',
      reason: `gpu_available is ${available === undefined ? 'absent' : String(available)}`,
    };
  }
  if (available !== true) return { result: 'malformed', reason: 'gpu_available is not a boolean' };
  const devices = body.gpu_devices;
  if (devices === undefined || devices === null)
    return { result: 'missing', reason: 'gpu_devices is absent' };
  if (!Array.isArray(devices))
    return { result: 'malformed', reason: 'gpu_devices is not an array' };
  if (devices.length === 0) return { result: 'missing', reason: 'gpu_devices is empty' };
  let malformed: GpuCheck | null = null;
  for (let i = 0; i < devices.length; i++) {
    const c = checkDevice(devices[i], i);
    if (c.result === 'missing') return c;
    if (c.result === 'malformed') malformed ??= c;
  }
  return malformed ?? { result: 'ok' };
}

/** What the cleanup and the import do with stored GPU information. */
export type StoredGpuVerdict =
  | { action: 'keep' }
  | { action: 'repair'; devices: GpuDevice[]; gpuCount: number }
  | { action: 'remove'; reason: string };

/**
 * Stored (or imported) GPU information: valid → keep; `gpu_devices` empty or missing but a
 * known `gpu_model` → repair to one device `{model: gpu_model, count: gpu_count or 1}`;
 * anything else → remove.
 */
export function judgeStoredGpu(stored: {
  gpu_available: unknown;
  gpu_devices: unknown;
  gpu_model?: unknown;
  gpu_count?: unknown;
}): StoredGpuVerdict {
  const check = checkGpuInfo(stored);
  if (check.result === 'ok') return { action: 'keep' };
  const devicesEmpty =
    stored.gpu_devices === undefined ||
    stored.gpu_devices === null ||
    (Array.isArray(stored.gpu_devices) && stored.gpu_devices.length === 0);
  const model = typeof stored.gpu_model === 'string' ? stored.gpu_model.trim() : '';
  if (stored.gpu_available !== false && devicesEmpty && model !== '') {
    const count =
      typeof stored.gpu_count === 'number' &&
      Number.isInteger(stored.gpu_count) &&
      stored.gpu_count >= 1
        ? stored.gpu_count
        : 1;
    return { action: 'repair', devices: [{ model, count }], gpuCount: count };
  }
  return { action: 'remove', reason: check.reason };
}

/** Sum of device counts (the default `gpu_count`). */
export function totalGpuCount(devices: GpuDevice[]): number {
  return devices.reduce((n, d) => n + d.count, 0);
}
