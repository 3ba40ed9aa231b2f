/**
 * Copies the dashboard's static files next to the compiled code (tsc emits only .ts output).
 * Runs as `node dist/scripts/copy-assets.js` after the build.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
const from = join(root, 'src', 'dashboard', 'public');
const to = join(root, 'dist', 'src', 'dashboard', 'public');
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true });
