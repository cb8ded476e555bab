import { availableParallelism } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { classCount, validateBatch } from './batch.js';
import { applyGradients, computeGradients } from './gradients.js';
import { toOptimizer, type OptimizerLike } from './optimizer.js';
import { WorkerPool } from './pool.js';
import { acceptsRowGradients, denseFromRows, mergePatches, type RowPatch } from './rows.js';
import { stepSeed } from './seed.js';
import { rowPatchOf, shardResult } from './shard-result.js';
import type { ArrayBatch, StepResult } from './types.js';

export interface TrainerOptions {
  optimizer: OptimizerLike;
  /**
   * Threads that compute gradients: 1 trains in this thread, n uses this one and n - 1 worker threads; 'auto'
   * (the default) one per core, at most `maxWorkers`. More than one needs a backend that runs in a worker (wasm or
   * cpu).
   */
  workers?: number | 'auto';
  maxWorkers?: number;
  /** Fixes the dropout masks of every step. */
  seed?: number;
  /**
   * Variable names of embedding tables (rows x width) whose gradient is zero outside the rows a batch used
   * and which the optimizer changes only on rows with a non-zero gradient, possibly in place (a row-wise
   * optimizer such as text-cnn's). With workers, only those rows cross between threads each step, not the
   * whole table (24 MB for 20,000 words x 300). Required for an optimizer that writes a table in place.
   */
  rowTables?: readonly string[];
  /** Called once if workers could not start and training goes on in this thread. */
  onFallback?: (reason: string) => void;
}

export interface Trainer {
  readonly optimizer: tf.Optimizer;
  /** Threads actually computing gradients (1: this thread alone). */
  readonly workers: number;
  /** One optimisation step on one batch; `globalStep` picks the dropout masks (defaults to a counter). */
  step(batch: ArrayBatch, globalStep?: number): Promise<StepResult>;
  dispose(): Promise<void>;
}

export function resolveWorkerCount(workers: number | 'auto' | undefined, maxWorkers = 8): number {
  if (workers === undefined || workers === 'auto') return Math.max(1, Math.min(availableParallelism(), maxWorkers));
  if (!Number.isInteger(workers) || workers < 1)
    throw new Error(`workers must be a whole number >= 1 or 'auto', got ${workers}`);
  return workers;
}

/** Layers that draw fresh random numbers on every training call (tfjs-layers class names). */
const NOISE_LAYERS = new Set(['Dropout', 'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout']);

/**
 * Refuses a model with a seeded noise layer. tfjs re-creates the generator from a layer's `seed` on every
 * call, so `dropout({ seed })` drops the same units at every step, which is not dropout at all. Unseeded
 * layers draw their seed from Math.random, which the trainer seeds per step (stepSeed): runs still repeat.
 */
export function assertFreshNoise(model: tf.LayersModel): void {
  const visit = (layers: tf.layers.Layer[]): void => {
    for (const layer of layers) {
      const inner = (layer as unknown as { layers?: tf.layers.Layer[] }).layers;
      if (Array.isArray(inner)) visit(inner);
      const seed = NOISE_LAYERS.has(layer.getClassName()) ? layer.getConfig()['seed'] : undefined;
      if (seed !== undefined && seed !== null) {
        throw new Error(
          `layer '${layer.name}' (${layer.getClassName()}) has a fixed seed ${String(seed)}: tfjs would draw the same mask at every training step; build it without a seed (the trainer seeds each step)`,
        );
      }
    }
  };
  visit(model.layers);
}

/** sum = a * sum + b * g (g null: sum = a * sum), in place; one function, so V8 optimises the loop once. */
function scaleAdd(sum: Float32Array, a: number, g: Float32Array | null, b: number): void {
  const n = sum.length;
  if (g === null) {
    for (let k = 0; k < n; k++) sum[k] = a * (sum[k] as number);
    return;
  }
  if (g.length !== n) throw new Error(`gradient of ${g.length} values, expected ${n}`);
  for (let k = 0; k < n; k++) sum[k] = a * (sum[k] as number) + b * (g[k] as number);
}

/** Where each named row table sits in model.weights and in model.trainableWeights. */
function rowTableIndices(model: tf.LayersModel, names: readonly string[]): { weight: number; trainable: number }[] {
  return names.map((name) => {
    const weight = model.weights.findIndex((w) => (w.read() as tf.Variable).name === name);
    const trainable = model.trainableWeights.findIndex((w) => (w.read() as tf.Variable).name === name);
    if (weight < 0 || trainable < 0) throw new Error(`rowTables: ${name} is not a trainable weight of the model`);
    const shape = (model.weights[weight] as tf.LayerVariable).shape;
    if (shape.length !== 2) throw new Error(`rowTables: ${name} is not a table (shape ${JSON.stringify(shape)})`);
    return { weight, trainable };
  });
}

/**
 * The training step on its own, for fit and for benchmarks. With n threads every step sends the current weights
 * and 1/n of the batch to each of n - 1 workers, computes the first shard here meanwhile, averages the gradients
 * weighted by shard size and applies them once here, so the result equals one-thread training up to float
 * rounding.
 */
export async function createTrainer(model: tf.LayersModel, options: TrainerOptions): Promise<Trainer> {
  assertFreshNoise(model);
  const optimizer = toOptimizer(options.optimizer);
  const classes = classCount(model);
  const seed = options.seed ?? 0;
  let counter = 0;
  let count = resolveWorkerCount(options.workers, options.maxWorkers);
  const backend = tf.getBackend();
  // tfjs-node already uses every core inside one op.
  if (count > 1 && backend === 'tensorflow') count = 1;

  const tables = rowTableIndices(model, options.rowTables ?? []);
  const rowTrainable = model.trainableWeights.map((_, i) => tables.some((t) => t.trainable === i));
  let pool: WorkerPool | null = null;
  if (count > 1) {
    try {
      // This thread computes a shard too: count threads need count - 1 workers.
      pool = await WorkerPool.start(
        model,
        count - 1,
        backend,
        tables.map((t) => t.weight),
      );
    } catch (err) {
      options.onFallback?.(
        `gradient workers unavailable (${err instanceof Error ? err.message : String(err)}); training in one thread`,
      );
      count = 1;
    }
  }

  // The row tables' variable names: their gradients are read at the rows their layers gathered, nothing else.
  const rowNames = new Set(tables.map((t) => (model.weights[t.weight]?.read() as tf.Variable).name));
  const sink = acceptsRowGradients(optimizer) ? optimizer : null;

  async function stepInProcess(batch: ArrayBatch, s: number): Promise<StepResult> {
    const r = computeGradients(model, batch, classes, s, sink ? rowNames : new Set());
    try {
      // A row-wise optimizer takes a table's gradient as the rows its layer gathered, not as the whole table.
      const grads = r.grads.map((g, i) => {
        if (!sink || !rowTrainable[i]) return g;
        const name = (model.trainableWeights[i]?.read() as tf.Variable).name;
        sink.applyRowGradients(name, rowPatchOf(g, r.rowsGathered.get(name)));
        return null;
      });
      applyGradients(model, optimizer, grads);
    } finally {
      r.grads.forEach((g) => g.dispose());
    }
    return { loss: r.loss, accuracy: r.count ? r.correct / r.count : 0, count: r.count };
  }

  async function stepWithWorkers(p: WorkerPool, batch: ArrayBatch, globalStep: number): Promise<StepResult> {
    validateBatch(batch, classes);
    const weights = model.weights.map((w) => w.read() as tf.Variable);
    const results = await p.gradients(
      weights,
      batch,
      (replica) => stepSeed(seed, globalStep, replica),
      (shard, s) => shardResult(model, computeGradients(model, shard, classes, s, rowNames), rowTrainable, -1),
    );
    const total = results.reduce((a, r) => a + r.count, 0);
    const trainable = model.trainableWeights;
    const changedRows = new Map<number, Int32Array>();
    const rowGrads: { name: string; patch: RowPatch }[] = [];
    const averaged = trainable.map((w, i) => {
      const table = tables.find((t) => t.trainable === i);
      if (table) {
        const merged = mergePatches(
          results.map((r) => ({ patch: r.grads[i] as RowPatch, scale: r.count / total })),
          w.shape[1] as number,
        );
        changedRows.set(table.weight, merged.rows);
        if (sink) {
          rowGrads.push({ name: (w.read() as tf.Variable).name, patch: merged });
          return null;
        }
        const [n, width] = w.shape as [number, number];
        return tf.tensor(denseFromRows(merged, n, width), w.shape as number[]);
      }
      // Accumulate into the first shard's array: it is ours (transferred) and saves a 24 MB allocation
      // per step for a net with a large embedding.
      // The first two shards in one pass (two threads: the whole average).
      const sum = results[0]?.grads[i] as Float32Array;
      const first = (results[0]?.count ?? 0) / total;
      const second = results[1];
      scaleAdd(sum, first, (second?.grads[i] as Float32Array | undefined) ?? null, (second?.count ?? 0) / total);
      for (const r of results.slice(2)) scaleAdd(sum, 1, r.grads[i] as Float32Array, r.count / total);
      return tf.tensor(sum, w.shape as number[]);
    });
    try {
      for (const { name, patch } of rowGrads) sink?.applyRowGradients(name, patch);
      applyGradients(model, optimizer, averaged);
    } finally {
      averaged.forEach((g) => g?.dispose());
    }
    // The optimizer may have written these rows in place (same dataId): the workers must be sent them.
    for (const [weight, rows] of changedRows) p.markRows(weight, rows);
    // Batch-norm statistics: each replica saw a shard; their size-weighted mean stands for the batch.
    model.nonTrainableWeights.forEach((w, i) => {
      const mean = new Float32Array((results[0]?.state[i] as Float32Array).length);
      for (const r of results) scaleAdd(mean, 1, r.state[i] as Float32Array, r.count / total);
      tf.tidy(() => (w.read() as tf.Variable).assign(tf.tensor(mean, w.shape as number[])));
    });
    const loss = results.reduce((a, r) => a + r.loss * r.count, 0) / total;
    const correct = results.reduce((a, r) => a + r.correct, 0);
    return { loss, accuracy: correct / total, count: total };
  }

  return {
    optimizer,
    workers: pool ? pool.size + 1 : 1,
    step(batch, globalStep) {
      const g = globalStep ?? counter;
      counter = g + 1;
      return pool ? stepWithWorkers(pool, batch, g) : stepInProcess(batch, stepSeed(seed, g, 0));
    },
    async dispose() {
      await pool?.close();
      pool = null;
    },
  };
}
