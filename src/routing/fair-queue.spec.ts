import { FairQueue } from './fair-queue';

interface W {
  caller: string;
  n: string;
}

function drainOrder(q: FairQueue<W>): string[] {
  const out: string[] = [];
  while (q.size > 0) {
    const head = q.heads().next().value as W;
    q.take(head);
    out.push(head.n);
  }
  return out;
}

describe('FairQueue', () => {
  it('serves callers round-robin and each caller first in, first out', () => {
    const q = new FairQueue<W>();
    for (const n of ['a1', 'a2', 'a3', 'a4']) q.push({ caller: 'a', n });
    for (const n of ['b1', 'b2']) q.push({ caller: 'b', n });
    q.push({ caller: 'c', n: 'c1' });
    expect(q.size).toBe(7);
    expect(drainOrder(q)).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4']);
  });

  it('removes a waiter from the middle and forgets callers with nobody left', () => {
    const q = new FairQueue<W>();
    const a2 = { caller: 'a', n: 'a2' };
    const b1 = { caller: 'b', n: 'b1' };
    q.push({ caller: 'a', n: 'a1' });
    q.push(a2);
    q.push(b1);
    expect(q.remove(a2)).toBe(true);
    expect(q.remove(a2)).toBe(false);
    expect(q.remove(b1)).toBe(true);
    expect([...q.heads()].map((w) => w.n)).toEqual(['a1']);
    expect(drainOrder(q)).toEqual(['a1']);
  });

  it('refuses to take a waiter that is not at the head of its caller', () => {
    const q = new FairQueue<W>();
    const a2 = { caller: 'a', n: 'a2' };
    q.push({ caller: 'a', n: 'a1' });
    q.push(a2);
    expect(() => q.take(a2)).toThrow(/head/);
  });
});
