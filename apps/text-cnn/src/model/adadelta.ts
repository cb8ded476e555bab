import { createOptimizer } from '@cnn-lab/core';
import type * as tf from '@tensorflow/tfjs';

// Zeiler's Adadelta (the step divides by the RMS of the gradients including the current one) lives in
// core, tested there: createOptimizer's 'adadelta' is it.

/** Kim's optimizer: Adadelta with rho 0.95, epsilon 1e-6 (and no learning-rate scaling). */
export function kimAdadelta(): tf.Optimizer {
  return createOptimizer({ name: 'adadelta', learningRate: 1, rho: 0.95, epsilon: 1e-6 });
}
