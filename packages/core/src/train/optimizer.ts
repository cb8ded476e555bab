import * as tf from '@tensorflow/tfjs';
import { ZeilerAdadelta } from './adadelta.js';

/** A serialisable optimizer description, so a checkpoint or a worker can recreate the same optimizer. */
export type OptimizerSpec =
  | { name: 'sgd'; learningRate: number }
  | { name: 'momentum'; learningRate: number; momentum?: number; useNesterov?: boolean }
  | { name: 'adam'; learningRate?: number; beta1?: number; beta2?: number; epsilon?: number }
  | { name: 'adadelta'; learningRate?: number; rho?: number; epsilon?: number }
  | { name: 'rmsprop'; learningRate: number; decay?: number; momentum?: number; epsilon?: number };

export type OptimizerLike = tf.Optimizer | OptimizerSpec;

export function createOptimizer(spec: OptimizerSpec): tf.Optimizer {
  const lr: unknown = spec.learningRate;
  const needsLr = spec.name === 'sgd' || spec.name === 'momentum' || spec.name === 'rmsprop';
  if ((lr !== undefined || needsLr) && !(typeof lr === 'number' && Number.isFinite(lr) && lr >= 0)) {
    throw new Error(`optimizer ${spec.name}: learningRate must be a number >= 0, got ${String(lr)}`);
  }
  switch (spec.name) {
    case 'sgd':
      return tf.train.sgd(spec.learningRate);
    case 'momentum':
      return tf.train.momentum(spec.learningRate, spec.momentum ?? 0.9, spec.useNesterov ?? false);
    case 'adam':
      return tf.train.adam(spec.learningRate ?? 0.001, spec.beta1, spec.beta2, spec.epsilon);
    case 'adadelta':
      // Not tf.train.adadelta: its first step is plain SGD (see adadelta.ts).
      return new ZeilerAdadelta(spec.learningRate ?? 1, spec.rho ?? 0.95, spec.epsilon);
    case 'rmsprop':
      return tf.train.rmsprop(spec.learningRate, spec.decay, spec.momentum, spec.epsilon);
    default: {
      const name = (spec as { name?: unknown }).name;
      throw new Error(`unknown optimizer ${JSON.stringify(name)}: expected sgd, momentum, adam, adadelta or rmsprop`);
    }
  }
}

export function toOptimizer(like: OptimizerLike): tf.Optimizer {
  return like instanceof tf.Optimizer ? like : createOptimizer(like);
}

interface WithLearningRate {
  learningRate: number;
  setLearningRate?: (lr: number) => void;
}

export function getLearningRate(optimizer: tf.Optimizer): number {
  return (optimizer as unknown as WithLearningRate).learningRate;
}

/**
 * tfjs has no public way to change an optimizer's rate; SGD and momentum cache it as a scalar
 * (`setLearningRate` refreshes it), the others read the `learningRate` field at every update.
 */
export function setLearningRate(optimizer: tf.Optimizer, lr: number): void {
  const o = optimizer as unknown as WithLearningRate;
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
}
