import * as tf from '@tensorflow/tfjs';
import { batchToTensors, validateBatch } from './batch.js';
import { countMatches, crossEntropy } from './loss.js';
import { collectRowsGathered } from './rows.js';
import { withSeed } from './seed.js';
import type { ArrayBatch } from './types.js';

export interface BatchGradients {
  /** Mean loss over the batch, regulariser penalties included. */
  loss: number;
  correct: number;
  count: number;
  /** One gradient per `model.trainableWeights` entry, in that order. The caller disposes them. */
  grads: tf.Tensor[];
  /** The rows each table's layer noted gathering (rows.ts), by variable name: where its gradient can be non-zero. */
  rowsGathered: ReadonlyMap<string, Int32Array[]>;
}

function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * The forward pass runs with training=true (dropout active, batch-norm updating its moving statistics),
 * as model.fit does; `seed` fixes the dropout masks.
 */
export function computeGradients(
  model: tf.LayersModel,
  batch: ArrayBatch,
  classes: number,
  seed: number,
  /** Tables (variable names) whose gradients the caller reads only at the rows their layers gathered. */
  byRows: ReadonlySet<string> = new Set(),
): BatchGradients {
  validateBatch(batch, classes);
  const variables = trainableVariables(model);
  return withSeed(seed, () => {
    const { x, oneHot } = batchToTensors(batch, classes);
    try {
      let predicted: tf.Tensor | undefined;
      const {
        result: { value, grads },
        rows,
      } = collectRowsGathered(
        () =>
          tf.variableGrads(() => {
            const probs = model.apply(x, { training: true }) as tf.Tensor;
            predicted = tf.keep(tf.argMax(probs, -1));
            let loss = crossEntropy(probs, oneHot);
            for (const penalty of model.calculateLosses()) loss = tf.add(loss, penalty);
            return loss;
          }, variables),
        byRows,
      );
      const loss = value.dataSync()[0] as number;
      value.dispose();
      const correctCount = predicted ? countMatches(predicted.dataSync() as Int32Array, batch.ys) : 0;
      predicted?.dispose();
      return {
        loss,
        correct: correctCount,
        count: batch.ys.length,
        grads: variables.map((v) => grads[v.name] as tf.Tensor),
        rowsGathered: rows,
      };
    } finally {
      x.dispose();
      oneHot.dispose();
    }
  });
}

/**
 * Applies gradients (null: a row table already updated by rows), then each weight's constraint (max-norm, non-negativity...). tfjs's own fit leaves
 * constraints out; Keras applies them after every update, and so do we.
 */
export function applyGradients(model: tf.LayersModel, optimizer: tf.Optimizer, grads: (tf.Tensor | null)[]): void {
  const weights = model.trainableWeights;
  const named: tf.NamedTensorMap = {};
  weights.forEach((w, i) => {
    const g = grads[i];
    // null: a row table whose rows the optimizer already took (applyRowGradients).
    if (g === null) return;
    if (!g) throw new Error(`no gradient for weight ${w.originalName}`);
    named[(w.read() as tf.Variable).name] = g;
  });
  optimizer.applyGradients(named);
  for (const w of weights) {
    if (w.constraint) {
      const v = w.read() as tf.Variable;
      tf.tidy(() => {
        v.assign(w.constraint.apply(v));
      });
    }
  }
}
