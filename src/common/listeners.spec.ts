import { Listeners } from './listeners';

describe('Listeners', () => {
  it('calls every listener in order and logs, not throws, a failing one', () => {
    const errors: string[] = [];
    const l = new Listeners<[string, number]>('probe', { error: (m: string) => errors.push(m) });
    const seen: string[] = [];
    l.add((a, n) => seen.push(`1:${a}${n}`));
    l.add(() => {
      throw new Error('boom');
    });
    l.add((a, n) => seen.push(`3:${a}${n}`));
    expect(l.size).toBe(3);
    expect(() => l.emit('x', 1)).not.toThrow();
    expect(seen).toEqual(['1:x1', '3:x1']);
    expect(errors).toEqual(['probe listener failed: boom']);
  });
});
