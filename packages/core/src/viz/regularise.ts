// Regularisers that turn adversarial-looking high-frequency noise into readable pictures (Yosinski et al.
// 2015, "Understanding neural networks through deep visualization"): random jitter, periodic Gaussian
// blur, and clipping to the input's valid range.
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../util/random.js';

export interface Regularisers {
  /** Shift the picture by up to this many pixels (random, each step) before the gradient (default 0). */
  jitter?: number;
  /** Blur with a Gaussian of this sigma in pixels every `blurEvery` steps (default 0: no blur). */
  blurSigma?: number;
  blurEvery?: number;
  /** Clip every pixel into [lo, hi] after each step (default [0, 1]; null: no clipping). */
  clip?: [number, number] | null;
}

/** Rolls a [b, h, w, c] batch by (dy, dx) pixels, wrapping around. */
export function roll(x: tf.Tensor4D, dy: number, dx: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, h, w] = x.shape;
    const sy = ((dy % h) + h) % h;
    const sx = ((dx % w) + w) % w;
    let y = x;
    if (sy)
      y = tf.concat([y.slice([0, h - sy, 0, 0], [-1, sy, -1, -1]), y.slice([0, 0, 0, 0], [-1, h - sy, -1, -1])], 1);
    if (sx)
      y = tf.concat([y.slice([0, 0, w - sx, 0], [-1, -1, sx, -1]), y.slice([0, 0, 0, 0], [-1, -1, w - sx, -1])], 2);
    return y;
  });
}

/** Separable Gaussian blur of a [b, h, w, c] batch, each channel on its own, edges padded by reflection. */
export function gaussianBlur(x: tf.Tensor4D, sigma: number): tf.Tensor4D {
  if (!(sigma > 0)) return x.clone();
  return tf.tidy(() => {
    const radius = Math.max(1, Math.ceil(2 * sigma));
    const taps = Array.from({ length: 2 * radius + 1 }, (_, i) => Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)));
    const total = taps.reduce((a, b) => a + b, 0);
    const k = tf.tensor1d(taps.map((t) => t / total));
    const c = x.shape[3];
    const [, h, w] = x.shape;
    const r = Math.min(radius, h - 1, w - 1);
    const padded =
      r > 0
        ? tf.mirrorPad(
            x,
            [
              [0, 0],
              [r, r],
              [r, r],
              [0, 0],
            ],
            'reflect',
          )
        : x;
    const kr = r === radius ? k : k.slice(radius - r, 2 * r + 1).div(k.slice(radius - r, 2 * r + 1).sum());
    const row = tf.tile(kr.reshape([1, 2 * r + 1, 1, 1]), [1, 1, c, 1]) as tf.Tensor4D;
    const col = tf.tile(kr.reshape([2 * r + 1, 1, 1, 1]), [1, 1, c, 1]) as tf.Tensor4D;
    return tf.depthwiseConv2d(tf.depthwiseConv2d(padded, row, 1, 'valid'), col, 1, 'valid');
  });
}

/**
 * Applies the regularisers after gradient step `step` (0-based); takes ownership of `x`. Jitter is
 * applied as a random roll of the picture, so the next gradient is taken at a shifted position and
 * details that only work at one exact alignment are averaged away.
 */
export function regularise(x: tf.Tensor, step: number, opts: Regularisers, rng: Rng): tf.Tensor {
  let y = x;
  const swap = (next: tf.Tensor) => {
    if (next !== y) y.dispose();
    y = next;
  };
  if (y.rank === 4) {
    const j = opts.jitter ?? 0;
    if (j > 0) swap(roll(y as tf.Tensor4D, rng.int(2 * j + 1) - j, rng.int(2 * j + 1) - j));
    const every = opts.blurEvery ?? 0;
    const sigma = opts.blurSigma ?? 0;
    if (every > 0 && sigma > 0 && (step + 1) % every === 0) swap(gaussianBlur(y as tf.Tensor4D, sigma));
  }
  const clip: [number, number] | null = opts.clip === undefined ? [0, 1] : opts.clip;
  if (clip) swap(tf.clipByValue(y, clip[0], clip[1]));
  return y;
}
