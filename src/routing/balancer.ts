/**
 * Backend selection (pure, no I/O): least outstanding requests, weighted by observed
 * throughput (tokens/s EWMA) and priority, ties broken round-robin.
 *
 * cost(b) = (inFlight + 1) / (priorityWeight × speedWeight)
 *
 * - priorityWeight = 0.5 + priority / 100 (priority 0 → 0.5, 50 → 1, 100 → 1.5): at equal load
 *   a priority-100 backend takes three times the outstanding requests of a priority-0 one.
 * - speedWeight = tokens/s ÷ mean tokens/s of the measured candidates, clamped to [0.25, 4].
 *   A backend without measurements counts as average (weight 1), so it is never starved: it
 *   gets traffic as soon as its load is not higher than the others'.
 * - Backends the proxy saw fail recently (`penalized`) are only chosen when nothing else is left.
 * - `skip(b)` leaves a candidate out entirely (offline, ejected, or no free slot).
 *
 * Selection is O(n) with two passes and no allocation; 1000 candidates take a few µs.
 */
export interface BalancerCandidate {
  id: string;
  priority: number;
  load: { inFlight: number; tokensPerSec: number | null };
}

const TIE_EPSILON = 1e-9;
const PENALTY = 1e9;

export function priorityWeight(priority: number): number {
  const p = Number.isFinite(priority) ? Math.min(100, Math.max(0, priority)) : 50;
  return 0.5 + p / 100;
}

export function speedWeight(tokensPerSec: number | null, meanTokensPerSec: number): number {
  if (tokensPerSec === null || !(tokensPerSec > 0) || !(meanTokensPerSec > 0)) return 1;
  return Math.min(4, Math.max(0.25, tokensPerSec / meanTokensPerSec));
}

export class Balancer {
  private rr = 0;

  /**
   * The best candidate not in `exclude`, or null when none is left.
   * `penalized(b)` marks backends with a recent failure (chosen last); `skip(b)` leaves one out.
   */
  pick<T extends BalancerCandidate>(
    candidates: readonly T[],
    exclude: readonly string[] = [],
    penalized?: (b: T) => boolean,
    skip?: (b: T) => boolean,
  ): T | null {
    const n = candidates.length;
    if (n === 0) return null;
    if (n === 1) {
      const only = candidates[0];
      return exclude.includes(only.id) || (skip !== undefined && skip(only)) ? null : only;
    }

    let sum = 0;
    let measured = 0;
    for (let i = 0; i < n; i++) {
      const t = candidates[i].load.tokensPerSec;
      if (t !== null && t > 0) {
        sum += t;
        measured += 1;
      }
    }
    const mean = measured > 0 ? sum / measured : 0;

    let best = Infinity;
    let ties = 0;
    let first: T | null = null;
    // First pass: the lowest cost and how many candidates share it.
    for (let i = 0; i < n; i++) {
      const b = candidates[i];
      if (exclude.length > 0 && exclude.includes(b.id)) continue;
      if (skip !== undefined && skip(b)) continue;
      const c = this.cost(b, mean, penalized);
      if (first === null || c < best - best * TIE_EPSILON) {
        best = c;
        ties = 1;
        first = b;
      } else if (Math.abs(c - best) <= best * TIE_EPSILON) {
        ties += 1;
      }
    }
    if (first === null || ties <= 1) return first;

    // Second pass: the k-th tied candidate, k advancing round-robin.
    const k = this.rr++ % ties;
    if (this.rr > 1e9) this.rr = 0;
    let seen = 0;
    for (let i = 0; i < n; i++) {
      const b = candidates[i];
      if (exclude.length > 0 && exclude.includes(b.id)) continue;
      if (skip !== undefined && skip(b)) continue;
      const c = this.cost(b, mean, penalized);
      if (Math.abs(c - best) <= best * TIE_EPSILON) {
        if (seen === k) return b;
        seen += 1;
      }
    }
    return first;
  }

  private cost<T extends BalancerCandidate>(
    b: T,
    mean: number,
    penalized?: (b: T) => boolean,
  ): number {
    const w = priorityWeight(b.priority) * speedWeight(b.load.tokensPerSec, mean);
    const c = (b.load.inFlight + 1) / w;
    return penalized && penalized(b) ? c + PENALTY : c;
  }
}
