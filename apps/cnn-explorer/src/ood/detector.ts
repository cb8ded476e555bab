// "Does this look like a digit at all?" A classifier trained on digits answers a digit for anything, a
// photo of a city included; three measurable checks say when not to trust it, each calibrated on MNIST
// alone (no out-of-distribution pictures are used to set them):
//   - mid-tones: the share of the 28x28 input that is neither black nor white. MNIST digits are nearly
//     black-and-white strokes; photos and noise are grey all over.
//   - feature distance: the Mahalanobis distance (Lee et al. 2018) of the penultimate layer's activations
//     to the nearest digit class, with class means and one shared covariance from the training digits.
//     Letters and scribbles land far from every digit class.
//   - energy: -logsumexp of the logits (Liu et al. 2020); high when no class score stands out.
// Each check's limit is the quantile of the held-out validation digits that leaves `quantile` of them
// below it, so each alone wrongly warns on about 1 - quantile of real digits.
import * as tf from '@tensorflow/tfjs';
import { layerOutputModel } from '@cnn-lab/core';
import { MNIST_PIXELS, MNIST_SIDE, type DigitSet } from '../mnist/digits.js';
import { LECTURE_LAYERS } from '../model/lecture-cnn.js';

/** A pixel counts as a mid-tone strictly between these grey levels. */
export const MID_TONE_RANGE: readonly [number, number] = [0.15, 0.85];
/** The default share of validation digits each check lets through. */
export const OOD_QUANTILE = 0.99;
/** Changes whenever the calibration's meaning changes, so cached calibrations are recomputed. */
export const OOD_VERSION = 1;

export interface OodCalibration {
  version: number;
  featureLayer: string;
  quantile: number;
  /** Class means of the penultimate features, [classes][features]. */
  means: number[][];
  /** Lower Cholesky factor of the shared covariance (ridge added), row-major [features][features]. */
  cholesky: number[][];
  limits: { midTones: number; distance: number; energy: number };
  /** How many validation digits set the limits, and what share of them any check flags. */
  validation: { count: number; flagged: number };
}

export interface OodScore {
  midTones: number;
  distance: number;
  energy: number;
  /** The class nearest in feature space. */
  nearestClass: number;
}

export type OodReason = 'mid-tones' | 'far-from-digits' | 'no-clear-class';

export interface OodVerdict extends OodScore {
  outOfDistribution: boolean;
  reasons: OodReason[];
}

/** Share of pixels in the open mid-tone range. */
export function midToneShare(image: ArrayLike<number>): number {
  let mid = 0;
  for (let i = 0; i < image.length; i++) {
    const v = image[i]!;
    if (v > MID_TONE_RANGE[0] && v < MID_TONE_RANGE[1]) mid++;
  }
  return mid / image.length;
}

/** Penultimate activations and logits of n 28x28 digits, computed in batches. */
export function featuresAndLogits(
  model: tf.LayersModel,
  images: Float32Array,
  featureLayer: string = LECTURE_LAYERS.dense,
  batch = 512,
): { features: Float32Array; logits: Float32Array; dims: number; classes: number } {
  const n = images.length / MNIST_PIXELS;
  const sub = layerOutputModel(model, [featureLayer]);
  const [kernel, bias] = model.layers[model.layers.length - 1]!.getWeights();
  if (!kernel || !bias) throw new Error('featuresAndLogits: the output layer has no kernel and bias');
  const dims = kernel.shape[0]!;
  const classes = kernel.shape[1]!;
  const features = new Float32Array(n * dims);
  const logits = new Float32Array(n * classes);
  for (let at = 0; at < n; at += batch) {
    const m = Math.min(batch, n - at);
    tf.tidy(() => {
      const x = tf.tensor4d(images.subarray(at * MNIST_PIXELS, (at + m) * MNIST_PIXELS), [
        m,
        MNIST_SIDE,
        MNIST_SIDE,
        1,
      ]);
      const f = (sub.predict(x) as tf.Tensor).reshape([m, dims]);
      features.set(f.dataSync(), at * dims);
      logits.set(f.matMul(kernel).add(bias).dataSync(), at * classes);
    });
  }
  return { features, logits, dims, classes };
}

function energyOf(logits: Float32Array, i: number, classes: number): number {
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, logits[i * classes + c]!);
  let sum = 0;
  for (let c = 0; c < classes; c++) sum += Math.exp(logits[i * classes + c]! - max);
  return -(max + Math.log(sum));
}

/** Lower Cholesky factor of a symmetric positive definite matrix. */
export function cholesky(a: Float64Array[]): Float64Array[] {
  const n = a.length;
  const l = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i]![j]!;
      for (let k = 0; k < j; k++) s -= l[i]![k]! * l[j]![k]!;
      if (i === j) {
        if (!(s > 0)) throw new Error(`cholesky: matrix is not positive definite (pivot ${i} is ${s})`);
        l[i]![i] = Math.sqrt(s);
      } else {
        l[i]![j] = s / l[j]![j]!;
      }
    }
  }
  return l;
}

/** (x - mean)^T Sigma^-1 (x - mean) given Sigma's Cholesky factor, by forward substitution. */
function mahalanobis(
  x: ArrayLike<number>,
  mean: ArrayLike<number>,
  chol: ArrayLike<number>[],
  z: Float64Array,
): number {
  let q = 0;
  for (let i = 0; i < z.length; i++) {
    let s = x[i]! - mean[i]!;
    const row = chol[i]!;
    for (let k = 0; k < i; k++) s -= row[k]! * z[k]!;
    z[i] = s / row[i]!;
    q += z[i]! * z[i]!;
  }
  return q;
}

function quantileOf(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/**
 * Fits the feature statistics on `train` and sets each check's limit at the `quantile` of `validation`.
 * Pure apart from the model's forward passes: the same digits give the same calibration.
 */
export function calibrateOod(
  model: tf.LayersModel,
  train: DigitSet,
  validation: DigitSet,
  quantile = OOD_QUANTILE,
): OodCalibration {
  if (!(quantile > 0.5 && quantile < 1))
    throw new RangeError(`calibrateOod: quantile must be in (0.5, 1), got ${quantile}`);
  const { features, dims, classes } = featuresAndLogits(model, train.images);
  const means = Array.from({ length: classes }, () => new Float64Array(dims));
  const counts = new Array<number>(classes).fill(0);
  for (let i = 0; i < train.count; i++) {
    const c = train.labels[i]!;
    counts[c]!++;
    for (let d = 0; d < dims; d++) means[c]![d]! += features[i * dims + d]!;
  }
  for (let c = 0; c < classes; c++) {
    if (counts[c] === 0) throw new Error(`calibrateOod: no training digit of class ${c}`);
    for (let d = 0; d < dims; d++) means[c]![d]! /= counts[c]!;
  }
  const cov = Array.from({ length: dims }, () => new Float64Array(dims));
  const diff = new Float64Array(dims);
  for (let i = 0; i < train.count; i++) {
    const m = means[train.labels[i]!]!;
    for (let d = 0; d < dims; d++) diff[d] = features[i * dims + d]! - m[d]!;
    for (let a = 0; a < dims; a++) {
      const da = diff[a]!;
      if (da === 0) continue;
      const row = cov[a]!;
      for (let b = 0; b <= a; b++) row[b]! += da * diff[b]!;
    }
  }
  let trace = 0;
  for (let a = 0; a < dims; a++) {
    for (let b = 0; b <= a; b++) {
      cov[a]![b]! /= train.count;
      cov[b]![a] = cov[a]![b]!;
    }
    trace += cov[a]![a]!;
  }
  // Dead ReLU units have zero variance: a small ridge keeps the covariance invertible.
  for (let a = 0; a < dims; a++) cov[a]![a]! += (1e-3 * trace) / dims;
  const chol = cholesky(cov);

  const partial: Omit<OodCalibration, 'limits' | 'validation'> = {
    version: OOD_VERSION,
    featureLayer: LECTURE_LAYERS.dense,
    quantile,
    means: means.map((m) => Array.from(m)),
    cholesky: chol.map((r) => Array.from(r)),
  };
  const scores = scoreWith(model, partial, validation.images);
  const limits = {
    midTones: quantileOf(
      scores.map((s) => s.midTones),
      quantile,
    ),
    distance: quantileOf(
      scores.map((s) => s.distance),
      quantile,
    ),
    energy: quantileOf(
      scores.map((s) => s.energy),
      quantile,
    ),
  };
  const calibration = { ...partial, limits, validation: { count: validation.count, flagged: 0 } };
  calibration.validation.flagged = scores.filter((s) => judge(s, limits).outOfDistribution).length / validation.count;
  return calibration;
}

function scoreWith(
  model: tf.LayersModel,
  cal: Pick<OodCalibration, 'means' | 'cholesky' | 'featureLayer'>,
  images: Float32Array,
): OodScore[] {
  const { features, logits, dims, classes } = featuresAndLogits(model, images, cal.featureLayer);
  if (cal.means.length !== classes || cal.means[0]?.length !== dims) {
    throw new Error(
      `OOD calibration is for ${cal.means.length}x${cal.means[0]?.length} features; the model gives ${classes}x${dims}`,
    );
  }
  const n = images.length / MNIST_PIXELS;
  const z = new Float64Array(dims);
  return Array.from({ length: n }, (_, i) => {
    const f = features.subarray(i * dims, (i + 1) * dims);
    let distance = Infinity;
    let nearestClass = 0;
    for (let c = 0; c < classes; c++) {
      const d = mahalanobis(f, cal.means[c]!, cal.cholesky, z);
      if (d < distance) {
        distance = d;
        nearestClass = c;
      }
    }
    return {
      midTones: midToneShare(images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS)),
      distance,
      energy: energyOf(logits, i, classes),
      nearestClass,
    };
  });
}

function judge(score: OodScore, limits: OodCalibration['limits']): OodVerdict {
  const reasons: OodReason[] = [];
  if (score.midTones > limits.midTones) reasons.push('mid-tones');
  if (score.distance > limits.distance) reasons.push('far-from-digits');
  if (score.energy > limits.energy) reasons.push('no-clear-class');
  return { ...score, outOfDistribution: reasons.length > 0, reasons };
}

/** The three scores and the verdict for each of n 28x28 inputs (light ink on black, as the model sees them). */
export function detectOod(model: tf.LayersModel, cal: OodCalibration, images: Float32Array): OodVerdict[] {
  return scoreWith(model, cal, images).map((s) => judge(s, cal.limits));
}

/** What each reason means, for people. */
export const OOD_REASON_TEXT: Record<OodReason, string> = {
  'mid-tones': 'it is grey all over, not strokes of ink on a plain background',
  'far-from-digits': "the network's features are far from those of every digit it was trained on",
  'no-clear-class': 'no class stands out in the scores before the softmax',
};
