// What the lecture model says 28x28 pictures are.
import * as tf from '@tensorflow/tfjs';
import { MNIST_PIXELS, MNIST_SIDE } from '../mnist/digits.js';

/** The class the model gives each 28x28 picture, and its probability. */
export function classify(
  model: tf.LayersModel,
  images: Float32Array,
): Array<{ predicted: number; confidence: number }> {
  const n = images.length / MNIST_PIXELS;
  const probs = tf.tidy(() =>
    (model.predict(tf.tensor4d(images, [n, MNIST_SIDE, MNIST_SIDE, 1])) as tf.Tensor).dataSync(),
  );
  const classes = probs.length / n;
  return Array.from({ length: n }, (_, i) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c]! > probs[i * classes + best]!) best = c;
    return { predicted: best, confidence: probs[i * classes + best]! };
  });
}
