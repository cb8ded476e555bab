// What-a-CNN-learns pictures on tiny models made here (fast; no trained weights needed).
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.js';
import { gaussianBlur, layerOutputModel, maximiseActivation, roll, saliencyMaps } from '../src/viz/index.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

/** conv(4, 3x3, relu) -> maxpool -> flatten -> dense(6, relu) -> dense(3, softmax) on 10x10x1, seeded. */
function tinyCnn(seed = 1): tf.LayersModel {
  const init = (k: number) => tf.initializers.glorotUniform({ seed: seed * 10 + k });
  const input = tf.input({ shape: [10, 10, 1] });
  let x = tf.layers
    .conv2d({ name: 'conv', filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: init(1) })
    .apply(input) as tf.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 2 }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  x = tf.layers
    .dense({ name: 'hidden', units: 6, activation: 'relu', kernelInitializer: init(2) })
    .apply(x) as tf.SymbolicTensor;
  const out = tf.layers
    .dense({ name: 'out', units: 3, activation: 'softmax', kernelInitializer: init(3) })
    .apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

const sumAbs = (xs: Float32Array, from: number, to: number) => xs.slice(from, to).reduce((a, v) => a + Math.abs(v), 0);

describe('activation maximisation', () => {
  it('raises every chosen filter activation above where it started, one picture per filter', async () => {
    const model = tinyCnn();
    const r = await maximiseActivation(model, {
      layer: 'conv',
      units: [0, 1, 2, 3],
      steps: 15,
      start: 'noise',
      seed: 3,
    });
    expect(r.shape).toEqual([4, 10, 10, 1]);
    expect(r.images.length).toBe(400);
    for (let i = 0; i < 4; i++) expect(r.finalScores[i]!).toBeGreaterThan(r.initialScores[i]! + 0.1);
    // Range clipping is on by default.
    expect(Math.min(...r.images)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...r.images)).toBeLessThanOrEqual(1);
  });

  it('raises a class logit, and the L1 prior makes the picture sparser (lower sum |x|)', async () => {
    const model = tinyCnn(2);
    const base = {
      layer: 'out',
      units: [1],
      steps: 20,
      start: 'noise' as const,
      seed: 4,
      clip: [-1, 1] as [number, number],
    };
    const plain = await maximiseActivation(model, base);
    const sparse = await maximiseActivation(model, { ...base, l1: 0.5 });
    expect(plain.finalScores[0]!).toBeGreaterThan(plain.initialScores[0]!);
    expect(sumAbs(sparse.images, 0, 100)).toBeLessThan(0.8 * sumAbs(plain.images, 0, 100));
  });

  it('names the layers when asked for one that does not exist', () => {
    expect(() => layerOutputModel(tinyCnn(), ['conv9'])).toThrow(/no layer 'conv9'.*conv.*hidden.*out/);
  });

  it('refuses a unit outside the layer', async () => {
    await expect(maximiseActivation(tinyCnn(), { layer: 'hidden', units: [6], steps: 1 })).rejects.toThrow(
      /unit 6 out of range 0..5/,
    );
  });
});

describe('saliency maps', () => {
  it('gives one h x w map per image, zero where the model does not look', async () => {
    // The model sees only the left half of the image: the right half cannot matter.
    const input = tf.input({ shape: [6, 8, 2] });
    let x = tf.layers
      .cropping2D({
        cropping: [
          [0, 0],
          [0, 4],
        ],
      })
      .apply(input) as tf.SymbolicTensor;
    x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
    const out = tf.layers
      .dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })
      .apply(x) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const images = Float32Array.from({ length: 2 * 6 * 8 * 2 }, (_, i) => (i % 7) / 7);
    const { maps, shape } = await saliencyMaps(model, images, [2, 6, 8, 2], [0, 2]);
    expect(shape).toEqual([2, 6, 8]);
    expect(maps.length).toBe(96);
    for (let n = 0; n < 2; n++) {
      for (let r = 0; r < 6; r++) {
        for (let c = 0; c < 8; c++) {
          const v = maps[n * 48 + r * 8 + c]!;
          if (c >= 4) expect(v).toBe(0);
          else expect(v).toBeGreaterThan(0);
        }
      }
    }
    await expect(saliencyMaps(model, images, [2, 6, 8, 2], [0])).rejects.toThrow(/1 classes for 2 images/);
  });
});

describe('regularisers', () => {
  it('roll wraps pixels around', () => {
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);
    expect(Array.from(roll(x, 1, 1).dataSync())).toEqual([6, 4, 5, 3, 1, 2]);
    expect(Array.from(roll(x, -1, 0).dataSync())).toEqual([4, 5, 6, 1, 2, 3]);
  });

  it('blur keeps the mean and lowers the variation of noise', () => {
    const noise = tf.randomUniform([1, 16, 16, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
    const blurred = gaussianBlur(noise, 1.5);
    expect(blurred.shape).toEqual([1, 16, 16, 3]);
    expect(blurred.mean().dataSync()[0]!).toBeCloseTo(noise.mean().dataSync()[0]!, 1);
    const sd = (t: tf.Tensor) => tf.moments(t).variance.sqrt().dataSync()[0]!;
    expect(sd(blurred)).toBeLessThan(0.5 * sd(noise));
  });
});
