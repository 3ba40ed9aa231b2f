/** One raw probe result (kept in memory only). */
export interface ProbeRecord {
  at: string;
  success: boolean;
  latencyMs: number | null;
  /** Wall time of the probe, failures included. */
  durationMs: number;
  error: string | null;
  cause: string;
}
