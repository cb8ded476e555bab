// Timing summaries for match and bench: the median and the 95th percentile of per-move times.

/** Median and 95th percentile of a list of timings, null when there are none. */
export function latency(ms: readonly number[]): { median: number; p95: number } | null {
  if (ms.length === 0) return null;
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
  return { median: at(0.5), p95: at(0.95) };
}
