import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * The database file, and its -wal and -shm companions, are readable by the owner only
 * (0600): they hold password hashes and encrypted backend keys. The main file is created
 * with that mode before SQLite opens it, and SQLite gives the -wal and -shm files it creates
 * the mode of the main file; files left by an earlier version are fixed here.
 */
export function makeDatabaseFilesPrivate(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}
