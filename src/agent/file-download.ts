/**
 * Downloads one file into `<dest>.part` with HTTP Range resume, following redirects itself so
 * the hub token goes to the hub only and the hub's `X-Linked-ETag` (the SHA-256 of LFS files)
 * is seen. Verifies size and SHA-256, then renames the file into place.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rename, rm, stat } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { send } from './http';

export interface FileToFetch {
  url: string;
  dest: string;
  sizeBytes: number | null;
  sha256: string | null;
  /** `Authorization` for the first URL's origin only (HF_TOKEN to the hub). */
  authorization: string | null;
}

export class DownloadError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

const MAX_REDIRECTS = 10;
/** Until the response headers arrive; the body then streams as long as it takes. */
const CONNECT_TIMEOUT_MS = 30_000;
/** A body that sends nothing for this long fails the download (it resumes on the next try). */
const STALL_TIMEOUT_MS = 60_000;
const SHA256 = /^[0-9a-f]{64}$/i;

export async function partSize(dest: string): Promise<number> {
  try {
    return (await stat(`${dest}.part`)).size;
  } catch {
    return 0;
  }
}

async function hashFile(path: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

function etagSha(v: string | null): string | null {
  const s = (v ?? '').replace(/^W\//, '').replace(/"/g, '').trim();
  return SHA256.test(s) ? s.toLowerCase() : null;
}

async function fetchFollowing(
  file: FileToFetch,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<{ res: IncomingMessage; linkedSha: string | null }> {
  let url = file.url;
  const origin = new URL(url).origin;
  let linkedSha: string | null = null;
  for (let i = 0; i <= MAX_REDIRECTS; i++) {
    const h = { ...headers };
    if (file.authorization && new URL(url).origin === origin) h.authorization = file.authorization;
    const res = await send(url, { headers: h, signal, timeoutMs: CONNECT_TIMEOUT_MS });
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status >= 300 && status < 400 && location) {
      linkedSha ??= etagSha(header(res, 'x-linked-etag'));
      res.resume();
      url = new URL(location, url).toString();
      continue;
    }
    return { res, linkedSha };
  }
  throw new DownloadError('download_failed', `more than ${MAX_REDIRECTS} redirects`);
}

function header(res: IncomingMessage, name: string): string | null {
  const v = res.headers[name];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

/**
 * Fetches `file` (resuming `<dest>.part`), calling `onBytes(total so far, expected total)` as
 * data arrives. Resolves with the final size once the file is verified and in place.
 */
export async function downloadFile(
  file: FileToFetch,
  signal: AbortSignal,
  onBytes: (done: number, total: number | null) => void,
): Promise<number> {
  const part = `${file.dest}.part`;
  let offset = await partSize(file.dest);
  if (file.sizeBytes !== null && offset > file.sizeBytes) {
    await rm(part, { force: true });
    offset = 0;
  }
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (offset > 0) headers.range = `bytes=${offset}-`;
  const { res, linkedSha } = await fetchFollowing(file, headers, signal);
  const status = res.statusCode ?? 0;
  if (status === 416 && offset > 0 && offset === file.sizeBytes) {
    res.resume();
  } else if (status !== 200 && status !== 206) {
    res.resume();
    throw new DownloadError('download_failed', `${file.url} answered ${status}`);
  }
  if (status === 200) offset = 0; // the server ignored the Range: start over
  res.setTimeout(STALL_TIMEOUT_MS, () =>
    res.destroy(new Error(`no data for ${STALL_TIMEOUT_MS / 1000} s`)),
  );

  const hash = createHash('sha256');
  if (offset > 0) await hashFile(part, hash);
  const length = Number(header(res, 'content-length'));
  const expected =
    file.sizeBytes ??
    (status !== 416 && Number.isFinite(length) && length > 0 ? offset + length : null);
  const fh = await open(part, offset > 0 ? 'a' : 'w');
  let done = offset;
  onBytes(done, expected);
  try {
    if (status !== 416) {
      for await (const chunk of res as AsyncIterable<Buffer>) {
        await fh.write(chunk);
        hash.update(chunk);
        done += chunk.byteLength;
        onBytes(done, expected);
      }
    }
  } finally {
    await fh.close();
  }
  if (file.sizeBytes !== null && done !== file.sizeBytes) {
    await rm(part, { force: true });
    throw new DownloadError(
      'size_mismatch',
      `${file.url}: expected ${file.sizeBytes} bytes, got ${done}`,
    );
  }
  const want = (file.sha256 && etagSha(file.sha256)) ?? linkedSha;
  if (want) {
    const got = hash.digest('hex');
    if (got !== want) {
      await rm(part, { force: true });
      throw new DownloadError('checksum_mismatch', `${file.url}: SHA-256 ${got}, expected ${want}`);
    }
  }
  await rename(part, file.dest);
  return done;
}
