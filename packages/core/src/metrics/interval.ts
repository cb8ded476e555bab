export interface ProportionInterval {
  /** The observed proportion successes / n. */
  p: number;
  low: number;
  high: number;
  confidence: number;
  method: 'wilson' | 'normal';
}

/**
 * Confidence interval for a proportion (a win rate, an accuracy on n test examples). Wilson's score
 * interval by default: unlike the normal (Wald) interval it stays inside [0, 1] and keeps its coverage
 * for small n or p near 0 or 1, which is where match results and small test sets live.
 */
export function proportionInterval(
  successes: number,
  n: number,
  options: { confidence?: number; method?: 'wilson' | 'normal' } = {},
): ProportionInterval {
  const confidence = options.confidence ?? 0.95;
  const method = options.method ?? 'wilson';
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n is ${n}; expected a positive integer`);
  if (!Number.isInteger(successes) || successes < 0 || successes > n) {
    throw new RangeError(`successes is ${successes}; expected an integer in 0..${n}`);
  }
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError(`confidence is ${confidence}; expected 0 < confidence < 1`);
  const z = normalQuantile(1 - (1 - confidence) / 2);
  const p = successes / n;
  if (method === 'normal') {
    const half = z * Math.sqrt((p * (1 - p)) / n);
    return { p, low: Math.max(0, p - half), high: Math.min(1, p + half), confidence, method };
  }
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { p, low: Math.max(0, centre - half), high: Math.min(1, centre + half), confidence, method };
}

/**
 * Inverse of the standard normal CDF (Acklam's rational approximation, relative error below 1.2e-9),
 * so intervals work at any confidence level, not only 95%.
 */
export function normalQuantile(q: number): number {
  if (!(q > 0 && q < 1)) throw new RangeError(`q is ${q}; expected 0 < q < 1`);
  const [a0, a1, a2, a3, a4, a5] = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const [b0, b1, b2, b3, b4] = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const [c0, c1, c2, c3, c4, c5] = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const [d0, d1, d2, d3] = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (t: number) =>
    (((((c0 * t + c1) * t + c2) * t + c3) * t + c4) * t + c5) / ((((d0 * t + d1) * t + d2) * t + d3) * t + 1);
  if (q < 0.02425) return tail(Math.sqrt(-2 * Math.log(q)));
  if (q > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - q)));
  const r = q - 0.5;
  const s = r * r;
  return (
    ((((((a0 * s + a1) * s + a2) * s + a3) * s + a4) * s + a5) * r) /
    (((((b0 * s + b1) * s + b2) * s + b3) * s + b4) * s + 1)
  );
}
