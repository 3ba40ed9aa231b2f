import type { EndpointStatus } from './endpoint-types';
import { nextHealthState, nextProbeDelayMs, PROBE_ORDER } from './endpoint-state-machine';

const s = (status: EndpointStatus, consecutiveFailures = 0) => ({ status, consecutiveFailures });

describe('endpoint state machine (spec §5.3)', () => {
  it.each<EndpointStatus>(['pending', 'online', 'error', 'offline'])(
    '%s + success → online, failures 0',
    (from) => {
      expect(nextHealthState(s(from, 5), true, 2)).toEqual(s('online', 0));
    },
  );

  it('pending/online + failure → error with 1 failure', () => {
    expect(nextHealthState(s('pending'), false, 2)).toEqual(s('error', 1));
    expect(nextHealthState(s('online'), false, 2)).toEqual(s('error', 1));
    expect(nextHealthState(s('online'), false, 1)).toEqual(s('error', 1));
  });

  it('error + failure → offline once the budget is reached', () => {
    expect(nextHealthState(s('error', 1), false, 2)).toEqual(s('offline', 2));
    expect(nextHealthState(s('error', 1), false, 3)).toEqual(s('error', 2));
    expect(nextHealthState(s('error', 2), false, 3)).toEqual(s('offline', 3));
  });

  it('offline + failure → offline, counting', () => {
    expect(nextHealthState(s('offline', 2), false, 2)).toEqual(s('offline', 3));
  });

  it('unreachable at registration → offline directly', () => {
    expect(nextHealthState(s('pending'), false, 2, { unreachableAtRegistration: true })).toEqual(
      s('offline', 2),
    );
    // Only for a pending endpoint.
    expect(nextHealthState(s('online'), false, 2, { unreachableAtRegistration: true })).toEqual(
      s('error', 1),
    );
  });

  it('probes at the interval, offline ones with a capped exponential backoff', () => {
    expect(nextProbeDelayMs(s('online'), 30, 2, 60)).toBe(30_000);
    expect(nextProbeDelayMs(s('error', 1), 30, 2, 60)).toBe(30_000);
    expect(nextProbeDelayMs(s('offline', 2), 10, 2, 60)).toBe(10_000);
    expect(nextProbeDelayMs(s('offline', 3), 10, 2, 60)).toBe(20_000);
    expect(nextProbeDelayMs(s('offline', 4), 10, 2, 60)).toBe(40_000);
    expect(nextProbeDelayMs(s('offline', 5), 10, 2, 60)).toBe(60_000);
    expect(nextProbeDelayMs(s('offline', 500), 10, 2, 60)).toBe(60_000);
    // An interval longer than the cap is never shortened.
    expect(nextProbeDelayMs(s('offline', 9), 300, 2, 60)).toBe(300_000);
  });

  it('probes healthy endpoints first', () => {
    const order = (['offline', 'error', 'online', 'pending'] as EndpointStatus[]).sort(
      (a, b) => PROBE_ORDER[a] - PROBE_ORDER[b],
    );
    expect(order).toEqual(['online', 'pending', 'error', 'offline']);
  });
});
