import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.js';
import { shift } from './fixtures/shift-layer.js';
import {
  arraySource,
  createTrainer,
  editableValues,
  fit,
  measureWorkerSpeedup,
  readValues,
  withSeed,
  type ArrayBatch,
  type RowPatch,
} from '../src/train/index.js';
import { Rng } from '../src/util/random.js';

// A tiny policy-shaped conv net: frozen 1x1 conv, conv, 1x1 conv, flatten, a custom layer (a bias per point,
// registered for workers through registerLayerClass), softmax over the 6x6 points.
function convNet(seed: number): tf.LayersModel {
  return withSeed(seed, () => {
    const input = tf.input({ shape: [6, 6, 2] });
    // A frozen layer: workers get its weights once, not every step, and must still use the same ones.
    let x = tf.layers.conv2d({ filters: 2, kernelSize: 1, trainable: false }).apply(input) as tf.SymbolicTensor;
    x = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' })
      .apply(x) as tf.SymbolicTensor;
    x = tf.layers.conv2d({ filters: 1, kernelSize: 1, useBias: false }).apply(x) as tf.SymbolicTensor;
    x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
    x = shift().apply(x) as tf.SymbolicTensor;
    const out = tf.layers.activation({ activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: out });
  });
}

// The label is the point holding the largest value of the first plane: learnable by the net above.
function batch(n: number, rng: Rng): ArrayBatch {
  const data = new Float32Array(n * 72);
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let p = 0; p < 36; p++) {
      data[i * 72 + p * 2] = rng.next();
      data[i * 72 + p * 2 + 1] = rng.next();
      if ((data[i * 72 + p * 2] as number) > (data[i * 72 + best * 2] as number)) best = p;
    }
    ys[i] = best;
  }
  return { xs: { data, shape: [n, 6, 6, 2] }, ys };
}

// Word ids -> embedding table -> mean over the sentence -> softmax: the shape of a text model, in miniature.
function embeddingNet(seed: number): tf.LayersModel {
  return withSeed(seed, () => {
    const words = tf.input({ shape: [null], dtype: 'int32' });
    let x = tf.layers.embedding({ inputDim: 40, outputDim: 6, name: 'table' }).apply(words) as tf.SymbolicTensor;
    x = tf.layers.globalAveragePooling1d().apply(x) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 3, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
    return tf.model({ inputs: words, outputs: out });
  });
}

// Sentences of 5 words from the first 30 (rows 30-39 are never used); the label is the first word mod 3.
function sentences(n: number, rng: Rng): ArrayBatch {
  const data = new Int32Array(n * 5).map(() => Math.floor(rng.next() * 30));
  const ys = Int32Array.from({ length: n }, (_, i) => (data[i * 5] as number) % 3);
  return { xs: { data, shape: [n, 5] }, ys };
}

interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** Plain SGD that writes the named tables in place, as a row-wise optimizer does (same dataId after the step). */
class InPlaceTableSgd extends tf.Optimizer {
  static get className(): string {
    return 'InPlaceTableSgd';
  }

  constructor(
    private readonly tables: ReadonlySet<string>,
    private readonly lr: number,
  ) {
    super();
  }

  override applyGradients(grads: tf.NamedTensorMap | NamedTensor[]): void {
    const list = Array.isArray(grads) ? grads : Object.entries(grads).map(([name, tensor]) => ({ name, tensor }));
    for (const { name, tensor } of list) {
      const v = tf.engine().registeredVariables[name] as tf.Variable;
      if (this.tables.has(name)) {
        const target = editableValues(v);
        const g = readValues(tensor);
        for (let k = 0; k < g.length; k++) target.values[k] = (target.values[k] as number) - this.lr * (g[k] as number);
        target.commit();
      } else {
        tf.tidy(() => v.assign(tf.sub(v, tf.mul(tensor, this.lr))));
      }
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { lr: this.lr };
  }
}

/** The same, taking the tables' gradients as rows (the trainer's RowGradientSink path). */
class RowSinkSgd extends InPlaceTableSgd {
  rowCalls = 0;

  applyRowGradients(name: string, grad: RowPatch): void {
    const v = tf.engine().registeredVariables[name] as tf.Variable;
    const width = v.shape[1] as number;
    const target = editableValues(v);
    grad.rows.forEach((r, k) => {
      for (let j = 0; j < width; j++)
        target.values[r * width + j] =
          (target.values[r * width + j] as number) - 0.5 * (grad.values[k * width + j] as number);
    });
    target.commit();
    this.rowCalls++;
  }
}

function weightsOf(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

describe('data-parallel training across worker threads', () => {
  it('2 and 3 threads (this one and 1 or 2 workers) follow the 1-thread loss and weights up to float rounding', async () => {
    const rng = new Rng(11);
    const batches = Array.from({ length: 6 }, () => batch(17, rng)); // odd size: unequal shards
    const run = async (workers: number) => {
      const model = convNet(3);
      const trainer = await createTrainer(model, {
        optimizer: { name: 'adam', learningRate: 0.01 },
        workers,
        onFallback: (why) => {
          throw new Error(why);
        },
      });
      try {
        expect(trainer.workers).toBe(workers);
        const losses: number[] = [];
        for (const b of batches) losses.push((await trainer.step(b)).loss);
        return { losses, weights: weightsOf(model) };
      } finally {
        await trainer.dispose();
      }
    };
    const one = await run(1);
    expect(one.losses[5]).toBeLessThan(one.losses[0] as number);
    for (const threads of [2, 3]) {
      const many = await run(threads);
      many.losses.forEach((l, i) => expect(l).toBeCloseTo(one.losses[i] as number, 4));
      many.weights.forEach((w, i) => {
        const ref = one.weights[i] as Float32Array;
        let maxDiff = 0;
        for (let k = 0; k < w.length; k++) maxDiff = Math.max(maxDiff, Math.abs((w[k] as number) - (ref[k] as number)));
        expect(maxDiff).toBeLessThan(1e-4);
      });
    }
  });

  it('a table written in place travels row by row: 2 workers follow 1 worker, and would go stale without rowTables', async () => {
    const rng = new Rng(8);
    const batches = Array.from({ length: 12 }, () => sentences(9, rng));
    const run = async (workers: number, useRowTables: boolean, Optimizer = InPlaceTableSgd) => {
      const model = embeddingNet(2);
      const table = (model.getLayer('table').trainableWeights[0]!.read() as tf.Variable).name;
      const optimizer = new Optimizer(new Set([table]), 0.5);
      const trainer = await createTrainer(model, {
        optimizer,
        workers,
        ...(useRowTables ? { rowTables: [table] } : {}),
        onFallback: (why) => {
          throw new Error(why);
        },
      });
      try {
        const losses: number[] = [];
        for (const b of batches) losses.push((await trainer.step(b)).loss);
        return {
          losses,
          weights: weightsOf(model),
          rowCalls: optimizer instanceof RowSinkSgd ? optimizer.rowCalls : 0,
        };
      } finally {
        await trainer.dispose();
      }
    };
    const maxDiff = (a: Float32Array[], b: Float32Array[]) =>
      Math.max(...a.map((w, i) => Math.max(...w.map((x, k) => Math.abs(x - ((b[i] as Float32Array)[k] as number))))));
    const one = await run(1, true);
    const rows = await run(2, true);
    const stale = await run(2, false);
    const sunk = await run(2, true, RowSinkSgd);
    expect(sunk.rowCalls).toBe(12);
    expect(maxDiff(sunk.weights, one.weights)).toBeLessThan(1e-4);
    expect(one.losses[11]).toBeLessThan(one.losses[0] as number);
    rows.losses.forEach((l, i) => expect(l).toBeCloseTo(one.losses[i] as number, 4));
    expect(maxDiff(rows.weights, one.weights)).toBeLessThan(1e-4);
    // The unused rows 30-39 never move, in any run.
    expect(Array.from((rows.weights[0] as Float32Array).subarray(180))).toEqual(
      Array.from((one.weights[0] as Float32Array).subarray(180)),
    );
    expect(maxDiff(stale.weights, one.weights)).toBeGreaterThan(1e-3);
    await expect(
      createTrainer(embeddingNet(2), { optimizer: { name: 'sgd', learningRate: 0.1 }, rowTables: ['no_such_table'] }),
    ).rejects.toThrow(/rowTables: no_such_table is not a trainable weight/);
  });

  it('falls back to this thread, with a notice, when a worker cannot rebuild the model', async () => {
    // A layer registered in this thread only (no registerLayerClass): the worker has no class to rebuild it from.
    class Doubler extends tf.layers.Layer {
      static readonly className = 'TestOnlyDoubler';
      override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
        return tf.mul(Array.isArray(inputs) ? (inputs[0] as tf.Tensor) : inputs, 2);
      }
      override getClassName(): string {
        return Doubler.className;
      }
    }
    const model = withSeed(1, () => {
      const m = tf.sequential();
      m.add(tf.layers.dense({ units: 3, inputShape: [4] }));
      m.add(new Doubler({}));
      m.add(tf.layers.activation({ activation: 'softmax' }));
      return m;
    });
    const notices: string[] = [];
    const trainer = await createTrainer(model, {
      optimizer: { name: 'sgd', learningRate: 0.1 },
      workers: 2,
      onFallback: (n) => notices.push(n),
    });
    try {
      expect(trainer.workers).toBe(1);
      expect(notices.join('\n')).toMatch(
        /gradient workers unavailable .*TestOnlyDoubler.*registerLayerClass.*training in one thread/s,
      );
      const r = await trainer.step({
        xs: { data: new Float32Array(8).fill(1), shape: [2, 4] },
        ys: new Int32Array([0, 2]),
      });
      expect(Number.isFinite(r.loss)).toBe(true);
    } finally {
      await trainer.dispose();
    }
  });

  it('fit with 2 workers trains through the same loop and keeps batch-norm statistics in step', async () => {
    const rng = new Rng(5);
    const b = batch(64, rng);
    const model = withSeed(4, () => {
      const m = tf.sequential();
      m.add(tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', inputShape: [6, 6, 2] }));
      m.add(tf.layers.batchNormalization());
      m.add(tf.layers.flatten());
      m.add(tf.layers.dense({ units: 36, activation: 'softmax' }));
      return m;
    });
    const notices: string[] = [];
    const movingMeanBefore = Array.from(model.layers[1]!.getWeights()[2]!.dataSync());
    const history = await fit(model, {
      train: arraySource(b.xs, b.ys),
      epochs: 2,
      batchSize: 16,
      optimizer: { name: 'adam', learningRate: 0.01 },
      quiet: true,
      handleSigint: false,
      workers: 2,
      log: (line) => notices.push(line),
    });
    expect(notices).toEqual([]);
    expect(history.epochs).toHaveLength(2);
    expect(Number.isFinite(history.epochs[1]!.loss)).toBe(true);
    expect(Array.from(model.layers[1]!.getWeights()[2]!.dataSync())).not.toEqual(movingMeanBefore);
  });

  it('measureWorkerSpeedup times 1 and 2 threads and names one worker thread beside this one', async () => {
    const rng = new Rng(4);
    const rows = await measureWorkerSpeedup(() => convNet(2), batch(16, rng), { workerCounts: [1, 2], steps: 2 });
    expect(rows.map((r) => r.workers)).toEqual([1, 2]);
    expect(rows[0]?.workerThreadMs).toEqual([]);
    expect(rows[1]?.workerThreadMs).toHaveLength(1);
    for (const r of rows) {
      expect(r.stepMs).toBeGreaterThan(0);
      expect(r.criticalPathMs).toBe(Math.max(r.mainThreadMs, r.workerThreadMs[0] ?? 0));
    }
  });
});
