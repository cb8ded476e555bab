// The policy network as the search's batch evaluator.
import * as tf from '@tensorflow/tfjs';
import type { NetEvaluator } from './search.js';

/** count positions of planes (NHWC, `planes` per point) -> count x 361 move probabilities, one forward pass. */
export function tfNetEvaluator(model: tf.LayersModel, planes: number): NetEvaluator {
  return (batch: Float32Array, count: number): Float32Array =>
    tf.tidy(() => {
      const input = tf.tensor4d(batch.subarray(0, count * 361 * planes), [count, 19, 19, planes]);
      return (model.predict(input) as tf.Tensor).dataSync() as Float32Array;
    });
}
