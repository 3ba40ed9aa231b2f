import { checkGpuInfo, judgeStoredGpu, totalGpuCount } from './gpu-rules';

const ok = { gpu_available: true, gpu_devices: [{ model: 'NVIDIA A100', count: 2 }] };

describe('checkGpuInfo', () => {
  it('accepts valid GPU information', () => {
    expect(checkGpuInfo(ok)).toEqual({ result: 'ok' });
    expect(
      checkGpuInfo({
        gpu_available: true,
        gpu_devices: [
          { model: 'A', count: 1, memory_bytes: 0 },
          { model: 'B', count: 8 },
        ],
      }),
    ).toEqual({ result: 'ok' });
  });

  it.each([
    ['gpu_available absent', { gpu_devices: ok.gpu_devices }],
    ['gpu_available null', { ...ok, gpu_available: null }],
    ['gpu_available false', { ...ok, gpu_available: false }],
    ['gpu_devices absent', { gpu_available: true }],
    ['gpu_devices null', { gpu_available: true, gpu_devices: null }],
    ['gpu_devices empty', { gpu_available: true, gpu_devices: [] }],
    ['count 0', { gpu_available: true, gpu_devices: [{ model: 'A', count: 0 }] }],
    ['count negative', { gpu_available: true, gpu_devices: [{ model: 'A', count: -1 }] }],
    ['count absent', { gpu_available: true, gpu_devices: [{ model: 'A' }] }],
    ['count null', { gpu_available: true, gpu_devices: [{ model: 'A', count: null }] }],
    ['model blank', { gpu_available: true, gpu_devices: [{ model: ' \t', count: 1 }] }],
    ['model absent', { gpu_available: true, gpu_devices: [{ count: 1 }] }],
    [
      'second device bad',
      {
        gpu_available: true,
        gpu_devices: [
          { model: 'A', count: 1 },
          { model: '', count: 1 },
        ],
      },
    ],
    [
      'missing wins over malformed',
      { gpu_available: true, gpu_devices: ['x', { model: 'A', count: 0 }] },
    ],
  ])('%s → missing', (_name, body) => {
    expect(checkGpuInfo(body).result).toBe('missing');
  });

  it.each([
    ['not an object', 'text'],
    ['an array body', [ok]],
    ['gpu_available a string', { ...ok, gpu_available: 'true' }],
    ['gpu_devices a string', { gpu_available: true, gpu_devices: 'A100' }],
    ['device not an object', { gpu_available: true, gpu_devices: ['A100'] }],
    ['model a number', { gpu_available: true, gpu_devices: [{ model: 4090, count: 1 }] }],
    ['count a string', { gpu_available: true, gpu_devices: [{ model: 'A', count: '1' }] }],
  ])('%s → malformed (left to validation)', (_name, body) => {
    expect(checkGpuInfo(body).result).toBe('malformed');
  });
});

describe('judgeStoredGpu', () => {
  it('keeps valid rows', () => {
    expect(judgeStoredGpu({ ...ok, gpu_model: 'NVIDIA A100', gpu_count: 2 })).toEqual({
      action: 'keep',
    });
  });

  it('repairs empty devices when gpu_model is known, with gpu_count or 1', () => {
    expect(
      judgeStoredGpu({ gpu_available: true, gpu_devices: [], gpu_model: 'RTX 3090', gpu_count: 2 }),
    ).toEqual({
      action: 'repair',
      devices: [{ model: 'RTX 3090', count: 2 }],
      gpuCount: 2,
    });
    expect(
      judgeStoredGpu({
        gpu_available: true,
        gpu_devices: null,
        gpu_model: 'RTX 3090',
        gpu_count: 0,
      }),
    ).toEqual({
      action: 'repair',
      devices: [{ model: 'RTX 3090', count: 1 }],
      gpuCount: 1,
    });
  });

  it('removes rows without usable GPU info', () => {
    expect(judgeStoredGpu({ gpu_available: true, gpu_devices: [], gpu_model: null }).action).toBe(
      'remove',
    );
    expect(judgeStoredGpu({ gpu_available: true, gpu_devices: [], gpu_model: '  ' }).action).toBe(
      'remove',
    );
    expect(
      judgeStoredGpu({ gpu_available: false, gpu_devices: [], gpu_model: 'A100' }).action,
    ).toBe('remove');
    expect(judgeStoredGpu({ gpu_available: false, gpu_devices: ok.gpu_devices }).action).toBe(
      'remove',
    );
    expect(
      judgeStoredGpu({
        gpu_available: true,
        gpu_devices: [{ model: 'A', count: 0 }],
        gpu_model: 'A',
      }).action,
    ).toBe('remove');
  });

  it('sums device counts', () => {
    expect(
      totalGpuCount([
        { model: 'A', count: 2 },
        { model: 'B', count: 3 },
      ]),
    ).toBe(5);
  });
});
