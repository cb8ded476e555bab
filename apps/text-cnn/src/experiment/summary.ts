import { BENCHMARKS, type BenchmarkName } from '../data/index.js';

/** Mean and sample standard deviation (n - 1); std is 0 for a single run. */
export function meanStd(values: readonly number[]): { mean: number; std: number; n: number } {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), n };
}

export interface BenchRow {
  set: BenchmarkName;
  /** Test accuracy (0..1) of each fold or seed. */
  accuracies: number[];
  /** "fold" for cross-validated sets, "seed" for the given splits. */
  over: 'fold' | 'seed';
  seconds: number;
}

/** Our CNN-rand row beside Kim (2014) Table 2's, as a plain-text table. */
export function formatPaperTable(rows: readonly BenchRow[]): string {
  const header = ['', ...rows.map((r) => r.set)];
  const ours = ['ours (CNN-rand)', ...rows.map((r) => {
    const { mean, std, n } = meanStd(r.accuracies);
    return `${(100 * mean).toFixed(1)} ± ${(100 * std).toFixed(1)} (${n} ${r.over}${n === 1 ? '' : 's'})`;
  })];
  const kim = ['Kim 2014 CNN-rand', ...rows.map((r) => BENCHMARKS[r.set].kimRand.toFixed(1))];
  const delta = ['difference', ...rows.map((r) => {
    const d = 100 * meanStd(r.accuracies).mean - BENCHMARKS[r.set].kimRand;
    return `${d >= 0 ? '+' : ''}${d.toFixed(1)}`;
  })];
  const table = [header, ours, kim, delta];
  const widths = header.map((_, c) => Math.max(...table.map((row) => (row[c] ?? '').length)));
  return table.map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ')).join('\n');
}
