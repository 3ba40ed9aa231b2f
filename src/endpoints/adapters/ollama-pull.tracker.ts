/**
 * Folds Ollama `POST /api/pull` NDJSON lines into one progress figure. Lines look like
 * `{"status":"pulling manifest"}`, `{"status":"pulling <digest>","digest":"sha256:…",
 * "total":N,"completed":M}`, `{"status":"verifying sha256 digest"}`, `{"status":"success"}`,
 * or `{"error":"…"}`. Each layer (digest) has its own total; progress is the sum over layers,
 * never moving backwards when a new layer appears.
 */
export type PullEvent =
  | { kind: 'progress'; progress: number; completed: number; total: number }
  | { kind: 'status'; status: string }
  | { kind: 'success' }
  | { kind: 'error'; message: string };

export class OllamaPullTracker {
  private readonly layers = new Map<string, { total: number; completed: number }>();
  private best = 0;

  get totalBytes(): number {
    let t = 0;
    for (const l of this.layers.values()) t += l.total;
    return t;
  }

  feed(line: unknown): PullEvent {
    if (!line || typeof line !== 'object') return { kind: 'status', status: '' };
    const o = line as Record<string, unknown>;
    if (typeof o.error === 'string' && o.error) return { kind: 'error', message: o.error };
    const status = typeof o.status === 'string' ? o.status : '';
    if (status === 'success') return { kind: 'success' };
    if (typeof o.digest === 'string' && typeof o.total === 'number' && o.total > 0) {
      const completed =
        typeof o.completed === 'number' && o.completed >= 0 ? Math.min(o.completed, o.total) : 0;
      this.layers.set(o.digest, { total: o.total, completed });
      let total = 0;
      let done = 0;
      for (const l of this.layers.values()) {
        total += l.total;
        done += l.completed;
      }
      this.best = Math.max(this.best, Math.min(0.999, done / total));
      return { kind: 'progress', progress: this.best, completed: done, total };
    }
    return { kind: 'status', status };
  }
}

/** Splits a byte stream into lines (handles lines cut across chunks). */
export class LineSplitter {
  private buf = '';
  private readonly decoder = new TextDecoder();

  push(chunk: Uint8Array): string[] {
    this.buf += this.decoder.decode(chunk, { stream: true });
    const parts = this.buf.split('\n');
    this.buf = parts.pop() ?? '';
    return parts.map((p) => p.trim()).filter((p) => p.length > 0);
  }

  end(): string[] {
    const rest = (this.buf + this.decoder.decode()).trim();
    this.buf = '';
    return rest ? [rest] : [];
  }
}
