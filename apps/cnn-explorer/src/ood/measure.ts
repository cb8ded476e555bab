// How often the out-of-distribution warning fires: on held-out digits (where every warning is a false
// alarm) and on pictures that are not digits (where each one it misses is a photo or a letter answered
// as a digit without a word of doubt).
import type * as tf from '@tensorflow/tfjs';
import { MNIST_PIXELS, type DigitSet } from '../mnist/digits.js';
import { classify } from '../model/classify.js';
import { detectOod, type OodCalibration, type OodReason } from './detector.js';

export interface OodRate {
  set: string;
  /** Whether the set holds digits (warnings are false alarms) or not (warnings are detections). */
  digits: boolean;
  count: number;
  /** Share of the set the warning fires on. */
  flagged: number;
  /** Share each check alone fires on. */
  byCheck: Record<OodReason, number>;
  /** For digits with known labels: the share the model gets right. */
  accuracy?: number;
}

/** The warning's rate on one set of 28x28 model inputs; with `labels` (digits), the model's accuracy too. */
export function oodRate(
  model: tf.LayersModel,
  cal: OodCalibration,
  set: string,
  images: Float32Array,
  digits: boolean,
  labels?: ArrayLike<number>,
): OodRate {
  const verdicts = detectOod(model, cal, images);
  const count = images.length / MNIST_PIXELS;
  let accuracy: number | undefined;
  if (labels) {
    if (labels.length !== count) throw new RangeError(`oodRate: ${labels.length} labels for ${count} pictures`);
    accuracy = classify(model, images).filter((c, i) => c.predicted === labels[i]).length / count;
  }
  const share = (pred: (r: OodReason[]) => boolean) =>
    count === 0 ? 0 : verdicts.filter((v) => pred(v.reasons)).length / count;
  return {
    set,
    digits,
    count,
    flagged: share((r) => r.length > 0),
    byCheck: {
      'mid-tones': share((r) => r.includes('mid-tones')),
      'far-from-digits': share((r) => r.includes('far-from-digits')),
      'no-clear-class': share((r) => r.includes('no-clear-class')),
    },
    ...(accuracy !== undefined ? { accuracy } : {}),
  };
}

/** The held-out test digits as a set for oodRate. */
export function testDigitsRate(model: tf.LayersModel, cal: OodCalibration, test: DigitSet): OodRate {
  return oodRate(model, cal, 'MNIST test digits', test.images, true, test.labels);
}

/** The rates as an aligned text table. */
export function formatOodTable(rates: OodRate[]): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const head = ['set', 'pictures', 'warned', 'mid-tones', 'far-from-digits', 'no-clear-class', 'accuracy'];
  const rows = rates.map((r) => [
    r.set,
    String(r.count),
    `${pct(r.flagged)} ${r.digits ? '(false alarms)' : '(detected)'}`,
    pct(r.byCheck['mid-tones']),
    pct(r.byCheck['far-from-digits']),
    pct(r.byCheck['no-clear-class']),
    r.accuracy === undefined ? '' : pct(r.accuracy),
  ]);
  const all = [head, ...rows];
  const widths = head.map((_, c) => Math.max(...all.map((row) => row[c]!.length)));
  return all
    .map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '))
    .join('\n');
}
