// Kim's protocol (CNN-rand) over the benchmark sets, beside Table 2 of the paper: the numbers in the README.
import {
  BENCHMARKS,
  prepareSplit,
  type Benchmark,
  type BenchmarkName,
  type Example,
  type Split,
} from '../data/index.js';
import { KIM_TRAINING, trainOnSplit } from '../model/index.js';

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
  const ours = [
    'ours (CNN-rand)',
    ...rows.map((r) => {
      const { mean, std, n } = meanStd(r.accuracies);
      return `${(100 * mean).toFixed(1)} ± ${(100 * std).toFixed(1)} (${n} ${r.over}${n === 1 ? '' : 's'})`;
    }),
  ];
  const kim = ['Kim 2014 CNN-rand', ...rows.map((r) => BENCHMARKS[r.set].kimRand.toFixed(1))];
  const delta = [
    'difference',
    ...rows.map((r) => {
      const d = 100 * meanStd(r.accuracies).mean - BENCHMARKS[r.set].kimRand;
      return `${d >= 0 ? '+' : ''}${d.toFixed(1)}`;
    }),
  ];
  const table = [header, ours, kim, delta];
  const widths = header.map((_, c) => Math.max(...table.map((row) => (row[c] ?? '').length)));
  return table
    .map((row) =>
      row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  '),
    )
    .join('\n');
}

export interface BenchOptions {
  epochs?: number;
  batchSize?: number;
  /** First seed: a cross-validated set runs every fold with it; a set with a given split runs `seeds` seeds from it. */
  seed: number;
  seeds: number;
  patience?: number;
  workers?: number;
  log: (message: string) => void;
}

/**
 * One set under Kim's protocol: every fold given (MR, Subj; one seed), or the given split over several seeds
 * (SST, TREC). The test score of each run is taken at its best dev epoch.
 */
export async function benchSet(b: Benchmark, splits: readonly Split<Example>[], opts: BenchOptions): Promise<BenchRow> {
  const crossValidated = 'all' in b.files;
  const runs = crossValidated
    ? splits.map((split) => ({ split, seed: opts.seed }))
    : Array.from({ length: opts.seeds }, (_, i) => ({ split: splits[0] as Split<Example>, seed: opts.seed + i }));
  const accuracies: number[] = [];
  const started = performance.now();
  for (const [i, run] of runs.entries()) {
    const data = prepareSplit(run.split, { tokenizer: b.tokenizer, classes: b.labels });
    const r = await trainOnSplit(data, {
      epochs: opts.epochs ?? KIM_TRAINING.epochs,
      batchSize: opts.batchSize ?? KIM_TRAINING.batchSize,
      seed: run.seed,
      ...(opts.patience !== undefined ? { patience: opts.patience } : {}),
      workers: opts.workers ?? 1,
      log: opts.log,
    });
    r.model.dispose();
    accuracies.push(r.testAccuracy);
    const label = crossValidated ? `fold ${i + 1}/${runs.length}` : `seed ${run.seed}`;
    opts.log(
      `${b.name} ${label}: test ${(100 * r.testAccuracy).toFixed(2)}% (best dev epoch ${r.bestEpoch}, ${r.seconds.toFixed(0)} s)`,
    );
  }
  return {
    set: b.name,
    accuracies,
    over: crossValidated ? 'fold' : 'seed',
    seconds: (performance.now() - started) / 1000,
  };
}
