// Saliency maps (Simonyan et al. 2014): |d y_c / d x|, how much each input pixel moves the class score.
import * as tf from '@tensorflow/tfjs';
import { unitScores } from './maximise.js';
import { withoutActivation } from './layer-model.js';

export interface SaliencyResult {
  /** n maps of h x w, back to back: the largest |gradient| over the channels of each pixel. */
  maps: Float32Array;
  shape: [number, number, number];
}

/**
 * One saliency map per image for the class given beside it. `images` is [n, h, w, c] back to back. By
 * default the gradient is of the class's pre-softmax score, whose gradient does not vanish when the model
 * is already sure.
 */
export async function saliencyMaps(
  model: tf.LayersModel,
  images: Float32Array,
  shape: readonly number[],
  classes: readonly number[],
  opts: { preActivation?: boolean } = {},
): Promise<SaliencyResult> {
  const [n, h, w, c] = shape;
  if (shape.length !== 4 || n === undefined || h === undefined || w === undefined || c === undefined) {
    throw new RangeError(`saliencyMaps: shape must be [n, h, w, c], got [${shape.join(', ')}]`);
  }
  if (images.length !== n * h * w * c)
    throw new RangeError(`saliencyMaps: ${images.length} values do not fill [${shape.join(', ')}]`);
  if (classes.length !== n) throw new RangeError(`saliencyMaps: ${classes.length} classes for ${n} images`);
  const last = model.layers[model.layers.length - 1]!;
  const grad = tf.grad((x: tf.Tensor) =>
    withoutActivation(last, opts.preActivation ?? true, () => unitScores(model.apply(x) as tf.Tensor, classes).sum()),
  );
  const out = tf.tidy(() => tf.max(tf.abs(grad(tf.tensor4d(images, [n, h, w, c]))), 3));
  const maps = (await out.data()) as Float32Array;
  out.dispose();
  return { maps, shape: [n, h, w] };
}
