// Timing summaries for match and bench: the median and the 95th percentile of per-move times, as core
// defines them for every app (linear interpolation between order statistics).
import { timingSummary } from '@cnn-lab/core';

/** Median and 95th percentile of a list of timings, null when there are none. */
export function latency(ms: readonly number[]): { median: number; p95: number } | null {
  const s = timingSummary(ms);
  return s && { median: s.median, p95: s.p95 };
}
