/**
 * Runs async work one at a time per key: a call waits for every earlier call with the same key
 * (whether it succeeded or failed); different keys run concurrently. A key holds memory only
 * while work for it is queued.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      return await run;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Keys with work queued or running (observability and tests). */
  get size(): number {
    return this.tails.size;
  }
}
