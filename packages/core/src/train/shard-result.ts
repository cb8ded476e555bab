import type * as tf from '@tensorflow/tfjs';
import { ownedValues } from './batch.js';
import type { BatchGradients } from './gradients.js';
import type { ResultMessage } from './protocol.js';
import { nonZeroRows, readValues, type RowPatch } from './rows.js';

/**
 * One shard's gradients as the trainer averages them, whichever thread computed them: arrays the caller owns, in
 * `model.trainableWeights` order, a row table's (`rowTrainable`) as its non-zero rows only; and the non-trainable
 * weights after the step (batch-norm statistics). Disposes the gradient tensors.
 */
export function shardResult(
  model: tf.LayersModel,
  result: BatchGradients,
  rowTrainable: readonly boolean[],
  id: number,
): ResultMessage {
  const grads: (Float32Array | RowPatch)[] = result.grads.map((g, j) =>
    rowTrainable[j] ? nonZeroRows(readValues(g), g.shape[1] as number) : ownedValues(g),
  );
  result.grads.forEach((g) => g.dispose());
  const state = model.nonTrainableWeights.map((w) => ownedValues(w.read()));
  return { type: 'result', id, loss: result.loss, correct: result.correct, count: result.count, grads, state };
}

/** The buffers of a result, to transfer rather than copy to another thread. */
export function resultBuffers(result: ResultMessage): ArrayBuffer[] {
  const arrays = [
    ...result.grads.flatMap((g) => (g instanceof Float32Array ? [g] : [g.rows, g.values])),
    ...result.state,
  ];
  return arrays.map((a) => a.buffer as ArrayBuffer);
}
