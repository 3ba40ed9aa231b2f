import { parseLegacyNodes } from './legacy-import';

const now = new Date('2026-01-01T00:00:00Z');

describe('parseLegacyNodes', () => {
  it('maps snake_case entries to pending nodes without a token', () => {
    const r = parseLegacyNodes(
      [
        {
          id: '3F2504E0-4F89-41D3-9A0C-0305E82C3301',
          machine_name: 'gpu-01',
          ip_address: '10.0.0.5',
          runtime_version: '0.3.0',
          runtime_port: 32769,
          status: 'Online',
          gpu_available: true,
          gpu_devices: [{ model: 'RTX 4090', count: 2, memory_bytes: 1024 }],
          loaded_models: ['llama'],
          registered_at: '2025-10-30T10:00:00Z',
          last_seen: '2025-10-30T12:30:00Z',
          custom_name: 'rack 1',
          tags: ['a'],
          notes: 'n',
        },
      ],
      now,
    );
    expect(r.skipped).toEqual([]);
    expect(r.nodes).toHaveLength(1);
    expect(r.nodes[0]).toMatchObject({
      id: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
      machineName: 'gpu-01',
      status: 'pending',
      tokenHash: null,
      gpuCount: 2,
      gpuModel: 'RTX 4090',
      gpuDevices: [{ model: 'RTX 4090', count: 2, memory_bytes: 1024 }],
      loadedModels: ['llama'],
      customName: 'rack 1',
      tags: ['a'],
      notes: 'n',
    });
    expect(r.nodes[0].registeredAt.toISOString()).toBe('2025-10-30T10:00:00.000Z');
  });

  it('accepts camelCase names and the older gpu_info list', () => {
    const r = parseLegacyNodes(
      [
        {
          machineName: 'a',
          ipAddress: '::1',
          runtimePort: 8080,
          gpuInfo: [{ model: 'A100', count: 1 }],
        },
        {
          machine_name: 'b',
          ip_address: '10.0.0.6',
          runtime_port: 8080,
          gpu_info: [{ name: 'L4', count: 4 }],
        },
      ],
      now,
    );
    expect(r.skipped).toEqual([]);
    expect(r.nodes.map((n) => [n.machineName, n.gpuModel, n.gpuCount])).toEqual([
      ['a', 'A100', 1],
      ['b', 'L4', 4],
    ]);
    expect(r.nodes[0].registeredAt).toEqual(now);
    expect(r.nodes[0].runtimeVersion).toBe('unknown');
  });

  it('skips entries without GPU info or address, and repairs a known gpu_model', () => {
    const r = parseLegacyNodes(
      [
        {
          machine_name: 'nogpu',
          ip_address: '10.0.0.1',
          runtime_port: 1,
          gpu_available: false,
          gpu_devices: [],
        },
        {
          machine_name: 'empty',
          ip_address: '10.0.0.2',
          runtime_port: 1,
          gpu_available: true,
          gpu_devices: [],
        },
        {
          machine_name: 'zero',
          ip_address: '10.0.0.3',
          runtime_port: 1,
          gpu_devices: [{ model: 'A', count: 0 }],
        },
        { machine_name: 'noport', ip_address: '10.0.0.4', gpu_devices: [{ model: 'A', count: 1 }] },
        {
          machine_name: 'badip',
          ip_address: 'host',
          runtime_port: 1,
          gpu_devices: [{ model: 'A', count: 1 }],
        },
        'junk',
        {
          machine_name: 'fix',
          ip_address: '10.0.0.9',
          runtime_port: 1,
          gpu_devices: [],
          gpu_model: 'V100',
          gpu_count: 2,
        },
      ],
      now,
    );
    expect(r.skipped.map((s) => s.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.repaired).toBe(1);
    expect(r.nodes).toHaveLength(1);
    expect(r.nodes[0]).toMatchObject({
      machineName: 'fix',
      gpuDevices: [{ model: 'V100', count: 2 }],
      gpuCount: 2,
    });
  });

  it('gives new ids to entries without a UUID', () => {
    const r = parseLegacyNodes([
      {
        id: 7,
        machine_name: 'a',
        ip_address: '10.0.0.1',
        runtime_port: 1,
        gpu_devices: [{ model: 'A', count: 1 }],
      },
    ]);
    expect(r.nodes[0].id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('throws on a file that is not an array', () => {
    expect(() => parseLegacyNodes({ foo: 1 })).toThrow(/array/);
    expect(() => parseLegacyNodes('x')).toThrow(/array/);
  });
});
