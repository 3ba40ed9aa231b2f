/** Something waiting in a FairQueue, tagged with who asked (API key or user). */
export interface Queued {
  caller: string;
}

/**
 * Waiting requests of one model: round-robin across callers, FIFO within one caller, so one
 * client's burst cannot starve the others.
 *
 * Callers are kept in a Map whose insertion order is the rotation: the first entry is served
 * next; a served caller with more waiting moves to the end; a new caller joins at the end.
 * Push, take and remove are O(1) except removal from the middle of one caller's list.
 */
export class FairQueue<W extends Queued> {
  private readonly callers = new Map<string, W[]>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  push(w: W): void {
    const list = this.callers.get(w.caller);
    if (list) list.push(w);
    else this.callers.set(w.caller, [w]);
    this.count += 1;
  }

  /** The first waiter of every caller, in the order they are to be served. */
  *heads(): IterableIterator<W> {
    for (const list of this.callers.values()) yield list[0];
  }

  /** Removes `w`, which must be the head of its caller, and rotates that caller to the end. */
  take(w: W): void {
    const list = this.callers.get(w.caller);
    if (!list || list[0] !== w) throw new Error('FairQueue.take: not the head of its caller');
    list.shift();
    this.count -= 1;
    this.callers.delete(w.caller);
    if (list.length > 0) this.callers.set(w.caller, list);
  }

  /** Removes a waiter wherever it is (timeout, client gone); false when it was not queued. */
  remove(w: W): boolean {
    const list = this.callers.get(w.caller);
    if (!list) return false;
    const i = list.indexOf(w);
    if (i < 0) return false;
    list.splice(i, 1);
    this.count -= 1;
    if (list.length === 0) this.callers.delete(w.caller);
    return true;
  }
}
