/** The label every value beyond the cap is counted under. */
export const OVERFLOW_LABEL = 'other';
/** Longest label value kept; longer values are cut (they come from client input). */
export const MAX_LABEL_LENGTH = 200;

/**
 * Bounds the distinct values of one label taken from client input (model names): the first
 * `limit` distinct values keep their own label for the life of the process, every later new
 * value is counted under `other`. O(1) per call, memory bounded by `limit`.
 */
export class LabelCap {
  private readonly seen = new Set<string>();

  constructor(readonly limit: number) {}

  label(value: string): string {
    const v = value.length > MAX_LABEL_LENGTH ? value.slice(0, MAX_LABEL_LENGTH) : value;
    if (this.seen.has(v)) return v;
    if (this.seen.size >= this.limit) return OVERFLOW_LABEL;
    this.seen.add(v);
    return v;
  }

  /** Distinct values holding their own label. */
  get size(): number {
    return this.seen.size;
  }
}
