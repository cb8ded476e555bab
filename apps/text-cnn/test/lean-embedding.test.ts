import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  collectRowsGathered,
  createTrainer,
  initBackend,
  loadModel,
  nonZeroRows,
  saveModel,
  type ArrayBatch,
} from '@cnn-lab/core';
import { isEmbedding, LeanEmbedding, leanEmbedding } from '../src/model/lean-embedding.js';

// ids -> embedding -> conv1d -> max over time -> softmax: the shape of Kim's net, small.
function net(lean: boolean): tf.LayersModel {
  const ids = tf.input({ shape: [null], dtype: 'int32' });
  const args = {
    name: 'table',
    inputDim: 50,
    outputDim: 6,
    embeddingsInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 3 }),
  };
  let x = (lean ? leanEmbedding(args) : tf.layers.embedding(args)).apply(ids) as tf.SymbolicTensor;
  x = tf.layers
    .conv1d({
      filters: 4,
      kernelSize: 2,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }),
    })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalMaxPooling1d().apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: ids, outputs: out });
}

// Repeated ids, so the gradient must add up rows that several words share.
const IDS = [
  [1, 7, 7, 3, 0],
  [9, 1, 42, 42, 42],
  [0, 0, 5, 49, 1],
];

function lossAndGrads(model: tf.LayersModel) {
  const x = tf.tensor2d(IDS, undefined, 'int32');
  const y = tf.oneHot(tf.tensor1d([0, 2, 1], 'int32'), 3);
  const { value, grads } = tf.variableGrads(() =>
    tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(y, model.apply(x, { training: true }) as tf.Tensor),
  );
  // In model.trainableWeights order: the table first.
  const out = {
    loss: value.dataSync()[0] as number,
    grads: model.trainableWeights.map((w) =>
      Array.from((grads[(w.read() as tf.Variable).name] as tf.Tensor).dataSync()),
    ),
  };
  tf.dispose([x, y, value, grads]);
  return out;
}

describe('LeanEmbedding', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
  });

  it('gives the stock Embedding layer’s outputs and gradients, value for value', () => {
    const stock = lossAndGrads(net(false));
    const lean = lossAndGrads(net(true));
    expect(lean.loss).toBeCloseTo(stock.loss, 6);
    const stockGrads = stock.grads;
    const leanGrads = lean.grads;
    expect(leanGrads.length).toBe(stockGrads.length);
    leanGrads.forEach((g, i) => {
      const s = stockGrads[i] as number[];
      expect(g.length).toBe(s.length);
      g.forEach((v, k) => expect(v).toBeCloseTo(s[k] as number, 6));
    });
    // The table's gradient: rows no id points at are exactly zero, rows used twice are non-zero.
    const tableGrad = leanGrads[0] as number[];
    expect(tableGrad.length).toBe(50 * 6);
    expect(tableGrad.slice(2 * 6, 3 * 6).every((v) => v === 0)).toBe(true);
    expect(tableGrad.slice(42 * 6, 43 * 6).some((v) => v !== 0)).toBe(true);
  });

  it("notes the ids it gathers during a training step, a superset of its gradient's non-zero rows", () => {
    const model = net(true);
    const table = model.trainableWeights[0]?.read() as tf.Variable;
    const { result, rows } = collectRowsGathered(() => lossAndGrads(model));
    expect(rows.get(table.name)?.map((ids) => Array.from(ids))).toEqual([IDS.flat()]);
    const nonZero = Array.from(nonZeroRows(Float32Array.from(result.grads[0] as number[]), 6).rows);
    expect(nonZero.length).toBeGreaterThan(0);
    expect(nonZero.every((r) => IDS.flat().includes(r))).toBe(true);
    model.dispose();
  });

  it('does not copy its table during a training step (the stock layer does, on wasm)', async () => {
    const tableCopies = async (lean: boolean) => {
      const model = net(lean);
      const x = tf.tensor2d(IDS, undefined, 'int32');
      const y = tf.oneHot(tf.tensor1d([0, 2, 1], 'int32'), 3);
      const info = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(() =>
          tf.losses.softmaxCrossEntropy<tf.Tensor, tf.Scalar>(y, model.apply(x, { training: true }) as tf.Tensor),
        );
        tf.dispose([value, grads]);
      });
      tf.dispose([x, y]);
      model.dispose();
      return info.kernels.filter(
        (k) => ['Identity', 'Transpose'].includes(k.name) && JSON.stringify(k.inputShapes[0]) === '[50,6]',
      ).length;
    };
    expect(await tableCopies(false)).toBeGreaterThan(0);
    expect(await tableCopies(true)).toBe(0);
  });

  it('round-trips through model JSON as a LeanEmbedding with the same weights', async () => {
    const model = net(true);
    const x = tf.tensor2d(IDS, undefined, 'int32');
    const before = (model.predict(x) as tf.Tensor).arraySync();
    const rebuilt = await tf.models.modelFromJSON({
      modelTopology: model.toJSON(null, false),
    });
    rebuilt.setWeights(model.getWeights());
    expect(rebuilt.getLayer('table')).toBeInstanceOf(LeanEmbedding);
    expect((rebuilt.predict(x) as tf.Tensor).arraySync()).toEqual(before);
    tf.dispose(x);
  });

  it('is recognised as a word-vector table, as the stock layer is, and a dense layer is not', () => {
    expect(isEmbedding(leanEmbedding({ inputDim: 3, outputDim: 2 }))).toBe(true);
    expect(isEmbedding(tf.layers.embedding({ inputDim: 3, outputDim: 2 }))).toBe(true);
    expect(isEmbedding(tf.layers.dense({ units: 2 }))).toBe(false);
  });
});

describe('LeanEmbedding in use', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
  });

  it('saves and loads as itself; the shipped model (stock Embedding) still loads', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'text-cnn-lean-'));
    try {
      const model = net(true);
      await saveModel(model, dir, { app: 'text-cnn' });
      const { model: loaded } = await loadModel(dir);
      expect(loaded.getLayer('table')).toBeInstanceOf(LeanEmbedding);
      const ids = tf.tensor2d(IDS, undefined, 'int32');
      expect(Array.from((loaded.predict(ids) as tf.Tensor).dataSync())).toEqual(
        Array.from((model.predict(ids) as tf.Tensor).dataSync()),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const { model: shipped } = await loadModel(resolve(import.meta.dirname, '..', 'models', 'default'));
    expect(shipped.layers.some((l) => isEmbedding(l))).toBe(true);
    shipped.dispose();
  });

  it('trains in 2 gradient workers (they import this layer module) as in one thread', async () => {
    const batches: ArrayBatch[] = [1, 2, 3].map((k) => ({
      xs: { data: Int32Array.from({ length: 7 * 5 }, (_, i) => (i * k * 7) % 50), shape: [7, 5] },
      ys: Int32Array.from({ length: 7 }, (_, i) => (i + k) % 3),
    }));
    const run = async (workers: number) => {
      const model = net(true);
      const trainer = await createTrainer(model, {
        optimizer: { name: 'adam', learningRate: 0.05 },
        workers,
        onFallback: (why) => {
          throw new Error(why);
        },
      });
      try {
        expect(trainer.workers).toBe(workers);
        const losses: number[] = [];
        for (const b of batches) losses.push((await trainer.step(b)).loss);
        return { losses, table: Array.from(model.getLayer('table').getWeights()[0]?.dataSync() ?? []) };
      } finally {
        await trainer.dispose();
      }
    };
    const one = await run(1);
    const two = await run(2);
    two.losses.forEach((l, i) => expect(l).toBeCloseTo(one.losses[i] as number, 4));
    two.table.forEach((v, i) => expect(v).toBeCloseTo(one.table[i] as number, 4));
  });
});
