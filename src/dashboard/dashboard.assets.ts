import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';

export interface Asset {
  body: Buffer;
  contentType: string;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

/**
 * Where the static files are: beside this file once built (`dist/src/dashboard/public`,
 * copied by `scripts/copy-assets.js`), else the source tree (ts-jest, or a build without the
 * copy step).
 */
export function resolvePublicDir(dir = __dirname): string {
  const beside = join(dir, 'public');
  if (existsSync(join(beside, 'index.html'))) return beside;
  // dist/src/dashboard → package root is three levels up.
  const source = resolve(dir, '..', '..', '..', 'src', 'dashboard', 'public');
  if (existsSync(join(source, 'index.html'))) return source;
  throw new Error(`dashboard files not found in ${beside} or ${source}`);
}

/**
 * Loads every file of the public folder into memory once (the whole dashboard is a few tens
 * of kilobytes). Only names listed here are ever served, so a request cannot reach a path
 * outside the folder.
 */
export function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (sub: string) => {
    for (const name of readdirSync(join(dir, sub))) {
      const rel = sub ? `${sub}/${name}` : name;
      const full = join(dir, rel);
      if (statSync(full).isDirectory()) {
        walk(rel);
        continue;
      }
      const contentType = TYPES[extname(name).toLowerCase()];
      if (!contentType) continue;
      const body = readFileSync(full);
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
      assets.set(rel, { body, contentType, etag });
    }
  };
  walk('');
  return assets;
}
