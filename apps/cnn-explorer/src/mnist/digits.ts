// MNIST digits as typed arrays (28x28 grey values in [0, 1], light digit on black): subsets, the seeded
// stratified split, pixel shifts. Pure functions of what they are given; mnist-package.ts reads the digits.
import { Rng } from '@cnn-lab/core';

export const MNIST_SIDE = 28;
export const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;
export const MNIST_CLASSES = 10;

/** `count` digits: `images` holds count x 28 x 28 grey values in [0, 1], row-major; `labels` the digit of each. */
export interface DigitSet {
  count: number;
  images: Float32Array;
  labels: Int32Array;
}

/** The digits at `indices`, in that order. */
export function subset(set: DigitSet, indices: ArrayLike<number>): DigitSet {
  const images = new Float32Array(indices.length * MNIST_PIXELS);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const j = indices[i]!;
    images.set(set.images.subarray(j * MNIST_PIXELS, (j + 1) * MNIST_PIXELS), i * MNIST_PIXELS);
    labels[i] = set.labels[j]!;
  }
  return { count: indices.length, images, labels };
}

/** How the 10,000 digits are split; stored in the model's metadata so eval scores the same held-out digits. */
export interface SplitSpec {
  seed: number;
  testFraction: number;
  validationFraction: number;
}

/**
 * A seeded split into train / validation / test. Stratified by digit, so that every part holds each
 * class in its overall proportion and the held-out accuracy is not skewed by a lucky draw.
 */
export function splitDigits(set: DigitSet, opts: SplitSpec): { train: DigitSet; validation: DigitSet; test: DigitSet } {
  const { testFraction, validationFraction, seed } = opts;
  if (!(testFraction >= 0 && validationFraction >= 0 && testFraction + validationFraction < 1)) {
    throw new Error(
      `split fractions must be >= 0 and sum below 1, got test ${testFraction}, validation ${validationFraction}`,
    );
  }
  const rng = new Rng(seed);
  const parts: { train: number[]; validation: number[]; test: number[] } = { train: [], validation: [], test: [] };
  for (let d = 0; d < MNIST_CLASSES; d++) {
    const ofClass: number[] = [];
    for (let i = 0; i < set.count; i++) if (set.labels[i] === d) ofClass.push(i);
    rng.shuffle(ofClass);
    const nTest = Math.round(ofClass.length * testFraction);
    const nVal = Math.round(ofClass.length * validationFraction);
    parts.test.push(...ofClass.slice(0, nTest));
    parts.validation.push(...ofClass.slice(nTest, nTest + nVal));
    parts.train.push(...ofClass.slice(nTest + nVal));
  }
  // Mixed classes within each part, so a batch is never all one digit.
  return {
    train: subset(set, rng.shuffle(parts.train)),
    validation: subset(set, rng.shuffle(parts.validation)),
    test: subset(set, rng.shuffle(parts.test)),
  };
}

/** One image as its own 28x28 array (a view would tie it to the whole set's buffer). */
export function digitImage(set: DigitSet, i: number): Float32Array {
  if (!(i >= 0 && i < set.count)) throw new RangeError(`digit index ${i} out of range 0..${set.count - 1}`);
  return set.images.slice(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS);
}

/**
 * A copy of a 28x28 digit moved by (dy, dx) pixels, the uncovered border black (MNIST's background).
 * Small shifts are the cheapest way to tell a network trained on 7,000 digits that position does not
 * change the digit.
 */
export function shiftDigit(
  image: Float32Array,
  dy: number,
  dx: number,
  out = new Float32Array(MNIST_PIXELS),
): Float32Array {
  out.fill(0);
  for (let y = Math.max(0, dy); y < Math.min(MNIST_SIDE, MNIST_SIDE + dy); y++) {
    const from = (y - dy) * MNIST_SIDE;
    for (let x = Math.max(0, dx); x < Math.min(MNIST_SIDE, MNIST_SIDE + dx); x++)
      out[y * MNIST_SIDE + x] = image[from + x - dx]!;
  }
  return out;
}
