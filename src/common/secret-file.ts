import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Reads a secret kept in a file of the data directory, creating it (mode 0600) with
 * `generate()` the first time. Returns the value and whether it was just created.
 */
export function readOrCreateSecretFile(
  path: string,
  generate: () => string,
): { value: string; created: boolean } {
  if (existsSync(path)) {
    return { value: readFileSync(path, 'utf8').trim(), created: false };
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const value = generate();
  writeFileSync(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  return { value, created: true };
}
