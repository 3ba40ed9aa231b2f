import { rmSync } from 'node:fs';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/load-config';
import { makeDataDir } from '../helpers/app';

describe('logs of the real application', () => {
  it('in JSON mode: one object per line, no per-module start-up lines, the admin notice', async () => {
    const dataDir = makeDataDir();
    const written: string[] = [];
    const spies = [process.stdout, process.stderr].map((s) =>
      jest.spyOn(s, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      }),
    );
    try {
      const config = loadConfig({ LLMLB_DATA_DIR: dataDir, LLMLB_LOG_FORMAT: 'json' });
      const app = await createApp(config);
      await app.listen({ host: '127.0.0.1', port: 0 });
      const res = await fetch(`${await app.getUrl()}/v0/nodes`, {
        headers: { 'x-request-id': 'log-test-1' },
      });
      expect(res.status).toBe(401);
      await app.close();
    } finally {
      spies.forEach((s) => s.mockRestore());
      rmSync(dataDir, { recursive: true, force: true });
    }
    const lines = written.join('').split('\n').filter(Boolean);
    const objects = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(objects.length).toBeGreaterThan(0);
    const contexts = objects.map((o) => o.context);
    for (const chatty of ['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory'])
      expect(contexts).not.toContain(chatty);
    expect(objects.some((o) => String(o.message).includes('generated password'))).toBe(true);
  }, 60_000);
});
