import * as tf from '@tensorflow/tfjs';
import { perPointBias } from './per-point-bias.js';

/** The board the network sees; the policy is a distribution over its 361 points (passes are not predicted). */
export const BOARD = 19;
export const POINTS = BOARD * BOARD;

export interface PolicyNetOptions {
  /** Input planes per point: 48 for AlphaGo's full feature set, fewer for the smaller sets. */
  planes?: number;
  /** k, the filters of every hidden convolution (AlphaGo: 192). */
  filters: number;
  /** Convolutional layers in all, counting the first 5x5 and the final 1x1 (AlphaGo: 13). */
  layers: number;
}

/**
 * The supervised policy network of Silver et al. (2016), "Methods: Neural network architecture":
 * "The first hidden layer zero pads the input into a 23x23 image, then convolves k filters of kernel
 * size 5x5 with stride 1 with the input image and applies a rectifier nonlinearity. Each of the
 * subsequent hidden layers 2 to 12 zero pads the respective previous hidden layer into a 21x21 image,
 * then convolves k filters of kernel size 3x3 with stride 1, again followed by a rectifier
 * nonlinearity. The final layer convolves 1 filter of kernel size 1x1 with stride 1, with a different
 * bias for each position, and applies a softmax function."
 * Returned uncompiled: the training loop chooses the optimizer and loss.
 */
export function buildPolicyNet({ planes = 48, filters, layers }: PolicyNetOptions): tf.LayersModel {
  if (!Number.isInteger(planes) || planes < 1) throw new RangeError(`planes must be a positive integer, got ${planes}`);
  if (!Number.isInteger(filters) || filters < 1)
    throw new RangeError(`filters must be a positive integer, got ${filters}`);
  if (!Number.isInteger(layers) || layers < 2) {
    throw new RangeError(`layers must be an integer >= 2 (a 5x5 layer and the 1x1 output), got ${layers}`);
  }
  const board = tf.input({ shape: [BOARD, BOARD, planes], name: 'planes' });
  // 'same' padding is the paper's zero padding to 23x23 (5x5) and 21x21 (3x3): the output stays 19x19.
  let x = tf.layers
    .conv2d({ filters, kernelSize: 5, padding: 'same', activation: 'relu', name: 'conv5x5' })
    .apply(board) as tf.SymbolicTensor;
  for (let i = 2; i <= layers - 1; i++) {
    x = tf.layers
      .conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu', name: `conv3x3_${i}` })
      .apply(x) as tf.SymbolicTensor;
  }
  // The position-dependent bias replaces the 1x1 convolution's shared one.
  x = tf.layers.conv2d({ filters: 1, kernelSize: 1, useBias: false, name: 'conv1x1' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten({ name: 'flatten' }).apply(x) as tf.SymbolicTensor;
  x = perPointBias({ name: 'per_point_bias' }).apply(x) as tf.SymbolicTensor;
  const policy = tf.layers.softmax({ name: 'policy' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: board, outputs: policy, name: `policy_${filters}x${layers}` });
}
