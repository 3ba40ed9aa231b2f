interface Entry {
  windowStart: number;
  attempts: number;
  lockedUntil: number;
  lockouts: number;
  lastSeen: number;
}

export type ThrottleDecision = { ok: true } | { ok: false; retryAfterSecs: number };

/**
 * Login attempts per key, counted BEFORE the password is checked (so concurrent guesses
 * cannot all slip through while the first ones are still being verified). `limit` attempts
 * per window; beyond that the key is locked, each further lockout twice as long as the last
 * (up to `maxLockMs`). A success clears the key. In memory, per process.
 */
export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxLockMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one attempt for `key`, or refuses it. */
  attempt(key: string): ThrottleDecision {
    const now = this.now();
    let e = this.entries.get(key);
    if (e && now - e.lastSeen > 2 * this.maxLockMs) {
      this.entries.delete(key); // long quiet: forget earlier lockouts
      e = undefined;
    }
    if (!e) {
      e = { windowStart: now, attempts: 0, lockedUntil: 0, lockouts: 0, lastSeen: now };
      this.entries.set(key, e);
      if (this.entries.size > 10_000) this.sweep(now);
    }
    e.lastSeen = now;
    if (now < e.lockedUntil) return this.refuse(e, now);
    if (now - e.windowStart >= this.windowMs) {
      e.windowStart = now;
      e.attempts = 0;
    }
    if (e.attempts >= this.limit) {
      e.lockouts += 1;
      const lockMs = Math.min(this.maxLockMs, this.windowMs * 2 ** (e.lockouts - 1));
      e.lockedUntil = now + lockMs;
      e.windowStart = e.lockedUntil;
      e.attempts = 0;
      return this.refuse(e, now);
    }
    e.attempts += 1;
    return { ok: true };
  }

  /** Gives back one attempt (a login that succeeded does not use up the budget). */
  refund(key: string): void {
    const e = this.entries.get(key);
    if (e && e.attempts > 0) e.attempts -= 1;
  }

  /** Forgets the key (after a successful login for it). */
  clear(key: string): void {
    this.entries.delete(key);
  }

  private refuse(e: Entry, now: number): ThrottleDecision {
    return { ok: false, retryAfterSecs: Math.max(1, Math.ceil((e.lockedUntil - now) / 1000)) };
  }

  private sweep(now: number): void {
    for (const [k, e] of this.entries) {
      if (now >= e.lockedUntil && now - e.lastSeen > this.windowMs) this.entries.delete(k);
    }
  }
}
