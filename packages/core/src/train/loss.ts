import * as tf from '@tensorflow/tfjs';

/** Probabilities are clipped so that a confident mistake costs -log(1e-7) ~ 16, not Infinity. */
export const PROB_EPSILON = 1e-7;

/** Mean categorical cross-entropy of softmax outputs `probs` [n, classes] against one-hot `labels`. */
export function crossEntropy(probs: tf.Tensor, labels: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const logp = tf.log(tf.clipByValue(probs, PROB_EPSILON, 1 - PROB_EPSILON));
    return tf.neg(tf.mean(tf.sum(tf.mul(labels, logp), -1))) as tf.Scalar;
  });
}

/** How many predicted classes equal their labels (n small ints: cheaper in JS than another kernel). */
export function countMatches(predicted: Int32Array, labels: Int32Array): number {
  let n = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) n++;
  return n;
}

/** The same cross-entropy in plain JS over a [n, classes] probability buffer (for evaluation). */
export function crossEntropySum(
  probs: Float32Array,
  labels: Int32Array,
  classes: number,
): { loss: number; correct: number } {
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = probs.subarray(i * classes, (i + 1) * classes);
    const label = labels[i] as number;
    const p = Math.min(Math.max(row[label] as number, PROB_EPSILON), 1 - PROB_EPSILON);
    loss -= Math.log(p);
    let best = 0;
    for (let c = 1; c < classes; c++) if ((row[c] as number) > (row[best] as number)) best = c;
    if (best === label) correct++;
  }
  return { loss, correct };
}
