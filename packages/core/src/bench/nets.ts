import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/random.js';

/*
 * The three reference nets of the benchmark, built exactly as torch_bench.py (beside this file) builds them
 * in PyTorch, so that a row's tfjs/PyTorch ratio compares the same arithmetic.
 */

export const BENCH_NETS = ['go', 'kim', 'mnist'] as const;
export type BenchNetName = (typeof BENCH_NETS)[number];

export interface BenchNet {
  name: BenchNetName;
  batchSize: number;
  build(): tf.LayersModel;
  /** One random batch: inputs and class indices, as plain arrays (so a worker can receive it). */
  batch(seed: number): { xs: { data: Float32Array | Int32Array; shape: number[] }; ys: Int32Array };
}

/**
 * AlphaGo's SL policy net shape (Silver et al. 2016): 5x5 conv, 3x3 convs, 1x1 conv. go-policy's head adds a bias per
 * point (its own layer); here the 1x1 conv's one bias stands in for it: the same 361 additions per example, with
 * stock layers only.
 */
function goPolicy(planes = 48, filters = 64, layers = 6): tf.LayersModel {
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({ inputShape: [19, 19, planes], filters, kernelSize: 5, padding: 'same', activation: 'relu' }),
  );
  for (let i = 0; i < layers - 2; i++) {
    m.add(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' }));
  }
  m.add(tf.layers.conv2d({ filters: 1, kernelSize: 1 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.activation({ activation: 'softmax' }));
  return m;
}

/** Kim (2014) CNN-rand: windows 3, 4, 5 x 100 maps over the full embedding width, max over time, dropout. */
function kimCnn(vocab = 20000, embed = 300, length = 56, classes = 2): tf.LayersModel {
  const input = tf.input({ shape: [length], dtype: 'int32' });
  // tfjs's own Embedding. text-cnn trains with its LeanEmbedding, which skips a copy of the 24 MB table per step on
  // wasm (apps/text-cnn/src/model/lean-embedding.ts); core's bench measures stock layers only.
  const words = tf.layers.embedding({ inputDim: vocab, outputDim: embed }).apply(input) as tf.SymbolicTensor;
  const image = tf.layers.reshape({ targetShape: [length, embed, 1] }).apply(words) as tf.SymbolicTensor;
  const features = [3, 4, 5].map((h) => {
    const maps = tf.layers.conv2d({ filters: 100, kernelSize: [h, embed], activation: 'relu' }).apply(image);
    return tf.layers.globalMaxPooling2d({}).apply(maps) as tf.SymbolicTensor;
  });
  const joined = tf.layers.concatenate({}).apply(features) as tf.SymbolicTensor;
  const dropped = tf.layers.dropout({ rate: 0.5 }).apply(joined) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ units: classes, activation: 'softmax', kernelConstraint: tf.constraints.maxNorm({ maxValue: 3 }) })
    .apply(dropped) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** The lecture's Keras MNIST example: conv 25 3x3, pool 2, conv 50 3x3, pool 2, dense 100, dense 10. */
function lectureMnist(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 25, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 50, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 100, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return m;
}

function uniformBatch(seed: number, shape: number[], classes: number) {
  const rng = new Rng(seed);
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
  for (let i = 0; i < data.length; i++) data[i] = rng.next();
  const ys = Int32Array.from({ length: shape[0]! }, () => rng.int(classes));
  return { xs: { data, shape }, ys };
}

export function benchNet(name: BenchNetName): BenchNet {
  switch (name) {
    case 'go':
      return { name, batchSize: 64, build: () => goPolicy(), batch: (s) => uniformBatch(s, [64, 19, 19, 48], 361) };
    case 'kim':
      return {
        name,
        batchSize: 50,
        build: () => kimCnn(),
        batch: (seed) => {
          const rng = new Rng(seed);
          const data = Int32Array.from({ length: 50 * 56 }, () => rng.int(20000));
          return { xs: { data, shape: [50, 56] }, ys: Int32Array.from({ length: 50 }, () => rng.int(2)) };
        },
      };
    case 'mnist':
      return { name, batchSize: 64, build: () => lectureMnist(), batch: (s) => uniformBatch(s, [64, 28, 28, 1], 10) };
  }
}
