// Order statistics for timings and scores: one definition of median and percentiles for every app.

/**
 * The q-quantile (0 <= q <= 1) of `values`, interpolating linearly between the two nearest order statistics (the
 * definition numpy and R use by default): the median of [1, 2, 3, 4] is 2.5, its 0.95-quantile 3.85. NaN for none.
 */
export function quantile(values: readonly number[], q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in 0..1, got ${q}`);
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  const a = sorted[lo] as number;
  return a + (at - lo) * ((sorted[hi] as number) - a);
}

/** The median of `values` (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export interface TimingSummary {
  count: number;
  median: number;
  p95: number;
  min: number;
  max: number;
  mean: number;
}

/** Count, median, 95th percentile, min, max and mean of a list of timings; null when there are none. */
export function timingSummary(values: readonly number[]): TimingSummary | null {
  if (values.length === 0) return null;
  return {
    count: values.length,
    median: median(values),
    p95: quantile(values, 0.95),
    min: Math.min(...values),
    max: Math.max(...values),
    mean: values.reduce((s, v) => s + v, 0) / values.length,
  };
}
