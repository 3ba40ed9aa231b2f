import {
  gpuStats,
  groupGpus,
  parseAmdSmi,
  parseGpuOverride,
  parseNvidiaSmi,
  parseRocmSmi,
  parseSystemProfiler,
} from './gpu-parsers';

const MIB = 1024 * 1024;

// nvidia-smi --query-gpu=index,name,memory.total,memory.used,utilization.gpu,temperature.gpu
//   --format=csv,noheader,nounits (memory in MiB)
const NVIDIA_MIXED = [
  '0, NVIDIA GeForce RTX 4090, 24564, 1021, 37, 45',
  '1, NVIDIA GeForce RTX 4090, 24564, 20480, 99, 71',
  '2, NVIDIA L4, 23034, 0, 0, 34',
  '',
].join('\n');

const NVIDIA_NA = '0, NVIDIA A100-SXM4-80GB, 81920, [N/A], [N/A], [N/A]\n';

describe('nvidia-smi CSV', () => {
  it('reads every device with MiB converted to bytes', () => {
    const r = parseNvidiaSmi(NVIDIA_MIXED);
    expect(r).toHaveLength(3);
    expect(r[0]).toEqual({
      name: 'NVIDIA GeForce RTX 4090',
      memoryTotalBytes: 24564 * MIB,
      memoryUsedBytes: 1021 * MIB,
      utilizationPct: 37,
      temperatureC: 45,
    });
    expect(r[2].name).toBe('NVIDIA L4');
  });

  it('groups devices of one model with their per-device memory', () => {
    expect(groupGpus(parseNvidiaSmi(NVIDIA_MIXED))).toEqual([
      { model: 'NVIDIA GeForce RTX 4090', count: 2, memory_bytes: 24564 * MIB },
      { model: 'NVIDIA L4', count: 1, memory_bytes: 23034 * MIB },
    ]);
  });

  it('takes [N/A] fields as unknown, keeping the device', () => {
    const r = parseNvidiaSmi(NVIDIA_NA);
    expect(r).toEqual([
      {
        name: 'NVIDIA A100-SXM4-80GB',
        memoryTotalBytes: 81920 * MIB,
        memoryUsedBytes: null,
        utilizationPct: null,
        temperatureC: null,
      },
    ]);
    expect(gpuStats(r)).toEqual({});
  });

  it('keeps commas inside a name', () => {
    const r = parseNvidiaSmi('0, Tesla V100, PCIe, 16384, 100, 5, 40\n');
    expect(r[0].name).toBe('Tesla V100, PCIe');
    expect(r[0].memoryTotalBytes).toBe(16384 * MIB);
  });

  it('ignores the error text a failing nvidia-smi prints', () => {
    expect(
      parseNvidiaSmi(
        "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n",
      ),
    ).toEqual([]);
  });

  it('turns readings into heartbeat figures', () => {
    expect(gpuStats(parseNvidiaSmi(NVIDIA_MIXED))).toEqual({
      gpu_usage: 45.3,
      gpu_temperature: 71,
      gpu_memory_total_bytes: (24564 * 2 + 23034) * MIB,
      gpu_memory_used_bytes: (1021 + 20480) * MIB,
      gpu_memory_usage: 29.8,
    });
  });
});

// rocm-smi --showproductname --showmeminfo vram --showuse --showtemp --json (ROCm 6.x)
const ROCM = JSON.stringify({
  card0: {
    'Temperature (Sensor edge) (C)': '45.0',
    'Temperature (Sensor junction) (C)': '52.0',
    'GPU use (%)': '12',
    'VRAM Total Memory (B)': '68702699520',
    'VRAM Total Used Memory (B)': '10737418240',
    'Card Series': 'AMD Instinct MI210',
    'Card Model': '0x740f',
    'Card Vendor': 'Advanced Micro Devices, Inc. [AMD/ATI]',
    'Card SKU': 'D67301',
  },
  card1: {
    'Temperature (Sensor edge) (C)': 'N/A',
    'GPU use (%)': '0',
    'VRAM Total Memory (B)': '68702699520',
    'VRAM Total Used Memory (B)': '0',
    'Card Series': 'AMD Instinct MI210',
  },
  system: { 'Driver version': '6.3.6' },
});

describe('rocm-smi JSON', () => {
  it('reads the cards (not the system entry), bytes as given', () => {
    const r = parseRocmSmi(ROCM);
    expect(r).toHaveLength(2);
    expect(r[0]).toEqual({
      name: 'AMD Instinct MI210',
      memoryTotalBytes: 68702699520,
      memoryUsedBytes: 10737418240,
      utilizationPct: 12,
      temperatureC: 45,
    });
    expect(r[1].temperatureC).toBeNull();
    expect(groupGpus(r)).toEqual([
      { model: 'AMD Instinct MI210', count: 2, memory_bytes: 68702699520 },
    ]);
  });

  it('throws on output that is not JSON (a failing tool)', () => {
    expect(() => parseRocmSmi('ERROR: GPU[0] : Unable to get device name')).toThrow();
  });
});

describe('amd-smi JSON', () => {
  it('reads market names and VRAM in either size format', () => {
    const r = parseAmdSmi(
      JSON.stringify([
        {
          gpu: 0,
          asic: { market_name: 'AMD Instinct MI300X' },
          vram: { size: { value: 196592, unit: 'MB' } },
        },
        { gpu: 1, asic: { market_name: 'AMD Instinct MI300X' }, vram: { size: '196592 MB' } },
      ]),
    );
    expect(groupGpus(r)).toEqual([
      { model: 'AMD Instinct MI300X', count: 2, memory_bytes: 196592 * MIB },
    ]);
  });
});

describe('system_profiler SPDisplaysDataType -json', () => {
  it('reads an Apple Silicon GPU with the unified memory', () => {
    const out = JSON.stringify({
      SPDisplaysDataType: [
        {
          _name: 'Apple M2 Max',
          sppci_bus: 'spdisplays_builtin',
          sppci_cores: '38',
          sppci_device_type: 'spdisplays_gpu',
          sppci_model: 'Apple M2 Max',
          spdisplays_mtlgpufamilysupport: 'spdisplays_metal3',
          spdisplays_vendor: 'sppci_vendor_Apple',
        },
      ],
    });
    expect(groupGpus(parseSystemProfiler(out, 64 * 1024 * MIB))).toEqual([
      { model: 'Apple M2 Max', count: 1, memory_bytes: 64 * 1024 * MIB },
    ]);
  });

  it('reads a discrete GPU of an Intel Mac with its VRAM', () => {
    const out = JSON.stringify({
      SPDisplaysDataType: [
        {
          _name: 'AMD Radeon Pro 5500M',
          sppci_model: 'AMD Radeon Pro 5500M',
          spdisplays_vram: '8 GB',
          spdisplays_vendor: 'sppci_vendor_amd',
        },
      ],
    });
    expect(parseSystemProfiler(out, 1)[0].memoryTotalBytes).toBe(8 * 1024 * MIB);
  });

  it('finds nothing in a machine without displays', () => {
    expect(parseSystemProfiler('{"SPDisplaysDataType": []}', 1)).toEqual([]);
  });
});

describe('LLMLB_AGENT_GPUS', () => {
  it('reads MODEL:COUNT lists; the count defaults to 1', () => {
    expect(parseGpuOverride('NVIDIA L4:2, AMD MI300X')).toEqual([
      { model: 'NVIDIA L4', count: 2 },
      { model: 'AMD MI300X', count: 1 },
    ]);
  });

  it('refuses a zero count', () => {
    expect(() => parseGpuOverride('NVIDIA L4:0')).toThrow(/COUNT/);
  });
});
