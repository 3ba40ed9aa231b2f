import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The agent runs on GPU machines beside the runtime: it must start fast and stay small, so it
 * imports only node built-ins and its own files — never Nest, TypeORM or server modules.
 */
describe('agent imports', () => {
  const files = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));

  const importsOf = (file: string) =>
    [
      ...readFileSync(join(__dirname, file), 'utf8').matchAll(
        /(?:from\s+|import\s*\(\s*|require\s*\(\s*)'([^']+)'/g,
      ),
    ].map((m) => m[1]);

  it('has its files, and sees their imports', () => {
    expect(files).toEqual(expect.arrayContaining(['main.ts', 'agent.ts', 'gpu-parsers.ts']));
    expect(importsOf('agent.ts')).toEqual(expect.arrayContaining(['node:net', './gpu-detect']));
  });

  it.each(files)('%s imports only node built-ins and ./ files', (file) => {
    const specs = importsOf(file);
    expect(specs.filter((s) => !s.startsWith('node:') && !/^\.\/[\w.-]+$/.test(s))).toEqual([]);
  });
});
