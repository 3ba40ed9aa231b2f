import { CliError, listOf, qs, resolveId } from './client';
import { createOutput, fmtAgo, fmtBytes, fmtMs } from './output';
import { percent, targetOf } from './progress';
import { gpuText } from './commands/nodes';
import { readCliEnvironment, DEFAULT_CLI_URL } from '../config/cli-environment';

describe('CLI helpers', () => {
  const items = [
    { id: 'aaaaaaaa-0000-4000-8000-000000000001', name: 'gpu-1' },
    { id: 'aaaaaaaa-0000-4000-8000-000000000002', name: 'gpu-2' },
    { id: 'bbbbbbbb-0000-4000-8000-000000000003', name: 'gpu-3' },
  ];
  const names = (i: { name: string }) => [i.name];

  it('resolves a full id, a name or a unique id prefix', () => {
    expect(resolveId('node', items[0].id, [], names)).toBe(items[0].id);
    expect(resolveId('node', 'gpu-2', items, names)).toBe(items[1].id);
    expect(resolveId('node', 'bbbb', items, names)).toBe(items[2].id);
  });

  it('refuses ambiguous and unknown references', () => {
    expect(() => resolveId('node', 'aaaa', items, names)).toThrow(/matches several nodes/);
    expect(() => resolveId('node', 'zzz', items, names)).toThrow(CliError);
  });

  it('reads lists from the spec envelope or a bare array', () => {
    expect(listOf({ nodes: [1, 2], total: 2 }, 'nodes')).toEqual([1, 2]);
    expect(listOf([3], 'nodes')).toEqual([3]);
    expect(listOf({ data: [4] }, 'nodes')).toEqual([4]);
    expect(listOf(null, 'nodes')).toEqual([]);
  });

  it('builds query strings from set values only', () => {
    expect(qs({ a: 'x y', b: undefined, c: '', d: 0 })).toBe('?a=x+y&d=0');
    expect(qs({})).toBe('');
  });

  it('turns task progress (0–1, or percent) into a percentage', () => {
    expect(percent({ id: 't', status: 'in_progress', progress: 0.42 })).toBeCloseTo(42);
    expect(percent({ id: 't', status: 'in_progress', progress: 55 })).toBe(55);
    expect(percent({ id: 't', status: 'completed', progress: 0.1 })).toBe(100);
    expect(percent({ id: 't', status: 'pending', progress: null })).toBe(0);
  });

  it('formats sizes, durations and ages', () => {
    expect(fmtBytes(24 * 1024 ** 3)).toBe('24 GB');
    expect(fmtBytes(1536)).toBe('1.5 KB');
    expect(fmtBytes(null)).toBe('-');
    expect(fmtMs(12.4)).toBe('12 ms');
    expect(fmtMs(1630)).toBe('1.63 s');
    expect(fmtAgo('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:02:30Z'))).toBe('2m ago');
  });

  it('describes GPUs from devices, or the legacy model and count', () => {
    expect(
      gpuText({
        id: 'x',
        gpu_devices: [{ model: 'RTX 4090', count: 2, memory_bytes: 24 * 1024 ** 3 }],
      }),
    ).toBe('RTX 4090 x2 24 GB');
    expect(gpuText({ id: 'x', gpu_devices: [], gpu_model: 'A100', gpu_count: 4 })).toBe('A100 x4');
    expect(gpuText({ id: 'x' })).toBe('-');
  });

  it('prints JSON for scripts and tables for people', () => {
    let out = '';
    createOutput(true, false, (s) => (out += s)).result({ a: 1 }, () => {
      throw new Error('not for --json');
    });
    expect(JSON.parse(out)).toEqual({ a: 1 });
    out = '';
    const human = createOutput(false, false, (s) => (out += s));
    human.result({ a: 1 }, () => human.table(['A', 'B'], [['x', 1]]));
    expect(out).toMatch(/│ A\s+│ B\s+│/);
    expect(out).toMatch(/│ x\s+│ 1\s+│/);
    out = '';
    human.table(['A'], []);
    expect(out).toBe('(none)\n');
  });

  it('reads its settings from the environment with a default URL', () => {
    expect(readCliEnvironment({})).toEqual({
      url: DEFAULT_CLI_URL,
      apiKey: null,
      username: null,
      password: null,
      color: true,
    });
    expect(
      readCliEnvironment({ LLMLB_URL: 'http://x:1', LLMLB_API_KEY: 'sk_a', NO_COLOR: '1' }),
    ).toMatchObject({
      url: 'http://x:1',
      apiKey: 'sk_a',
      color: false,
    });
  });

  it('names a task target by node or endpoint name, else by id prefix', () => {
    const names = new Map([['11111111-aaaa', 'gpu-01']]);
    const t = { id: 't', status: 'pending' };
    expect(targetOf({ ...t, node_id: '11111111-aaaa' }, names)).toBe('node gpu-01');
    expect(targetOf({ ...t, endpoint_id: '22222222-bbbb' }, names)).toBe('endpoint 22222222');
    expect(targetOf(t, names)).toBe('');
  });
});
