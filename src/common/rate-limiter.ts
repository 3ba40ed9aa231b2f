/**
 * Fixed-window counters kept in memory (per process): `hit(key)` counts one event and tells
 * whether the key is over its limit for the current window.
 */
export class RateLimiter {
  private windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether `key` has already used its budget in the current window (does not count). */
  isLimited(key: string): boolean {
    const w = this.current(key);
    return w !== undefined && w.count >= this.limit;
  }

  /** Counts one event; returns false when the key was already at its limit. */
  hit(key: string): boolean {
    const now = this.now();
    let w = this.current(key);
    if (!w) {
      w = { start: now, count: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 10000) this.sweep(now);
    }
    if (w.count >= this.limit) return false;
    w.count += 1;
    return true;
  }

  /** Seconds until the window of `key` resets. */
  retryAfterSecs(key: string): number {
    const w = this.current(key);
    if (!w) return 0;
    return Math.max(1, Math.ceil((w.start + this.windowMs - this.now()) / 1000));
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private current(key: string): { start: number; count: number } | undefined {
    const w = this.windows.get(key);
    if (w && this.now() - w.start >= this.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return w;
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
  }
}
