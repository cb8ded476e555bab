// Deep Dream, style transfer and the model rebuild they need, on tiny conv nets made here (InceptionV3
// is far too slow for tests; the app's README reports real runs).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.js';
import { Rng } from '../src/util/random.js';
import {
  deepDream,
  dreamLoss,
  gramMatrix,
  layerOutputModel,
  octaveSizes,
  rebuildForInference,
  styleTransfer,
} from '../src/viz/index.js';
import type { FloatImage } from '../src/viz/image.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

/** Conv without bias -> BatchNorm (with learnt-looking statistics) -> ReLU, twice, then a classifier head. */
function convBnNet(size: number, seed = 1): tf.LayersModel {
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 10 + k });
  const input = tf.input({ shape: [size, size, 3], name: 'img' });
  let x = tf.layers
    .conv2d({ name: 'c1', filters: 6, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: init(1) })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn1', scale: false }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ name: 'a1', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .conv2d({ name: 'c2', filters: 8, kernelSize: 3, useBias: true, kernelInitializer: init(2) })
    .apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn2' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ name: 'a2', activation: 'relu' }).apply(x) as tf.SymbolicTensor;
  const head = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ name: 'out', units: 2, activation: 'softmax', kernelInitializer: init(3) })
    .apply(head) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const rng = new Rng(seed);
  for (const name of ['bn1', 'bn2']) {
    const layer = model.getLayer(name);
    layer.setWeights(
      layer.getWeights().map((w) => {
        const n = w.size;
        const isVar = w.shape.length === 1 && layer.weights[layer.getWeights().indexOf(w)]!.name.includes('variance');
        return tf.tensor1d(Array.from({ length: n }, () => (isVar ? rng.uniform(0.5, 2) : rng.uniform(-0.5, 0.5))));
      }),
    );
  }
  return model;
}

function picture(h: number, w: number, seed: number): FloatImage {
  const rng = new Rng(seed);
  return { data: Float32Array.from({ length: h * w * 3 }, () => rng.next()), height: h, width: w };
}

describe('rebuildForInference', () => {
  it('folds batch norms into the convolutions without changing the output', async () => {
    const model = convBnNet(10);
    const folded = await rebuildForInference(model);
    expect(folded.layers.map((l) => l.getClassName())).not.toContain('BatchNormalization');
    const x = tf.randomUniform([2, 10, 10, 3], 0, 1, 'float32', 9);
    const a = (model.predict(x) as tf.Tensor).dataSync();
    const b = (folded.predict(x) as tf.Tensor).dataSync();
    for (let i = 0; i < a.length; i++) expect(b[i]!).toBeCloseTo(a[i]!, 5);
  });

  it('takes any input size once the head is cut off at a chosen layer', async () => {
    const model = convBnNet(10);
    const cut = await rebuildForInference(model, { inputShape: [null, null, 3], outputs: ['a2'] });
    const out = cut.predict(tf.zeros([1, 13, 17, 3])) as tf.Tensor;
    expect(out.shape).toEqual([1, 11, 15, 8]);
    // Same features as the original at its own size.
    const x = tf.randomUniform([1, 10, 10, 3], 0, 1, 'float32', 4);
    const ref = layerOutputModel(model, ['a2']).predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(ref.sub(cut.predict(x) as tf.Tensor))).dataSync()[0]!).toBeLessThan(1e-4);
    await expect(rebuildForInference(model, { outputs: ['nope'] })).rejects.toThrow(/no layer 'nope'/);
  });
});

describe('deep dream', () => {
  it('plans octaves from small to the full size', () => {
    expect(octaveSizes(100, 140, 3, 1.4)).toEqual([
      [51, 71],
      [71, 100],
      [100, 140],
    ]);
  });

  it('makes the chosen layers fire harder than on the original image', async () => {
    const model = await rebuildForInference(convBnNet(10), { inputShape: [null, null, 3], outputs: ['a1', 'a2'] });
    const image = picture(24, 28, 2);
    const layers = { a1: 1, a2: 2 };
    const dreamt = await deepDream(model, image, { layers, octaves: 2, steps: 8, stepSize: 0.02 });
    expect([dreamt.image.height, dreamt.image.width]).toEqual([24, 28]);
    expect(dreamt.losses.length).toBe(16);
    const lossOn = (img: FloatImage) =>
      tf.tidy(
        () =>
          dreamLoss(
            layerOutputModel(model, ['a1', 'a2']).predict(tf.tensor4d(img.data, [1, 24, 28, 3])) as tf.Tensor[],
            [1, 2],
          ).dataSync()[0]!,
      );
    expect(lossOn(dreamt.image)).toBeGreaterThan(1.2 * lossOn(image));
    expect(Math.min(...dreamt.image.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...dreamt.image.data)).toBeLessThanOrEqual(1);
  });
});

describe('style transfer', () => {
  it('gram matrices ignore where a feature is, only how features co-occur', () => {
    const f = tf.tensor4d([1, 0, 0, 2, 3, 1, 0, 0], [1, 2, 2, 2]);
    const shuffled = tf.tensor4d([0, 0, 3, 1, 1, 0, 0, 2], [1, 2, 2, 2]);
    expect(Array.from(gramMatrix(f).dataSync())).toEqual(Array.from(gramMatrix(shuffled).dataSync()));
    expect(Array.from(gramMatrix(f).dataSync())).toEqual([10 / 4, 3 / 4, 3 / 4, 5 / 4]);
  });

  it('lowers the style loss and the total, starting from the content image', async () => {
    const model = await rebuildForInference(convBnNet(10, 3), { inputShape: [null, null, 3], outputs: ['a1', 'a2'] });
    const content = picture(16, 16, 5);
    const style = picture(20, 24, 6);
    for (let i = 0; i < style.data.length; i += 3) style.data[i] = 1; // a strongly red style
    const r = await styleTransfer(model, content, style, {
      contentLayer: 'a2',
      styleLayers: ['a1', 'a2'],
      styleWeight: 1000,
      tvWeight: 0,
      steps: 25,
      learningRate: 0.03,
    });
    expect(r.losses.length).toBe(25);
    expect(r.losses[0]!.content).toBe(0); // starts from the content image
    expect(r.losses.at(-1)!.style).toBeLessThan(0.7 * r.losses[0]!.style);
    expect(r.losses.at(-1)!.total).toBeLessThan(r.losses[0]!.total);
    expect([r.image.height, r.image.width]).toEqual([16, 16]);
  });
});
