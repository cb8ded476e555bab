import type { BenchNetName } from './nets.js';

/** One line of the benchmark's --json result. */
export interface BenchRow {
  net: BenchNetName;
  framework: 'tfjs' | 'pytorch';
  backend: string;
  workers: number;
  forwardMs: number | null;
  trainStepMs: number | null;
  /** CPU time of the process per forward pass / step (1-worker and PyTorch rows; all threads summed). */
  forwardCpuMs?: number | null;
  trainStepCpuMs?: number | null;
  /** Per core: 2 x multiply-adds of the step's convolutions and matrix products / step CPU time (all threads). */
  stepGflops?: number | null;
  /** With `--rounds`: the step time of each round (trainStepMs is their median). */
  roundsTrainStepMs?: (number | null)[];
  /** tfjs time / PyTorch time at the same worker (thread) count, for training (forward when training is absent). */
  ratioToPytorch?: { forward: number | null; trainStep: number | null; trainStepCpu?: number | null };
  note?: string;
}

/** Adds to each tfjs row its time over PyTorch's for the same net and the same number of threads. */
export function withRatios(rows: BenchRow[]): BenchRow[] {
  return rows.map((row) => {
    if (row.framework !== 'tfjs') return row;
    const torch = rows.find((r) => r.framework === 'pytorch' && r.net === row.net && r.workers === row.workers);
    if (!torch) return row;
    const ratio = (a: number | null, b: number | null) => (a !== null && b !== null && b > 0 ? round(a / b) : null);
    return {
      ...row,
      ratioToPytorch: {
        forward: ratio(row.forwardMs, torch.forwardMs),
        trainStep: ratio(row.trainStepMs, torch.trainStepMs),
        trainStepCpu: ratio(row.trainStepCpuMs ?? null, torch.trainStepCpuMs ?? null),
      },
    };
  });
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** A fixed-width table of every row, with the ratio columns and any note. */
export function formatTable(rows: BenchRow[]): string {
  const head = [
    'net',
    'framework',
    'backend',
    'workers',
    'forward ms',
    'train step ms',
    'step cpu ms',
    'GFLOP/s/core',
    'fwd x torch',
    'train x torch',
    'cpu x torch',
    'note',
  ];
  const fmt = (x: number | null | undefined) => (x === null || x === undefined ? '-' : x.toFixed(x >= 100 ? 0 : 1));
  const ratio = (x: number | null | undefined) => (x === null || x === undefined ? '' : `${x.toFixed(2)}x`);
  const body = rows.map((r) => [
    r.net,
    r.framework,
    r.backend,
    String(r.workers),
    fmt(r.forwardMs),
    fmt(r.trainStepMs),
    fmt(r.trainStepCpuMs),
    fmt(r.stepGflops),
    ratio(r.ratioToPytorch?.forward),
    ratio(r.ratioToPytorch?.trainStep),
    ratio(r.ratioToPytorch?.trainStepCpu),
    r.note ?? '',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= 3 && i <= 10 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
