import { readdirSync, readFileSync } from 'node:fs';
import type * as tf from '@tensorflow/tfjs';
import { createTrainer, type TrainerOptions } from './trainer.js';
import type { ArrayBatch } from './types.js';

export interface SpeedupRow {
  workers: number;
  /** Wall-clock per training step: what a user waits, and what other load on the machine inflates. */
  stepMs: number;
  examplesPerSecond: number;
  /** CPU per step of this process's busiest threads, read from /proc (Linux): independent of other load. */
  mainThreadMs: number;
  workerThreadMs: number[];
  /**
   * The step on idle cores, estimated: the main thread computes its shard while the workers compute theirs, then
   * merges and updates, so at least the busier of the main thread's CPU (its shard and the merge) and the busiest
   * worker's. With 1 thread, the main thread's alone.
   */
  criticalPathMs: number;
}

/** CPU ms of each thread of this process (utime + stime, 10 ms clock ticks); empty where /proc is absent. */
function threadCpuMs(): Map<string, number> {
  const out = new Map<string, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, (Number(fields[11]) + Number(fields[12])) * 10);
    }
  } catch {
    // Not Linux: only wall-clock figures.
  }
  return out;
}

/**
 * Times createTrainer steps of fresh copies of a model with each worker count (alternate them, e.g.
 * [1, 2, 1, 2], to spread drifting load). Two warm-up steps each are not timed.
 */
export async function measureWorkerSpeedup(
  buildModel: () => tf.LayersModel,
  batch: ArrayBatch,
  options: {
    workerCounts?: number[];
    steps?: number;
    onRow?: (row: SpeedupRow) => void;
    /** The optimizer and row tables for each fresh model (default Adam, 1e-3, no row tables). */
    trainer?: (model: tf.LayersModel) => Pick<TrainerOptions, 'optimizer' | 'rowTables'>;
  } = {},
): Promise<SpeedupRow[]> {
  const steps = options.steps ?? 8;
  const rows: SpeedupRow[] = [];
  for (const count of options.workerCounts ?? [1, 2]) {
    const model = buildModel();
    const trainer = await createTrainer(model, {
      optimizer: { name: 'adam', learningRate: 1e-3 },
      ...options.trainer?.(model),
      workers: count,
      onFallback: (why) => {
        throw new Error(why);
      },
    });
    try {
      await trainer.step(batch);
      await trainer.step(batch);
      const before = threadCpuMs();
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) await trainer.step(batch);
      const stepMs = (performance.now() - t0) / steps;
      const after = threadCpuMs();
      const perThread = [...after].map(([tid, ms]) => ({ tid, ms: (ms - (before.get(tid) ?? 0)) / steps }));
      const mainThreadMs = perThread.find((t) => t.tid === String(process.pid))?.ms ?? 0;
      // The busiest other threads are the workers, one fewer than the threads computing (V8's helpers use a few ms).
      const workerThreadMs = perThread
        .filter((t) => t.tid !== String(process.pid))
        .map((t) => t.ms)
        .sort((a, b) => b - a)
        .slice(0, trainer.workers - 1);
      const row: SpeedupRow = {
        workers: trainer.workers,
        stepMs: Math.round(stepMs),
        examplesPerSecond: Math.round((batch.ys.length * 1000) / stepMs),
        mainThreadMs: Math.round(mainThreadMs),
        workerThreadMs: workerThreadMs.map(Math.round),
        criticalPathMs: Math.round(Math.max(mainThreadMs, workerThreadMs[0] ?? 0)),
      };
      rows.push(row);
      options.onRow?.(row);
    } finally {
      await trainer.dispose();
    }
  }
  return rows;
}
