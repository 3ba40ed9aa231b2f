import { Balancer, BalancerCandidate, priorityWeight, speedWeight } from './balancer';

function cand(
  id: string,
  inFlight = 0,
  tokensPerSec: number | null = null,
  priority = 50,
): BalancerCandidate {
  return { id, priority, load: { inFlight, tokensPerSec } };
}

/** Simulates `rounds` requests that each stay outstanding until `hold` newer ones started. */
function simulate(
  b: Balancer,
  cands: BalancerCandidate[],
  rounds: number,
  hold: number,
): Map<string, number> {
  const counts = new Map<string, number>();
  const open: BalancerCandidate[] = [];
  for (let i = 0; i < rounds; i++) {
    const c = b.pick(cands)!;
    c.load.inFlight += 1;
    counts.set(c.id, (counts.get(c.id) ?? 0) + 1);
    open.push(c);
    if (open.length > hold) open.shift()!.load.inFlight -= 1;
  }
  return counts;
}

describe('Balancer', () => {
  it('returns null without candidates and skips excluded ones', () => {
    const b = new Balancer();
    expect(b.pick([])).toBeNull();
    expect(b.pick([cand('a')], ['a'])).toBeNull();
    expect(b.pick([cand('a'), cand('b')], ['a'])!.id).toBe('b');
    expect(b.pick([cand('a'), cand('b'), cand('c')], ['a', 'b'])!.id).toBe('c');
  });

  it('breaks ties round-robin', () => {
    const b = new Balancer();
    const cs = [cand('a'), cand('b'), cand('c')];
    const ids = Array.from({ length: 6 }, () => b.pick(cs)!.id);
    expect(ids).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('prefers the backend with the fewest outstanding requests', () => {
    const b = new Balancer();
    expect(b.pick([cand('a', 3), cand('b', 1), cand('c', 2)])!.id).toBe('b');
  });

  it('spreads concurrent load evenly over equal backends', () => {
    const b = new Balancer();
    const cs = [cand('a'), cand('b'), cand('c'), cand('d')];
    const counts = simulate(b, cs, 4000, 16);
    for (const id of ['a', 'b', 'c', 'd']) expect(counts.get(id)).toBe(1000);
  });

  it('sends more traffic to faster backends (tokens/s EWMA)', () => {
    const b = new Balancer();
    const cs = [cand('fast', 0, 200), cand('slow', 0, 50)];
    const counts = simulate(b, cs, 5000, 20);
    const ratio = counts.get('fast')! / counts.get('slow')!;
    expect(ratio).toBeGreaterThan(2);
  });

  it('does not starve an unmeasured backend next to measured ones', () => {
    const b = new Balancer();
    const cs = [cand('measured1', 0, 100), cand('measured2', 0, 120), cand('new', 0, null)];
    const counts = simulate(b, cs, 3000, 12);
    expect(counts.get('new')).toBeGreaterThan(600);
    // and a backend with no traffic at all is picked first when the others are busy
    expect(b.pick([cand('busy', 2, 500), cand('idle', 0, null)])!.id).toBe('idle');
  });

  it('gives higher priority more traffic', () => {
    const b = new Balancer();
    const cs = [cand('high', 0, null, 100), cand('low', 0, null, 0)];
    const counts = simulate(b, cs, 4000, 16);
    expect(counts.get('high')! / counts.get('low')!).toBeGreaterThan(2);
    expect(priorityWeight(100)).toBeGreaterThan(priorityWeight(50));
    expect(priorityWeight(NaN)).toBe(1);
  });

  it('chooses penalized backends only when nothing else is left', () => {
    const b = new Balancer();
    const cs = [cand('bad', 0), cand('good', 5)];
    const isBad = (c: BalancerCandidate) => c.id === 'bad';
    expect(b.pick(cs, [], isBad)!.id).toBe('good');
    expect(b.pick(cs, ['good'], isBad)!.id).toBe('bad');
  });

  it('clamps the speed weight', () => {
    expect(speedWeight(null, 100)).toBe(1);
    expect(speedWeight(1000, 10)).toBe(4);
    expect(speedWeight(1, 1000)).toBe(0.25);
  });

  it('finds the least loaded of 1000 candidates (timing is measured by bench/proxy.js)', () => {
    const b = new Balancer();
    const cs = Array.from({ length: 1000 }, (_, i) => cand(`b${i}`, 3 + (i % 7), 100));
    cs[637].load.inFlight = 0;
    expect(b.pick(cs)!.id).toBe('b637');
  });
});
