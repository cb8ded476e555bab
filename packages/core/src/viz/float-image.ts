// Between core's decoded photos (image.ts: RGB floats in 0..1) and the [1, h, w, 3] batches a model takes.
import * as tf from '@tensorflow/tfjs';
import type { FloatImage } from './image.js';

export function toBatch(image: FloatImage): tf.Tensor4D {
  const { height: h, width: w } = image;
  if (image.data.length !== h * w * 3)
    throw new RangeError(`image: ${image.data.length} values do not fill ${h}x${w}x3`);
  return tf.tensor4d(image.data, [1, h, w, 3]);
}

export async function fromBatch(x: tf.Tensor): Promise<FloatImage> {
  const [n, height, width, c] = x.shape as [number, number, number, number];
  if (n !== 1 || c !== 3) throw new RangeError(`fromBatch: expected [1, h, w, 3], got [${x.shape.join(', ')}]`);
  return { width, height, data: (await x.data()) as Float32Array };
}
