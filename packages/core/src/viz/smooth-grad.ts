// SmoothGrad (Smilkov et al. 2017): the plain gradient saliency map is speckled because the gradient of a
// ReLU network jumps from pixel to pixel; averaging the gradient over copies of the input with a little
// Gaussian noise added keeps what is systematic and cancels the speckle. Optionally times the input
// (gradient x input, Shrikumar et al. 2016). Adebayo et al. (2018) found the gradient and SmoothGrad
// maps pass their model-randomisation sanity check: they change when the network's weights do.
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/random.js';
import { unitScores } from './maximise.js';
import { withoutActivation } from './layer-model.js';
import type { SaliencyResult } from './saliency.js';

export interface SmoothGradOptions {
  /** Noisy copies averaged per image (default 32; 1 with noise 0 is the plain gradient). */
  samples?: number;
  /** Noise standard deviation as a fraction of each image's value range (default 0.15, the paper's 10-20%). */
  noise?: number;
  /** How the averaged gradient becomes a map: its absolute value (default) or its square (the paper's SmoothGrad-squared). */
  magnitude?: 'abs' | 'square';
  /** Multiply the averaged gradient by the input before taking the magnitude (gradient x input). */
  timesInput?: boolean;
  /** Gradient of the pre-softmax score (default true), which does not vanish when the model is sure. */
  preActivation?: boolean;
  seed?: number;
}

/**
 * One SmoothGrad map per image for the class given beside it. `images` is [n, h, w, c] back to back; each
 * map is the largest magnitude over the channels of each pixel, as in `saliencyMaps`.
 */
export async function smoothGrad(
  model: tf.LayersModel,
  images: Float32Array,
  shape: readonly number[],
  classes: readonly number[],
  opts: SmoothGradOptions = {},
): Promise<SaliencyResult> {
  const [n, h, w, c] = shape;
  if (shape.length !== 4 || n === undefined || h === undefined || w === undefined || c === undefined) {
    throw new RangeError(`smoothGrad: shape must be [n, h, w, c], got [${shape.join(', ')}]`);
  }
  if (images.length !== n * h * w * c)
    throw new RangeError(`smoothGrad: ${images.length} values do not fill [${shape.join(', ')}]`);
  if (classes.length !== n) throw new RangeError(`smoothGrad: ${classes.length} classes for ${n} images`);
  const samples = opts.samples ?? 32;
  const noise = opts.noise ?? 0.15;
  if (!(Number.isInteger(samples) && samples >= 1))
    throw new RangeError(`smoothGrad: samples must be a positive integer, got ${samples}`);
  if (!(noise >= 0)) throw new RangeError(`smoothGrad: noise must be >= 0, got ${noise}`);

  const size = h * w * c;
  const rng = new Rng(opts.seed ?? 1);
  const last = model.layers[model.layers.length - 1]!;
  // All noisy copies of all images go through the network as one batch: image i's copies are rows i*samples...
  const batchClasses = classes.flatMap((k) => Array<number>(samples).fill(k));
  const noisy = new Float32Array(n * samples * size);
  for (let i = 0; i < n; i++) {
    const img = images.subarray(i * size, (i + 1) * size);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of img) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    const sigma = noise * (hi - lo || 1);
    for (let s = 0; s < samples; s++) {
      const at = (i * samples + s) * size;
      for (let p = 0; p < size; p++) noisy[at + p] = img[p]! + (noise > 0 ? sigma * rng.normal() : 0);
    }
  }
  const grad = tf.grad((x: tf.Tensor) =>
    withoutActivation(last, opts.preActivation ?? true, () =>
      unitScores(model.apply(x) as tf.Tensor, batchClasses).sum(),
    ),
  );
  const out = tf.tidy(() => {
    const g = grad(tf.tensor4d(noisy, [n * samples, h, w, c]));
    let mean = g.reshape([n, samples, h, w, c]).mean(1) as tf.Tensor4D;
    if (opts.timesInput) mean = mean.mul(tf.tensor4d(images, [n, h, w, c]));
    const mag = (opts.magnitude ?? 'abs') === 'abs' ? tf.abs(mean) : tf.square(mean);
    return tf.max(mag, 3);
  });
  const maps = (await out.data()) as Float32Array;
  out.dispose();
  return { maps, shape: [n, h, w] };
}
