import { ProgressEstimator } from './progress-estimator';

describe('ProgressEstimator', () => {
  it('uses the reported speed and computes the ETA from the bytes left', () => {
    const e = new ProgressEstimator();
    const r = e.update({ progress: 0.5, downloadedBytes: 500, totalBytes: 1000, speedBps: 100 }, 0);
    expect(r).toEqual({ speedBps: 100, etaSeconds: 5 });
  });

  it('derives speed from downloaded bytes over time when none is reported', () => {
    const e = new ProgressEstimator();
    expect(e.update({ progress: 0, downloadedBytes: 0, totalBytes: 1000 }, 0)).toEqual({
      speedBps: null,
      etaSeconds: null,
    });
    const r = e.update({ progress: 0.2, downloadedBytes: 200, totalBytes: 1000 }, 1000);
    expect(r.speedBps).toBe(200);
    expect(r.etaSeconds).toBe(4);
  });

  it('derives the ETA from the progress rate when bytes are unknown', () => {
    const e = new ProgressEstimator();
    e.update({ progress: 0.1 }, 0);
    const r = e.update({ progress: 0.3 }, 2000);
    expect(r.speedBps).toBeNull();
    expect(r.etaSeconds).toBe(7);
  });

  it('says 0 seconds left at completion', () => {
    const e = new ProgressEstimator();
    expect(e.update({ progress: 1 }, 0).etaSeconds).toBe(0);
  });
});
