import { isTimedOut, modelsReady, statusOnApprove, statusOnHeartbeat } from './node-state';

describe('node state machine (spec §4.2)', () => {
  it('models are ready when ready ≥ total or nothing is reported', () => {
    expect(modelsReady(null)).toBe(true);
    expect(modelsReady([2, 2])).toBe(true);
    expect(modelsReady([3, 2])).toBe(true);
    expect(modelsReady([1, 2])).toBe(false);
  });

  it('approve: online when ready, else registering', () => {
    expect(statusOnApprove(null)).toBe('online');
    expect(statusOnApprove([1, 1])).toBe('online');
    expect(statusOnApprove([0, 1])).toBe('registering');
  });

  it('pending stays pending on a heartbeat', () => {
    expect(statusOnHeartbeat('pending', { readyModels: null, initializing: false })).toBe(
      'pending',
    );
    expect(statusOnHeartbeat('pending', { readyModels: [0, 3], initializing: true })).toBe(
      'pending',
    );
  });

  it('registering becomes online only with ready models and not initializing', () => {
    expect(statusOnHeartbeat('registering', { readyModels: [2, 2], initializing: false })).toBe(
      'online',
    );
    expect(statusOnHeartbeat('registering', { readyModels: null, initializing: false })).toBe(
      'online',
    );
    expect(statusOnHeartbeat('registering', { readyModels: [1, 2], initializing: false })).toBe(
      'registering',
    );
    expect(statusOnHeartbeat('registering', { readyModels: [2, 2], initializing: true })).toBe(
      'registering',
    );
  });

  it('offline goes to registering on any heartbeat (online needs one more)', () => {
    expect(statusOnHeartbeat('offline', { readyModels: [2, 2], initializing: false })).toBe(
      'registering',
    );
  });

  it('online stays online', () => {
    expect(statusOnHeartbeat('online', { readyModels: [0, 2], initializing: true })).toBe('online');
  });

  it('only online and registering nodes time out', () => {
    expect(isTimedOut('online', 0, 60_000, 60)).toBe(true);
    expect(isTimedOut('registering', 0, 60_000, 60)).toBe(true);
    expect(isTimedOut('online', 1, 60_000, 60)).toBe(false);
    expect(isTimedOut('pending', 0, 1e9, 60)).toBe(false);
    expect(isTimedOut('offline', 0, 1e9, 60)).toBe(false);
  });
});
