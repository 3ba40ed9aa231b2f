import { skipWhileRunning } from './skip-while-running';

describe('skipWhileRunning', () => {
  it('skips calls made while a run is in progress, then runs again', async () => {
    let release!: () => void;
    let runs = 0;
    const tick = skipWhileRunning(
      () => {
        runs++;
        return new Promise<void>((r) => (release = r));
      },
      () => undefined,
    );
    const first = tick();
    await tick();
    expect(runs).toBe(1);
    release();
    await first;
    const second = tick();
    expect(runs).toBe(2);
    release();
    await second;
  });

  it('reports a failure instead of rejecting, and runs again afterwards', async () => {
    const errors: string[] = [];
    let fail = true;
    const tick = skipWhileRunning(
      () => (fail ? Promise.reject(new Error('boom')) : Promise.resolve()),
      (e) => errors.push(e.message),
    );
    await expect(tick()).resolves.toBeUndefined();
    fail = false;
    await tick();
    expect(errors).toEqual(['boom']);
  });
});
