import { classCount } from './shape.js';

/** Index of the largest value in each row of a row-major [n, classes] matrix (first one on ties). */
export function argmaxRows(probs: Float32Array, classes: number): Int32Array {
  if (classes <= 0 || probs.length % classes !== 0) {
    throw new RangeError(`probs has ${probs.length} values, not a whole number of rows of ${classes}`);
  }
  const n = probs.length / classes;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++)
      if ((probs[i * classes + c] as number) > (probs[i * classes + best] as number)) best = c;
    out[i] = best;
  }
  return out;
}

/** Fraction of examples whose most probable class is the label. */
export function accuracy(probs: Float32Array, labels: Int32Array): number {
  return accuracyOfPredictions(argmaxRows(probs, classCount(probs, labels)), labels);
}

/** Fraction of predicted class indices that equal the labels. */
export function accuracyOfPredictions(predicted: Int32Array, labels: Int32Array): number {
  if (predicted.length !== labels.length) {
    throw new RangeError(`predicted has ${predicted.length} entries but labels has ${labels.length}`);
  }
  if (labels.length === 0) throw new RangeError('labels is empty: a metric over no examples is undefined');
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) hits++;
  return hits / labels.length;
}

/**
 * Fraction of examples whose label is among the k most probable classes. A label tied with the k-th
 * value counts as a hit (fewer than k classes are strictly more probable), so ties never depend on
 * class order.
 */
export function topKAccuracy(probs: Float32Array, labels: Int32Array, k: number): number {
  const classes = classCount(probs, labels);
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k is ${k}; expected an integer >= 1`);
  let hits = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = i * classes;
    const p = probs[row + (labels[i] as number)] as number;
    let higher = 0;
    for (let c = 0; c < classes && higher < k; c++) if ((probs[row + c] as number) > p) higher++;
    if (higher < k) hits++;
  }
  return hits / labels.length;
}

/** The shared API notes call top-k accuracy `topK`; same function. */
export const topK = topKAccuracy;

/** The k most probable classes of one row of probabilities, most probable first. */
export function topKClasses(row: ArrayLike<number>, k: number): Array<{ index: number; probability: number }> {
  return Array.from({ length: row.length }, (_, index) => ({ index, probability: row[index] as number }))
    .sort((a, b) => b.probability - a.probability || a.index - b.index)
    .slice(0, Math.max(0, k));
}

/**
 * Mean cross-entropy of the labels under the predicted probabilities (natural log). Probabilities are
 * clipped to [eps, 1] so one confident mistake gives a large finite loss instead of Infinity.
 */
export function logLoss(probs: Float32Array, labels: Int32Array, eps = 1e-7): number {
  const classes = classCount(probs, labels);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = probs[i * classes + (labels[i] as number)] as number;
    sum -= Math.log(Math.min(1, Math.max(eps, p)));
  }
  return sum / labels.length;
}
