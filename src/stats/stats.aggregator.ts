import { LabelCap } from './label-cap';
import { isErrorStatus, type RequestRecord } from './request-record';

const MINUTE = 60_000;
const WINDOW_MINUTES = 60;
/** Latency samples kept per minute for percentiles (reservoir sampling beyond this). */
const SAMPLES_PER_MINUTE = 1000;

export interface Counters {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  latencySumMs: number;
}

interface Minute extends Counters {
  start: number;
  latencies: number[];
  ttfts: number[];
}

export interface GroupStats extends Counters {
  id: string;
  name: string | null;
}

const zero = (): Counters => ({
  requests: 0,
  errors: 0,
  promptTokens: 0,
  completionTokens: 0,
  latencySumMs: 0,
});

function add(c: Counters, r: RequestRecord): void {
  c.requests += 1;
  if (isErrorStatus(r.status)) c.errors += 1;
  c.promptTokens += r.promptTokens ?? 0;
  c.completionTokens += r.completionTokens ?? 0;
  c.latencySumMs += r.latencyMs;
}

function sample(list: number[], seen: number, v: number): void {
  if (list.length < SAMPLES_PER_MINUTE) list.push(v);
  else {
    const j = Math.floor(Math.random() * seen);
    if (j < SAMPLES_PER_MINUTE) list[j] = v;
  }
}

/** The value at quantile q (0–1) of sorted values, or null when empty. */
export function quantile(sorted: number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx];
}

/**
 * In-memory request statistics: totals since start, per backend, per model, and one bucket per
 * minute for the last hour (with latency samples for p50/p95). O(1) per request.
 */
export class StatsAggregator {
  private sinceMs = Date.now();
  readonly totals = zero();
  private readonly backends = new Map<string, GroupStats>();
  private readonly models = new Map<string, GroupStats>();
  private readonly minutes: Minute[] = [];
  /** Model names come from client input: at most this many rows, then `other`. */
  private readonly modelLabels: LabelCap;

  constructor(maxModels = 1000) {
    this.modelLabels = new LabelCap(maxModels);
  }

  add(r: RequestRecord): void {
    add(this.totals, r);
    if (r.backendId) {
      let b = this.backends.get(r.backendId);
      if (!b)
        this.backends.set(r.backendId, (b = { id: r.backendId, name: r.backendName, ...zero() }));
      b.name = r.backendName ?? b.name;
      add(b, r);
    }
    if (r.modelKnown) {
      const id = this.modelLabels.label(r.model);
      let m = this.models.get(id);
      if (!m) this.models.set(id, (m = { id, name: null, ...zero() }));
      add(m, r);
    }
    const minute = this.minute(r.at + r.latencyMs);
    add(minute, r);
    sample(minute.latencies, minute.requests, r.latencyMs);
    if (r.ttftMs !== null) sample(minute.ttfts, minute.requests, r.ttftMs);
  }

  /** When the figures start: process start, or the oldest request replayed from history. */
  get since(): number {
    return this.sinceMs;
  }

  /** Adds requests recorded before this process started (history replayed at boot). */
  seed(records: Iterable<RequestRecord>): void {
    for (const r of records) {
      this.add(r);
      if (r.at < this.sinceMs) this.sinceMs = r.at;
    }
  }

  backendStats(): GroupStats[] {
    return [...this.backends.values()];
  }

  modelStats(): GroupStats[] {
    return [...this.models.values()];
  }

  /** 60 buckets, oldest first, ending with the current minute (empty minutes included). */
  lastHour(now = Date.now()): Array<Counters & { start: number; p50LatencyMs: number | null }> {
    const current = Math.floor(now / MINUTE) * MINUTE;
    const byStart = new Map(this.minutes.map((m) => [m.start, m]));
    const out = [];
    for (let i = WINDOW_MINUTES - 1; i >= 0; i--) {
      const start = current - i * MINUTE;
      const m = byStart.get(start);
      out.push({
        start,
        ...(m
          ? {
              requests: m.requests,
              errors: m.errors,
              promptTokens: m.promptTokens,
              completionTokens: m.completionTokens,
              latencySumMs: m.latencySumMs,
            }
          : zero()),
        p50LatencyMs: m
          ? quantile(
              [...m.latencies].sort((a, b) => a - b),
              0.5,
            )
          : null,
      });
    }
    return out;
  }

  /** Latency and TTFT percentiles over the last hour. */
  percentiles(now = Date.now()): {
    p50: number | null;
    p95: number | null;
    p99: number | null;
    ttftP50: number | null;
    ttftP95: number | null;
  } {
    const from = Math.floor(now / MINUTE) * MINUTE - (WINDOW_MINUTES - 1) * MINUTE;
    const lat: number[] = [];
    const ttft: number[] = [];
    for (const m of this.minutes) {
      if (m.start < from) continue;
      for (const v of m.latencies) lat.push(v);
      for (const v of m.ttfts) ttft.push(v);
    }
    lat.sort((a, b) => a - b);
    ttft.sort((a, b) => a - b);
    return {
      p50: quantile(lat, 0.5),
      p95: quantile(lat, 0.95),
      p99: quantile(lat, 0.99),
      ttftP50: quantile(ttft, 0.5),
      ttftP95: quantile(ttft, 0.95),
    };
  }

  private minute(t: number): Minute {
    const start = Math.floor(t / MINUTE) * MINUTE;
    const last = this.minutes[this.minutes.length - 1];
    if (last && last.start === start) return last;
    if (last && last.start > start) {
      // a record finishing out of order (long request): find its bucket
      const m = this.minutes.find((x) => x.start === start);
      if (m) return m;
    }
    const m: Minute = { start, latencies: [], ttfts: [], ...zero() };
    this.minutes.push(m);
    this.minutes.sort((a, b) => a.start - b.start);
    const cutoff = start - WINDOW_MINUTES * MINUTE;
    while (this.minutes.length > 0 && this.minutes[0].start <= cutoff) this.minutes.shift();
    return m;
  }
}
