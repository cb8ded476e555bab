import * as tf from '@tensorflow/tfjs';
import type { ArrayBatch } from './types.js';

/** Number of classes a softmax model predicts (the last axis of its single output). */
export function classCount(model: tf.LayersModel): number {
  const shape = model.outputs[0]?.shape;
  const classes = shape?.[shape.length - 1];
  if (model.outputs.length !== 1 || typeof classes !== 'number' || classes < 2) {
    throw new Error(
      `training needs a model with one softmax output of known size >= 2, got outputs ${JSON.stringify(model.outputs.map((o) => o.shape))}`,
    );
  }
  return classes;
}

/** Checks a batch before it reaches tfjs, whose errors would not say which array is wrong. */
export function validateBatch(batch: ArrayBatch, classes: number): void {
  const { data, shape } = batch.xs;
  const n = shape[0];
  const size = shape.reduce((a, b) => a * b, 1);
  if (n === undefined || size !== data.length) {
    throw new Error(`batch xs has ${data.length} values but its shape [${shape.join(',')}] needs ${size}`);
  }
  if (batch.ys.length !== n) throw new Error(`batch has ${n} inputs but ${batch.ys.length} labels`);
  for (let i = 0; i < batch.ys.length; i++) {
    const y = batch.ys[i] as number;
    if (!(y >= 0 && y < classes))
      throw new Error(`batch label ${i} is ${y}; expected a class index in [0, ${classes})`);
  }
}

export function batchToTensors(batch: ArrayBatch, classes: number): { x: tf.Tensor; oneHot: tf.Tensor2D } {
  const x = tf.tensor(batch.xs.data, batch.xs.shape, batch.xs.data instanceof Int32Array ? 'int32' : 'float32');
  const oneHot = tf.tidy(() => tf.oneHot(tf.tensor1d(batch.ys, 'int32'), classes) as tf.Tensor2D);
  return { x, oneHot };
}

/** Examples [start, end) of a batch: fresh arrays that can be transferred to a worker, or views of the batch's own. */
export function sliceBatch(batch: ArrayBatch, start: number, end: number, view = false): ArrayBatch {
  const n = batch.xs.shape[0] as number;
  const stride = n === 0 ? 0 : batch.xs.data.length / n;
  const take = <T extends Float32Array | Int32Array>(a: T, from: number, to: number): T =>
    (view ? a.subarray(from, to) : a.slice(from, to)) as T;
  return {
    xs: { data: take(batch.xs.data, start * stride, end * stride), shape: [end - start, ...batch.xs.shape.slice(1)] },
    ys: take(batch.ys, start, end),
  };
}

/**
 * A tensor's values in an array the caller owns and may transfer to another thread. The wasm backend's
 * dataSync already copies out of its heap; the cpu backend's hands out its own storage, so copy that.
 */
export function ownedValues(t: tf.Tensor): Float32Array {
  const values = t.dataSync() as Float32Array;
  return tf.getBackend() === 'wasm' ? values : values.slice();
}
