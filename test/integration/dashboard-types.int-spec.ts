import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const COMMITTED = join(ROOT, 'src', 'dashboard', 'public', 'openapi.d.ts');

describe('src/dashboard/public/openapi.d.ts', () => {
  it('is what openapi-typescript makes of specs/openapi.json (run `npm run dashboard:types`)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'llmlb-dashboard-types-'));
    try {
      const out = join(dir, 'openapi.d.ts');
      const cli = join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
      execFileSync(process.execPath, [cli, join(ROOT, 'specs', 'openapi.json'), '-o', out], {
        stdio: 'pipe',
        timeout: 110_000,
      });
      expect(readFileSync(COMMITTED, 'utf8')).toBe(readFileSync(out, 'utf8'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
