import { KeyedMutex } from './keyed-mutex';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('KeyedMutex', () => {
  it('runs work of one key one at a time, in call order, even after a failure', async () => {
    const m = new KeyedMutex();
    const gate = deferred();
    const log: string[] = [];
    const a = m.run('k', async () => {
      log.push('a start');
      await gate.promise;
      log.push('a end');
      throw new Error('a failed');
    });
    const b = m.run('k', () => {
      log.push('b');
      return Promise.resolve('b done');
    });
    await Promise.resolve();
    expect(log).toEqual(['a start']);
    gate.resolve();
    await expect(a).rejects.toThrow('a failed');
    await expect(b).resolves.toBe('b done');
    expect(log).toEqual(['a start', 'a end', 'b']);
    expect(m.size).toBe(0);
  });

  it('lets different keys run at the same time', async () => {
    const m = new KeyedMutex();
    const gate = deferred();
    const a = m.run('a', () => gate.promise.then(() => 'a'));
    await expect(m.run('b', () => Promise.resolve('b'))).resolves.toBe('b');
    expect(m.size).toBe(1);
    gate.resolve();
    await expect(a).resolves.toBe('a');
    expect(m.size).toBe(0);
  });
});
