import type { EndpointStatus } from './endpoint-types';

export interface HealthState {
  status: EndpointStatus;
  consecutiveFailures: number;
}

/**
 * The endpoint state machine of spec §5.3.
 *
 * | from               | probe   | to                                                    |
 * |--------------------|---------|-------------------------------------------------------|
 * | any                | success | online, failures = 0                                  |
 * | pending / online   | failure | error, failures = 1                                   |
 * | error              | failure | offline once failures ≥ failuresForOffline, else error |
 * | offline            | failure | offline                                               |
 *
 * `unreachableAtRegistration`: detection found that nothing answers a freshly registered (or
 * re-pointed) endpoint; spec §5.1 accepts it directly as offline.
 */
export function nextHealthState(
  prev: HealthState,
  success: boolean,
  failuresForOffline: number,
  opts: { unreachableAtRegistration?: boolean } = {},
): HealthState {
  if (success) return { status: 'online', consecutiveFailures: 0 };
  const failures = prev.consecutiveFailures + 1;
  if (opts.unreachableAtRegistration && prev.status === 'pending') {
    return { status: 'offline', consecutiveFailures: Math.max(failures, failuresForOffline) };
  }
  switch (prev.status) {
    case 'pending':
    case 'online':
      return { status: 'error', consecutiveFailures: 1 };
    case 'error':
      return {
        status: failures >= failuresForOffline ? 'offline' : 'error',
        consecutiveFailures: failures,
      };
    case 'offline':
      return { status: 'offline', consecutiveFailures: failures };
  }
}

/**
 * Delay until the next scheduled probe: the endpoint's own interval, and for offline endpoints
 * an exponential backoff (interval × 2^k) capped at max(interval, offlineBackoffMaxSecs).
 */
export function nextProbeDelayMs(
  state: HealthState,
  intervalSecs: number,
  failuresForOffline: number,
  offlineBackoffMaxSecs: number,
): number {
  const base = intervalSecs * 1000;
  if (state.status !== 'offline') return base;
  const k = Math.min(20, Math.max(0, state.consecutiveFailures - failuresForOffline));
  return Math.min(Math.max(base, offlineBackoffMaxSecs * 1000), base * 2 ** k);
}

/** Order in which due endpoints are probed: healthy ones first, so dead ones never hold them up. */
export const PROBE_ORDER: Record<EndpointStatus, number> = {
  online: 0,
  pending: 1,
  error: 2,
  offline: 3,
};
