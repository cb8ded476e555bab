// A picture as the visualisation code passes it around: height x width x channels floats, row-major.
import * as tf from '@tensorflow/tfjs';

export interface FloatImage {
  data: Float32Array;
  shape: [number, number, number];
}

export function toBatch(image: FloatImage): tf.Tensor4D {
  const [h, w, c] = image.shape;
  if (image.data.length !== h * w * c) throw new RangeError(`image: ${image.data.length} values do not fill ${h}x${w}x${c}`);
  return tf.tensor4d(image.data, [1, h, w, c]);
}

export async function fromBatch(x: tf.Tensor): Promise<FloatImage> {
  const [, h, w, c] = x.shape as [number, number, number, number];
  return { data: (await x.data()) as Float32Array, shape: [h, w, c] };
}
