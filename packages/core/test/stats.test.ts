import { describe, expect, it } from 'vitest';
import { median, quantile, timingSummary } from '../src/util/index.js';

describe('median, quantile, timingSummary', () => {
  it('interpolate between order statistics, whatever the input order', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.95)).toBeCloseTo(3.85, 12);
    expect(quantile([5], 0.95)).toBe(5);
    expect(quantile([10, 0], 0)).toBe(0);
    expect(quantile([10, 0], 1)).toBe(10);
    expect(median([])).toBeNaN();
    expect(() => quantile([1], 1.5)).toThrow(RangeError);
  });

  it('sum up timings: 20 values 1..20 have median 10.5 and p95 19.05', () => {
    const ms = Array.from({ length: 20 }, (_, i) => 20 - i);
    expect(timingSummary(ms)).toEqual({
      count: 20,
      median: 10.5,
      p95: expect.closeTo(19.05, 12) as number,
      min: 1,
      max: 20,
      mean: 10.5,
    });
    expect(timingSummary([])).toBeNull();
  });

  it("do not reorder the caller's array", () => {
    const xs = [3, 1, 2];
    median(xs);
    expect(xs).toEqual([3, 1, 2]);
  });
});
