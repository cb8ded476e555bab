// A photo or scan of a handwritten digit as the model sees digits: 28x28 grey values, light digit on black.
import * as tf from '@tensorflow/tfjs';
import type { FloatImage } from '@cnn-lab/core';
import { MNIST_SIDE } from './digits.js';

/**
 * Averages the colour channels, shrinks the picture to 28x28 and, when it is mostly light (a dark pen on
 * paper), inverts it, since MNIST digits are light on dark.
 */
export function digitFromPhoto(photo: FloatImage): Float32Array {
  return tf.tidy(() => {
    const grey = tf.tensor3d(photo.data, [photo.height, photo.width, 3]).mean<tf.Tensor3D>(2, true);
    const small = tf.image.resizeBilinear(grey, [MNIST_SIDE, MNIST_SIDE], true);
    const lightPaper = small.mean().dataSync()[0]! > 0.5;
    return (lightPaper ? tf.sub(1, small) : small).dataSync() as Float32Array;
  });
}
