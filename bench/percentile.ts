/**
 * The `p`-th percentile (0 < p <= 100) of `values` by the nearest-rank method: the smallest value
 * with at least p% of the values at or below it, so p99 of 100 values is the 99th smallest and
 * every result is a value that was measured. NaN for no values.
 *
 * @example
 * percentile([5, 1, 3, 2, 4], 50) // 3
 */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile: p must be in (0, 100], got ${p}`);
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.ceil((p / 100) * sorted.length) - 1]!;
}

/** The median of `values` (its 50th percentile by nearest rank); NaN for none. */
export function median(values: ArrayLike<number>): number {
  return percentile(values, 50);
}
