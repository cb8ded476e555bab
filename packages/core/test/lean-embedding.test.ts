import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.js';
import { isEmbedding, LeanEmbedding, leanEmbedding } from '../src/layers/index.js';

// ids -> embedding -> conv1d -> max over time -> softmax: the shape of Kim's net, small.
function net(lean: boolean): tf.LayersModel {
  const ids = tf.input({ shape: [null], dtype: 'int32' });
  const args = { name: 'table', inputDim: 50, outputDim: 6, embeddingsInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 3 }) };
  let x = (lean ? leanEmbedding(args) : tf.layers.embedding(args)).apply(ids) as tf.SymbolicTensor;
  x = tf.layers.conv1d({ filters: 4, kernelSize: 2, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalMaxPooling1d().apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: ids, outputs: out });
}

// Repeated ids, so the gradient must add up rows that several words share.
const IDS = [[1, 7, 7, 3, 0], [9, 1, 42, 42, 42], [0, 0, 5, 49, 1]];

function lossAndGrads(model: tf.LayersModel) {
  const x = tf.tensor2d(IDS, undefined, 'int32');
  const y = tf.oneHot(tf.tensor1d([0, 2, 1], 'int32'), 3);
  const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
  // In model.trainableWeights order: the table first.
  const out = { loss: value.dataSync()[0] as number, grads: model.trainableWeights.map((w) => Array.from((grads[(w.read() as tf.Variable).name] as tf.Tensor).dataSync())) };
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

  it('does not copy its table during a training step (the stock layer does, on wasm)', async () => {
    const tableCopies = async (lean: boolean) => {
      const model = net(lean);
      const x = tf.tensor2d(IDS, undefined, 'int32');
      const y = tf.oneHot(tf.tensor1d([0, 2, 1], 'int32'), 3);
      const info = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar);
        tf.dispose([value, grads]);
      });
      tf.dispose([x, y]);
      model.dispose();
      return info.kernels.filter((k) => ['Identity', 'Transpose'].includes(k.name) && JSON.stringify(k.inputShapes[0]) === '[50,6]').length;
    };
    expect(await tableCopies(false)).toBeGreaterThan(0);
    expect(await tableCopies(true)).toBe(0);
  });

  it('round-trips through model JSON as a LeanEmbedding with the same weights', async () => {
    const model = net(true);
    const x = tf.tensor2d(IDS, undefined, 'int32');
    const before = (model.predict(x) as tf.Tensor).arraySync();
    const rebuilt = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'] } as tf.io.ModelJSON);
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
