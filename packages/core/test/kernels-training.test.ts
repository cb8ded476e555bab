import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.js';
import { Rng } from '../src/util/random.js';

// Whole small nets, trained a few SGD steps from identical weights on wasm (with core's kernels) and on cpu,
// must follow the same loss curve: this covers the gradients tfjs-layers actually asks for (fused conv,
// pooling, embedding, max over time, constraints), not only the kernels one by one.

type Build = () => tf.LayersModel;

function convNet(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [10, 9, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.conv2d({ filters: 4, kernelSize: [4, 2], strides: [2, 1], padding: 'valid', activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: [1, 2] }));
  m.add(tf.layers.conv2d({ filters: 3, kernelSize: 2, strides: 2, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.averagePooling2d({ poolSize: [1, 2], padding: 'same' }));
  m.add(tf.layers.conv2d({ filters: 1, kernelSize: 1, useBias: false }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  return m;
}

function textNet(): tf.LayersModel {
  const vocab = 40;
  const len = 9;
  const dim = 6;
  const input = tf.input({ shape: [len], dtype: 'int32' });
  const embedded = tf.layers.embedding({ inputDim: vocab, outputDim: dim }).apply(input) as tf.SymbolicTensor;
  const image = tf.layers.reshape({ targetShape: [len, dim, 1] }).apply(embedded) as tf.SymbolicTensor;
  const pooled = [2, 3].map((h) => {
    const c = tf.layers.conv2d({ filters: 4, kernelSize: [h, dim], activation: 'relu' }).apply(image);
    return tf.layers.globalMaxPooling2d({}).apply(c) as tf.SymbolicTensor;
  });
  const conv1d = tf.layers.conv1d({ filters: 3, kernelSize: 2, activation: 'relu' }).apply(embedded);
  pooled.push(tf.layers.globalMaxPooling1d({}).apply(conv1d) as tf.SymbolicTensor);
  const joined = tf.layers.concatenate({}).apply(pooled) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: 2, activation: 'softmax', kernelConstraint: tf.constraints.maxNorm({ maxValue: 0.5 }) })
    .apply(joined) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

async function lossCurve(
  backend: string,
  build: Build,
  weights: Float32Array[],
  x: tf.Tensor,
  y: tf.Tensor,
  steps = 4,
) {
  await tf.setBackend(backend);
  const model = build();
  model.setWeights(weights.map((w, i) => tf.tensor(w, model.getWeights()[i]!.shape)));
  model.compile({ optimizer: tf.train.sgd(0.5), loss: 'sparseCategoricalCrossentropy' });
  const xs = tf.tensor(x.dataSync(), x.shape, x.dtype);
  const ys = tf.tensor(y.dataSync(), y.shape, y.dtype);
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) losses.push((await model.trainOnBatch(xs, ys)) as number);
  tf.dispose([xs, ys]);
  model.dispose();
  return losses;
}

/** Seeded starting weights (tfjs's initialisers are not): uniform in +-sqrt(3 / fan-in), biases zero. */
function seededWeights(model: tf.LayersModel, seed: number): Float32Array[] {
  const rng = new Rng(seed);
  return model.getWeights().map((w) => {
    const size = w.size;
    if (w.shape.length === 1) return new Float32Array(size);
    const fanIn = w.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const a = Math.sqrt(3 / fanIn);
    return Float32Array.from({ length: size }, () => rng.uniform(-a, a));
  });
}

async function compareBackends(build: Build, x: tf.Tensor, y: tf.Tensor, seed: number) {
  await tf.setBackend('cpu');
  const seedModel = build();
  const weights = seededWeights(seedModel, seed);
  seedModel.dispose();
  const cpu = await lossCurve('cpu', build, weights, x, y);
  const wasm = await lossCurve('wasm', build, weights, x, y);
  expect(cpu[cpu.length - 1]!).toBeLessThan(cpu[0]!); // the net does learn, so the comparison means something
  for (let i = 0; i < cpu.length; i++) expect(Math.abs(wasm[i]! - cpu[i]!)).toBeLessThan(1e-4 * Math.max(1, cpu[i]!));
}

describe('a small net trained on wasm follows the cpu loss curve', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
  });

  it('conv net: same/valid, strides 1 and 2, odd/even kernels, max and average pooling, 1x1 head', async () => {
    const rng = new Rng(1);
    await tf.setBackend('cpu');
    const x = tf.tensor4d(
      Float32Array.from({ length: 3 * 10 * 9 * 2 }, () => rng.uniform(0, 1)),
      [3, 10, 9, 2],
    );
    const y = tf.tensor1d([0, 2, 1], 'float32');
    await compareBackends(convNet, x, y, 11);
  });

  it("text net: embedding, Kim's full-width conv2d and conv1d, max over time, maxNorm", async () => {
    const rng = new Rng(2);
    await tf.setBackend('cpu');
    const x = tf.tensor2d(
      Int32Array.from({ length: 4 * 9 }, () => rng.int(40)),
      [4, 9],
      'int32',
    );
    const y = tf.tensor1d([0, 1, 1, 0], 'float32');
    await compareBackends(textNet, x, y, 12);
  });

  it('training on wasm leaks neither tensors nor wasm buffers', async () => {
    await tf.setBackend('wasm');
    const model = convNet();
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'sparseCategoricalCrossentropy' });
    const xs = tf.randomUniform([2, 10, 9, 2]);
    const ys = tf.tensor1d([0, 1], 'float32');
    const count = () => [tf.memory().numTensors, tf.engine().backend.numDataIds()];
    await model.trainOnBatch(xs, ys);
    const before = count();
    for (let i = 0; i < 30; i++) await model.trainOnBatch(xs, ys);
    expect(count()).toEqual(before);
    tf.dispose([xs, ys]);
    model.dispose();
  });
});
