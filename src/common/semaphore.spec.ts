import { Semaphore } from './semaphore';

describe('Semaphore', () => {
  it('runs at most `limit` tasks at once, the others in order', async () => {
    const s = new Semaphore(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const gates: Array<() => void> = [];
    const tasks = [0, 1, 2, 3].map((i) =>
      s.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => gates.push(r));
        order.push(i);
        running -= 1;
      }),
    );
    await new Promise((r) => setImmediate(r));
    expect(gates).toHaveLength(2);
    while (order.length < 4) {
      gates.shift()!();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(tasks);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3]);
  });

  it('frees its place when a task fails', async () => {
    const s = new Semaphore(1);
    await expect(s.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(s.run(() => Promise.resolve(7))).resolves.toBe(7);
  });
});
