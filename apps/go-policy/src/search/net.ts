// The policy network as the search's batch evaluator.
import type * as tf from '@tensorflow/tfjs';
import { batchForward, type ForwardOptions } from '../model/predict.js';
import type { NetEvaluator } from './search.js';

/**
 * count positions of planes (NHWC, `planes` per point) -> count x 361 move probabilities, one forward pass (on
 * core's wasm forward plan where it runs, model.predict otherwise).
 */
export function tfNetEvaluator(model: tf.LayersModel, planes: number, opts: ForwardOptions = {}): NetEvaluator {
  return batchForward(model, planes, opts);
}
