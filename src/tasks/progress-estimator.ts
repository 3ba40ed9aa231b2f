/** Speed and ETA from successive progress samples (pure; one instance per task). */
export interface ProgressSample {
  /** 0–1. */
  progress: number;
  downloadedBytes?: number | null;
  totalBytes?: number | null;
  /** Reported speed in bytes per second, when the reporter knows it. */
  speedBps?: number | null;
  /** Reported ETA, when the reporter knows it. */
  etaSeconds?: number | null;
}

export interface Estimate {
  speedBps: number | null;
  etaSeconds: number | null;
}

const ALPHA = 0.3;

export class ProgressEstimator {
  private lastAt: number | null = null;
  private lastProgress = 0;
  private lastBytes: number | null = null;
  private byteRate: number | null = null;
  private progressRate: number | null = null;

  /** Feeds one sample observed at `now` (ms) and returns the current estimate. */
  update(s: ProgressSample, now: number): Estimate {
    if (this.lastAt !== null) {
      const dt = (now - this.lastAt) / 1000;
      if (dt > 0) {
        const dp = s.progress - this.lastProgress;
        if (dp >= 0) this.progressRate = ewma(this.progressRate, dp / dt);
        if (
          s.downloadedBytes != null &&
          this.lastBytes != null &&
          s.downloadedBytes >= this.lastBytes
        ) {
          this.byteRate = ewma(this.byteRate, (s.downloadedBytes - this.lastBytes) / dt);
        }
      }
    }
    this.lastAt = now;
    this.lastProgress = s.progress;
    this.lastBytes = s.downloadedBytes ?? null;

    let speed = s.speedBps != null && s.speedBps >= 0 ? s.speedBps : this.byteRate;
    if (speed == null && this.progressRate != null && s.totalBytes)
      speed = this.progressRate * s.totalBytes;

    let eta: number | null = s.etaSeconds != null && s.etaSeconds >= 0 ? s.etaSeconds : null;
    if (eta == null) {
      if (s.progress >= 1) eta = 0;
      else if (speed && speed > 0 && s.totalBytes != null && s.downloadedBytes != null) {
        eta = Math.max(0, (s.totalBytes - s.downloadedBytes) / speed);
      } else if (this.progressRate && this.progressRate > 0) {
        eta = (1 - s.progress) / this.progressRate;
      }
    }
    return {
      speedBps: speed != null ? round(speed) : null,
      etaSeconds: eta != null ? Math.round(eta) : null,
    };
  }
}

function ewma(prev: number | null, v: number): number {
  return prev == null ? v : prev + ALPHA * (v - prev);
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
