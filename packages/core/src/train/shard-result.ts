import type * as tf from '@tensorflow/tfjs';
import { ownedValues } from './batch.js';
import type { BatchGradients } from './gradients.js';
import type { ResultMessage } from './protocol.js';
import { nonZeroRows, nonZeroRowsAmong, readValues, type RowPatch } from './rows.js';

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
  const variables = model.trainableWeights.map((w) => (w.read() as tf.Variable).name);
  const grads: (Float32Array | RowPatch)[] = result.grads.map((g, j) =>
    rowTrainable[j] ? rowPatchOf(g, result.rowsGathered.get(variables[j] as string)) : ownedValues(g),
  );
  result.grads.forEach((g) => g.dispose());
  const state = model.nonTrainableWeights.map((w) => ownedValues(w.read()));
  return { type: 'result', id, loss: result.loss, correct: result.correct, count: result.count, grads, state };
}

/**
 * A table's gradient as its non-zero rows. Only the rows its layer noted gathering (`gathered`) can be non-zero, so
 * only those are read; a layer that notes nothing gets the full scan.
 */
export function rowPatchOf(gradient: tf.Tensor, gathered: readonly Int32Array[] | undefined): RowPatch {
  const width = gradient.shape[1] as number;
  return gathered
    ? nonZeroRowsAmong(
        readValues(gradient),
        width,
        gathered.flatMap((ids) => [...ids]),
      )
    : nonZeroRows(readValues(gradient), width);
}

/** The buffers of a result, to transfer rather than copy to another thread. */
export function resultBuffers(result: ResultMessage): ArrayBuffer[] {
  const arrays = [
    ...result.grads.flatMap((g) => (g instanceof Float32Array ? [g] : [g.rows, g.values])),
    ...result.state,
  ];
  return arrays.map((a) => a.buffer as ArrayBuffer);
}
