import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnvSchema } from './env.schema';
import { getMetadataStorage } from 'class-validator';

const root = join(__dirname, '..', '..');

function schemaVariables(): string[] {
  const metas = getMetadataStorage().getTargetValidationMetadatas(EnvSchema, '', true, false);
  return [...new Set(metas.map((m) => m.propertyName))].sort();
}

describe('configuration docs', () => {
  const vars = schemaVariables();

  it('knows a reasonable number of variables', () => {
    expect(vars).toContain('LLMLB_PORT');
    expect(vars.length).toBeGreaterThan(20);
  });

  it.each(['docs/configuration.md', '.env.example'])(
    '%s lists every variable the server reads',
    (file) => {
      const text = readFileSync(join(root, file), 'utf8');
      const missing = vars.filter((v) => !new RegExp(`\\b${v}\\b`).test(text));
      expect(missing).toEqual([]);
    },
  );
});
