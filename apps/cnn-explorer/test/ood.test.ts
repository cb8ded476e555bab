// The not-a-digit warning on the shipped model: calibrated on MNIST alone, it must stay quiet on held-out
// digits (and on the same digits drawn as the pad draws them) and speak up for noise, a photo-like picture
// and most letters. The pictures are made here, so the test needs no data folder.
import type * as tf from '@tensorflow/tfjs';
import { Rng, initBackend } from '@cnn-lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { mnistStyle, type GreyImage } from '../src/mnist/center.js';
import { mnistSplits } from '../src/mnist/mnist-package.js';
import { subset, type DigitSet } from '../src/mnist/digits.js';
import { loadLectureModel, modelDirFor } from '../src/model/load.js';
import { calibrateOod, cholesky, detectOod, midToneShare, type OodCalibration } from '../src/ood/detector.js';
import { oodRate } from '../src/ood/measure.js';
import { asModelInputs, letterPictures, noisePictures, padDrawings } from '../src/ood/samples.js';

let model: tf.LayersModel;
let cal: OodCalibration;
let test: DigitSet;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  const shipped = await loadLectureModel(modelDirFor(undefined, 'read'));
  model = shipped.model;
  const splits = mnistSplits(shipped.split);
  test = splits.test;
  cal = calibrateOod(model, splits.train, splits.validation);
});

/** A photo-like picture: smooth random shading (a sky, a wall) with fine texture on top, 96x64. */
function photoLike(seed: number): GreyImage {
  const rng = new Rng(seed);
  const [w, h] = [96, 64];
  const a = rng.uniform(0.2, 0.8);
  const gx = rng.uniform(-0.4, 0.4);
  const gy = rng.uniform(-0.4, 0.4);
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = a + (gx * x) / w + (gy * y) / h + 0.15 * Math.sin(x / 3 + seed) * Math.cos(y / 5) + 0.08 * rng.normal();
      data[y * w + x] = Math.min(1, Math.max(0, v));
    }
  }
  return { width: w, height: h, data };
}

describe('out-of-distribution warning', () => {
  it('is calibrated on validation digits to warn on about 1% per check', () => {
    expect(cal.quantile).toBe(0.99);
    expect(cal.validation.flagged).toBeGreaterThan(0.005);
    expect(cal.validation.flagged).toBeLessThan(0.04);
    expect(cal.means).toHaveLength(10);
    expect(cal.cholesky).toHaveLength(100);
  });

  it('rarely warns on held-out digits, as MNIST has them and as the pad draws them', () => {
    const plain = oodRate(model, cal, 'test', test.images, true, test.labels);
    // The first 400 as pad strokes (all 2,000 take a minute here; `ood` measures them all).
    const some = subset(
      test,
      Array.from({ length: 400 }, (_, i) => i),
    );
    const pad = oodRate(model, cal, 'pad', asModelInputs(padDrawings(some)), true, some.labels);
    console.log(
      `false alarms: MNIST test ${(100 * plain.flagged).toFixed(1)}%, as pad strokes ${(100 * pad.flagged).toFixed(1)}% (accuracy ${(100 * pad.accuracy!).toFixed(1)}%)`,
    );
    expect(plain.flagged).toBeLessThan(0.05);
    expect(pad.flagged).toBeLessThan(0.05);
    expect(pad.accuracy).toBeGreaterThan(0.96);
  });

  it('warns on noise, on photo-like pictures and on most letters', () => {
    const noise = oodRate(model, cal, 'noise', asModelInputs(noisePictures(20, 3)), false);
    const photos = oodRate(
      model,
      cal,
      'photos',
      asModelInputs(Array.from({ length: 20 }, (_, i) => photoLike(i + 1))),
      false,
    );
    const letters = oodRate(model, cal, 'letters', asModelInputs(letterPictures()), false);
    console.log(
      `detected: noise ${(100 * noise.flagged).toFixed(1)}%, photo-like ${(100 * photos.flagged).toFixed(1)}%, letters ${(100 * letters.flagged).toFixed(1)}%`,
    );
    expect(noise.flagged).toBe(1);
    expect(photos.flagged).toBeGreaterThanOrEqual(0.9);
    expect(letters.flagged).toBeGreaterThan(0.3);
  });

  it('gives reasons on single inputs: quiet on a digit, mid-tones for noise, distance for an X', () => {
    const digit = test.images.slice(0, 784);
    const noise = asModelInputs(noisePictures(1, 5).slice(0, 1));
    const x = asModelInputs(letterPictures('X').slice(1));
    const [d, n, l] = detectOod(model, cal, Float32Array.from([...digit, ...noise, ...x]));
    expect(d!.outOfDistribution).toBe(false);
    expect(d!.reasons).toEqual([]);
    expect(n!.reasons).toContain('mid-tones');
    expect(l!.reasons).toContain('far-from-digits');
  });

  it('counts mid-tones and factors a covariance', () => {
    expect(midToneShare([0, 1, 0.5, 0.1, 0.9, 0.2])).toBeCloseTo(2 / 6);
    const l = cholesky([Float64Array.from([4, 2]), Float64Array.from([2, 3])]);
    expect(Array.from(l[0]!)).toEqual([2, 0]);
    expect(l[1]![0]).toBeCloseTo(1);
    expect(l[1]![1]).toBeCloseTo(Math.sqrt(2));
    expect(() => cholesky([Float64Array.from([0])])).toThrow(/not positive definite/);
  });

  it('sees a blank picture as no ink', () => {
    const blank = mnistStyle({ width: 50, height: 40, data: new Float32Array(2000).fill(1) });
    expect(blank.hasInk).toBe(false);
  });
});
