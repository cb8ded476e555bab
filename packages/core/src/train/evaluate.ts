import * as tf from '@tensorflow/tfjs';
import { batchToTensors, classCount, validateBatch } from './batch.js';
import { crossEntropySum } from './loss.js';
import type { ArrayBatch, DataSource } from './types.js';

export interface Evaluation {
  loss: number;
  accuracy: number;
  count: number;
  /** With `probabilities: true`: [count, classes] row-major, in the order the source yielded. */
  probabilities?: Float32Array;
  /** The labels in that same order. */
  labels?: Int32Array;
}

export interface PredictedBatch {
  /** [n, classes] row-major softmax outputs. */
  probabilities: Float32Array;
  classes: number;
  labels: Int32Array;
}

/**
 * Softmax outputs for a source batch by batch (training=false: no dropout), so a set larger than
 * memory can be scored. Reads `source.batches(0, batchSize, 0)`.
 */
export async function* predictBatches(
  model: tf.LayersModel,
  source: DataSource,
  batchSize: number,
): AsyncGenerator<PredictedBatch> {
  const classes = classCount(model);
  for await (const batch of source.batches(0, batchSize, 0)) yield predictBatch(model, batch, classes);
}

function predictBatch(model: tf.LayersModel, batch: ArrayBatch, classes: number): PredictedBatch {
  validateBatch(batch, classes);
  const probabilities = tf.tidy(() => {
    const { x } = batchToTensors(batch, classes);
    return (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
  });
  return { probabilities: probabilities.slice(), classes, labels: batch.ys };
}

/** Mean cross-entropy and accuracy of `model` on `source`; optionally every probability row too. */
export async function evaluate(
  model: tf.LayersModel,
  source: DataSource,
  batchSize: number,
  options: { probabilities?: boolean } = {},
): Promise<Evaluation> {
  let loss = 0;
  let correct = 0;
  let count = 0;
  const rows: Float32Array[] = [];
  const labels: Int32Array[] = [];
  for await (const p of predictBatches(model, source, batchSize)) {
    const r = crossEntropySum(p.probabilities, p.labels, p.classes);
    loss += r.loss;
    correct += r.correct;
    count += p.labels.length;
    if (options.probabilities) {
      rows.push(p.probabilities);
      labels.push(p.labels);
    }
  }
  if (count === 0) throw new Error('evaluate: the data source yielded no examples');
  const result: Evaluation = { loss: loss / count, accuracy: correct / count, count };
  if (options.probabilities) {
    result.probabilities = concat(rows, Float32Array);
    result.labels = concat(labels, Int32Array);
  }
  return result;
}

function concat<T extends Float32Array | Int32Array>(parts: T[], Ctor: new (n: number) => T): T {
  const out = new Ctor(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
