import { LoginThrottle } from './login-throttle';

describe('LoginThrottle', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('counts attempts before they are checked and refuses the one over the limit', () => {
    const t = new LoginThrottle(3, 60_000, 3_600_000, clock);
    expect([1, 2, 3].map(() => t.attempt('a|1.2.3.4').ok)).toEqual([true, true, true]);
    expect(t.attempt('a|1.2.3.4')).toEqual({ ok: false, retryAfterSecs: 60 });
    expect(t.attempt('a|5.6.7.8').ok).toBe(true); // another source address is not affected
  });

  it('backs off: each lockout lasts twice as long as the one before, up to the cap', () => {
    const t = new LoginThrottle(1, 60_000, 180_000, clock);
    t.attempt('k');
    expect(t.attempt('k')).toEqual({ ok: false, retryAfterSecs: 60 });
    now += 60_000;
    expect(t.attempt('k').ok).toBe(true);
    expect(t.attempt('k')).toEqual({ ok: false, retryAfterSecs: 120 });
    now += 120_000;
    t.attempt('k');
    expect(t.attempt('k')).toEqual({ ok: false, retryAfterSecs: 180 });
  });

  it('a refunded or cleared key gets its budget back', () => {
    const t = new LoginThrottle(1, 60_000, 3_600_000, clock);
    t.attempt('k');
    t.refund('k');
    expect(t.attempt('k').ok).toBe(true);
    t.clear('k');
    expect(t.attempt('k').ok).toBe(true);
  });
});
