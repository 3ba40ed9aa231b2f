/** The agent's version: the package version, read without loading any server code. */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function packageVersion(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      try {
        return (JSON.parse(readFileSync(p, 'utf8')) as { version?: string }).version ?? '0.0.0';
      } catch {
        return '0.0.0';
      }
    }
    dir = dirname(dir);
  }
  return '0.0.0';
}

export const AGENT_VERSION = packageVersion();
