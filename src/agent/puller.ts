/**
 * Executes pulls handed out in heartbeat answers: fetches the manifest, checks disk space,
 * downloads each file (resumable), reports progress at least every second, stops when the
 * server says the task is finished (cancelled), and reports completed or failed.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, statfsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, join, resolve, sep } from 'node:path';
import { DownloadError, downloadFile, partSize } from './file-download';
import { describe, errorCode } from './http';
import type { AgentLog } from './log';
import type { ManifestFile, Progress, ServerClient } from './server-client';
import type { PullOrder } from './state-file';

const REPORT_EVERY_MS = 500;

export interface PullerDeps {
  server: ServerClient;
  log: AgentLog;
  modelsDir: string;
  reserveDiskBytes: number;
  hfToken: string | null;
  onDownloaded: string | null;
  /** The current node token (it changes when the agent registers again). */
  token(): string | null;
  /** Called when a pull ends, however it ends (the agent forgets it). */
  finished(taskId: string): void;
}

class Cancelled extends Error {}

/** `<models dir>/<model name segments>/<file name>`; refuses names that would leave the dir. */
export function destinationFor(modelsDir: string, model: string, filename: string): string {
  const segments = model.split('/').filter((s) => s.length > 0);
  if (segments.length === 0 || segments.some((s) => s === '.' || s === '..' || s.includes('\\')))
    throw new DownloadError('invalid_manifest', `unusable model name "${model}"`);
  const name = basename(filename);
  if (!name || name === '.' || name === '..')
    throw new DownloadError('invalid_manifest', `unusable file name "${filename}"`);
  const root = resolve(modelsDir);
  const dest = resolve(root, ...segments, name);
  if (!dest.startsWith(root + sep))
    throw new DownloadError('invalid_manifest', `"${model}" leaves the models directory`);
  return dest;
}

function freeBytes(dir: string): number | null {
  try {
    const s = statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

export class Puller {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly deps: PullerDeps) {}

  has(taskId: string): boolean {
    return this.running.has(taskId);
  }

  get count(): number {
    return this.running.size;
  }

  /** Starts a pull unless that task already runs (a repeated order is the same pull). */
  start(order: PullOrder): void {
    if (this.running.has(order.task_id)) return;
    const ac = new AbortController();
    this.running.set(order.task_id, ac);
    void this.run(order, ac).finally(() => {
      this.running.delete(order.task_id);
      this.deps.finished(order.task_id);
    });
  }

  stopAll(): void {
    for (const ac of this.running.values()) ac.abort();
  }

  private async report(taskId: string, body: Progress): Promise<'ok' | 'finished' | 'error'> {
    const token = this.deps.token();
    if (!token) return 'error';
    try {
      const r = await this.deps.server.progress(token, taskId, body);
      if (r.status === 200) return 'ok';
      if (r.status === 409 || r.status === 404 || errorCode(r) === 'task_not_owned')
        return 'finished';
      return 'error';
    } catch {
      return 'error';
    }
  }

  private async run(order: PullOrder, ac: AbortController): Promise<void> {
    const { log } = this.deps;
    const id = order.task_id;
    log.info(`pull ${id} of ${order.model} started`);
    let last: Progress = { progress: 0 };
    let cancelled = false;
    const dests: string[] = [];
    const timer = setInterval(() => {
      void this.report(id, { ...last, status: 'in_progress' }).then((r) => {
        if (r === 'finished' && !ac.signal.aborted) {
          cancelled = true;
          ac.abort(new Cancelled());
        }
      });
    }, REPORT_EVERY_MS);
    try {
      const files = await this.manifest(order);
      const plan = await Promise.all(
        files.map(async (f) => {
          const dest = destinationFor(this.deps.modelsDir, order.model, f.filename);
          return { f, dest, have: await partSize(dest) };
        }),
      );
      const total = plan.every((p) => p.f.size_bytes !== null)
        ? plan.reduce((a, p) => a + (p.f.size_bytes ?? 0), 0)
        : null;
      this.checkDisk(plan.map((p) => (p.f.size_bytes === null ? 0 : p.f.size_bytes - p.have)));

      const started = Date.now();
      const resumedFrom = plan.reduce((a, p) => a + p.have, 0);
      let before = 0;
      for (const { f, dest } of plan) {
        mkdirSync(join(dest, '..'), { recursive: true });
        dests.push(dest);
        const size = await downloadFile(
          {
            url: f.url,
            dest,
            sizeBytes: f.size_bytes,
            sha256: f.sha256 ?? null,
            authorization: this.deps.hfToken ? `Bearer ${this.deps.hfToken}` : null,
          },
          ac.signal,
          (done, fileTotal) => {
            const downloaded = before + done;
            const all = total ?? (fileTotal !== null ? before + fileTotal : null);
            const secs = (Date.now() - started) / 1000;
            last = {
              progress: all ? Math.min(0.999, downloaded / all) : 0,
              downloaded_bytes: downloaded,
              ...(all !== null ? { total_bytes: all } : {}),
              ...(secs > 0.2
                ? { speed_bps: Math.max(0, Math.round((downloaded - resumedFrom) / secs)) }
                : {}),
            };
          },
        );
        before += size;
      }
      clearInterval(timer);
      const r = await this.report(id, {
        progress: 1,
        downloaded_bytes: before,
        total_bytes: before,
        status: 'completed',
      });
      if (r === 'finished') log.info(`pull ${id}: the server had already closed the task`);
      else log.info(`pull ${id} of ${order.model} completed (${before} bytes)`);
      for (const dest of dests) this.runHook(dest, order.model);
    } catch (e) {
      clearInterval(timer);
      if (cancelled || e instanceof Cancelled || (ac.signal.aborted && !cancelled)) {
        if (cancelled) {
          for (const dest of dests) await rm(`${dest}.part`, { force: true });
          log.info(`pull ${id} stopped: the task was cancelled or closed on the server`);
        }
        return; // agent shutting down: the .part stays for a resume
      }
      const reason =
        e instanceof DownloadError ? e.message : `download_failed: ${(e as Error).message}`;
      log.error(`pull ${id} of ${order.model} failed: ${reason}`);
      await this.report(id, {
        progress: last.progress,
        ...(last.downloaded_bytes !== undefined ? { downloaded_bytes: last.downloaded_bytes } : {}),
        status: 'failed',
        error: reason.slice(0, 2000),
      });
    }
  }

  private async manifest(order: PullOrder): Promise<ManifestFile[]> {
    const token = this.deps.token();
    if (!token) throw new DownloadError('manifest_unavailable', 'the node is not registered');
    const r = await this.deps.server.manifest(token, order.manifest_url);
    if (r.status !== 200)
      throw new DownloadError('manifest_unavailable', `${order.manifest_url}: ${describe(r)}`);
    const files = (r.body as { files?: unknown } | undefined)?.files;
    if (!Array.isArray(files) || files.length === 0)
      throw new DownloadError('invalid_manifest', 'the manifest lists no files');
    return (files as Array<Partial<ManifestFile> | null>).map((f) => {
      if (!f || typeof f.filename !== 'string' || typeof f.url !== 'string')
        throw new DownloadError('invalid_manifest', 'a manifest file lacks filename or url');
      return {
        filename: f.filename,
        url: f.url,
        size_bytes:
          typeof f.size_bytes === 'number' && Number.isInteger(f.size_bytes) && f.size_bytes >= 0
            ? f.size_bytes
            : null,
        sha256: typeof f.sha256 === 'string' ? f.sha256 : null,
      };
    });
  }

  private checkDisk(needs: number[]): void {
    mkdirSync(this.deps.modelsDir, { recursive: true });
    const need = needs.reduce((a, n) => a + Math.max(0, n), 0);
    const free = freeBytes(this.deps.modelsDir);
    if (free === null) return;
    const usable = free - this.deps.reserveDiskBytes;
    if (need > usable)
      throw new DownloadError(
        'insufficient_disk',
        `${need} bytes needed in ${this.deps.modelsDir}, ${Math.max(0, usable)} available`,
      );
  }

  /** `--on-downloaded CMD`: run as `sh -c 'CMD "$1"' sh <file path>`, output to the log. */
  private runHook(path: string, model: string): void {
    const cmd = this.deps.onDownloaded;
    if (!cmd) return;
    const child = spawn('/bin/sh', ['-c', `${cmd} "$1"`, 'sh', path], {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, LLMLB_MODEL_PATH: path, LLMLB_MODEL_NAME: model },
    });
    child.on('error', (e) => this.deps.log.error(`--on-downloaded failed: ${e.message}`));
    child.on('exit', (code) => {
      if (code !== 0) this.deps.log.error(`--on-downloaded exited with status ${String(code)}`);
      else this.deps.log.info(`--on-downloaded ran for ${path}`);
    });
  }
}
