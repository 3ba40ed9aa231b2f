import { resolve } from 'node:path';
import { parseOptions } from './options';
import { destinationFor } from './puller';

describe('agent options', () => {
  it('reads flags, falls back to the environment, flags win', () => {
    const { options } = parseOptions(['--server', 'http://lb:32768/', '--interval=2', '--check'], {
      LLMLB_URL: 'http://ignored',
      LLMLB_AGENT_RUNTIME_URL: 'http://127.0.0.1:8080',
      LLMLB_NODE_KEY: 'sk_x',
      LLMLB_AGENT_DATA_DIR: '/var/lib/llmlb-agent',
      LLMLB_AGENT_GPUS: 'NVIDIA L4:2',
    });
    expect(options).toMatchObject({
      serverUrl: 'http://lb:32768',
      runtimeUrl: 'http://127.0.0.1:8080',
      key: 'sk_x',
      intervalSecs: 2,
      check: true,
      dataDir: '/var/lib/llmlb-agent',
      modelsDir: '/var/lib/llmlb-agent/models',
      gpusOverride: 'NVIDIA L4:2',
    });
  });

  it('refuses unknown flags and bad values', () => {
    expect(() => parseOptions(['--bogus'], {})).toThrow(/unknown option/);
    expect(() => parseOptions(['--interval', '0'], {})).toThrow(/positive/);
    expect(() => parseOptions(['--server', 'ftp://x'], {})).toThrow(/http/);
  });
});

describe('pull destinations', () => {
  it('stores a file under the model name in the models directory', () => {
    expect(destinationFor('/m', 'org/tiny-gguf/tiny.q4_k_m', 'tiny.Q4_K_M.gguf')).toBe(
      resolve('/m/org/tiny-gguf/tiny.q4_k_m/tiny.Q4_K_M.gguf'),
    );
  });

  it('refuses names that would leave the directory', () => {
    expect(() => destinationFor('/m', '../etc', 'x.gguf')).toThrow(/invalid_manifest/);
    expect(() => destinationFor('/m', 'a/b', '..')).toThrow(/invalid_manifest/);
  });
});
