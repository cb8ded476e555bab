import { argmaxRows } from './classification.js';
import { checkLabels, classCount } from './shape.js';

/** counts[t][p]: how many examples of true class t were predicted as p. */
export type ConfusionMatrix = number[][];

/**
 * Confusion matrix, rows = true class, columns = predicted class. `predicted` is either the
 * probabilities [n, classes] (row-major Float32Array; the argmax is the prediction) or the predicted
 * class indices (Int32Array, then `classes` is needed).
 */
export function confusionMatrix(
  predicted: Float32Array | Int32Array,
  labels: Int32Array,
  classes?: number,
): ConfusionMatrix {
  let preds: Int32Array;
  let k: number;
  if (predicted instanceof Float32Array) {
    k = classCount(predicted, labels);
    if (classes !== undefined && classes !== k) {
      throw new RangeError(`classes is ${classes} but probs has ${k} columns`);
    }
    preds = argmaxRows(predicted, k);
  } else {
    if (classes === undefined || !Number.isInteger(classes) || classes < 1) {
      throw new RangeError('classes (a positive integer) is needed with predicted class indices');
    }
    if (predicted.length !== labels.length) {
      throw new RangeError(`predicted has ${predicted.length} entries but labels has ${labels.length}`);
    }
    k = classes;
    checkLabels(labels, k);
    checkLabels(predicted, k, 'predicted');
    preds = predicted;
  }
  const m: ConfusionMatrix = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const row = m[labels[i] as number] as number[];
    row[preds[i] as number] = (row[preds[i] as number] as number) + 1;
  }
  return m;
}

export interface ClassScores {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  /** Number of examples whose true class this is. */
  support: number;
}

export interface ClassReport {
  classes: ClassScores[];
  accuracy: number;
  /** Unweighted mean over classes: every class counts the same however rare. */
  macro: Omit<ClassScores, 'label'>;
  /** Mean over classes weighted by support: what a typical example sees. */
  weighted: Omit<ClassScores, 'label'>;
  total: number;
}

/**
 * Per-class precision, recall and F1 with macro and weighted means, from a confusion matrix. A class
 * never predicted has precision 0, one never present recall 0 (scikit-learn's zero_division=0).
 */
export function classReport(matrix: ConfusionMatrix, labels?: readonly string[]): ClassReport {
  const k = matrix.length;
  if (k === 0 || matrix.some((row) => row.length !== k)) throw new RangeError('matrix must be square and non-empty');
  if (labels !== undefined && labels.length !== k) {
    throw new RangeError(`labels has ${labels.length} names but the matrix has ${k} classes`);
  }
  const at = (t: number, p: number) => (matrix[t] as number[])[p] as number;
  let total = 0;
  let correct = 0;
  const classes: ClassScores[] = [];
  for (let c = 0; c < k; c++) {
    let support = 0;
    let predictedAsC = 0;
    for (let j = 0; j < k; j++) {
      support += at(c, j);
      predictedAsC += at(j, c);
    }
    const tp = at(c, c);
    const precision = predictedAsC === 0 ? 0 : tp / predictedAsC;
    const recall = support === 0 ? 0 : tp / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    classes.push({ label: labels?.[c] ?? String(c), precision, recall, f1, support });
    total += support;
    correct += tp;
  }
  const mean = (weight: (s: ClassScores) => number) => {
    const w = classes.reduce((n, s) => n + weight(s), 0);
    const avg = (f: (s: ClassScores) => number) =>
      w === 0 ? 0 : classes.reduce((n, s) => n + weight(s) * f(s), 0) / w;
    return { precision: avg((s) => s.precision), recall: avg((s) => s.recall), f1: avg((s) => s.f1), support: total };
  };
  return {
    classes,
    accuracy: total === 0 ? 0 : correct / total,
    macro: mean(() => 1),
    weighted: mean((s) => s.support),
    total,
  };
}
