// Deep Dream (Mordvintsev et al. 2015), following Keras' example: gradient ascent on the input to make
// chosen layers fire harder, over several octaves (scales), putting back after each octave the detail
// that downscaling lost.
import * as tf from '@tensorflow/tfjs';
import { fromBatch, toBatch } from './float-image.js';
import type { FloatImage } from './image.js';
import { layerOutputModel } from './layer-model.js';

export interface DeepDreamOptions {
  /** Layer name -> weight of its activation in the loss (default Keras': InceptionV3 mixed4..mixed7). */
  layers?: Record<string, number>;
  /** Number of scales (default 3), each octaveScale times the last (default 1.4). */
  octaves?: number;
  octaveScale?: number;
  /** Ascent steps per octave (default 20) and step length (default 0.01, on pixels in [0, 1]). */
  steps?: number;
  stepSize?: number;
  /** Stop an octave early once the loss passes this (default: never). */
  maxLoss?: number;
  onStep?: (info: { octave: number; step: number; loss: number; size: [number, number] }) => void;
}

export const KERAS_DREAM_LAYERS: Readonly<Record<string, number>> = {
  mixed4: 1.0,
  mixed5: 1.5,
  mixed6: 2.0,
  mixed7: 2.5,
};

/**
 * Keras' dream loss: sum over layers of weight * sum(a^2) / size(a), with a 2-pixel border left out,
 * because activations at the border see padding and would otherwise paint frames.
 */
export function dreamLoss(activations: tf.Tensor[], weights: readonly number[]): tf.Scalar {
  return tf.tidy(() => {
    let loss: tf.Scalar = tf.scalar(0);
    activations.forEach((a, i) => {
      const [, h, w] = a.shape as number[];
      const inner = h! > 4 && w! > 4 ? a.slice([0, 2, 2, 0], [-1, h! - 4, w! - 4, -1]) : a;
      loss = loss.add(
        inner
          .square()
          .sum()
          .mul(weights[i]! / a.size),
      );
    });
    return loss;
  });
}

/** The octave sizes, smallest first, ending at the image's own size. */
export function octaveSizes(height: number, width: number, octaves: number, scale: number): Array<[number, number]> {
  const sizes: Array<[number, number]> = [];
  for (let i = octaves - 1; i >= 0; i--) {
    sizes.push([Math.max(1, Math.round(height / scale ** i)), Math.max(1, Math.round(width / scale ** i))]);
  }
  return sizes;
}

/**
 * Dreams on `image` (pixels in the range the model expects). The model must take inputs of any size
 * (see rebuildForInference) for the octaves to work.
 */
export async function deepDream(
  model: tf.LayersModel,
  image: FloatImage,
  opts: DeepDreamOptions = {},
): Promise<{ image: FloatImage; losses: number[] }> {
  const layerWeights = opts.layers ?? KERAS_DREAM_LAYERS;
  const names = Object.keys(layerWeights);
  if (names.length === 0) throw new RangeError('deepDream: no layers given');
  const weights = names.map((n) => layerWeights[n]!);
  const features = layerOutputModel(model, names);
  const steps = opts.steps ?? 20;
  const stepSize = opts.stepSize ?? 0.01;
  const lossOf = (x: tf.Tensor) => {
    const out = features.apply(x);
    return dreamLoss(Array.isArray(out) ? (out as tf.Tensor[]) : [out as tf.Tensor], weights);
  };
  const valueAndGrad = tf.valueAndGrad((x: tf.Tensor) => lossOf(x));

  const { height: h, width: w } = image;
  const sizes = octaveSizes(h, w, opts.octaves ?? 3, opts.octaveScale ?? 1.4);
  const original = toBatch(image);
  let img: tf.Tensor4D = original.clone();
  let shrunk = tf.image.resizeBilinear(original, sizes[0]!);
  const losses: number[] = [];
  for (const [octave, size] of sizes.entries()) {
    const resized = tf.image.resizeBilinear(img, size);
    img.dispose();
    img = resized;
    for (let step = 0; step < steps; step++) {
      const { value, next } = tf.tidy(() => {
        const { value, grad } = valueAndGrad(img);
        // Normalised by the mean |g|, so the step length is the same at every octave and layer.
        const g = grad.div(tf.maximum(tf.mean(tf.abs(grad)), 1e-7));
        return { value, next: img.add(g.mul(stepSize)) as tf.Tensor4D };
      });
      img.dispose();
      img = next;
      const loss = (await value.data())[0]!;
      value.dispose();
      losses.push(loss);
      opts.onStep?.({ octave, step, loss, size });
      if (opts.maxLoss !== undefined && loss > opts.maxLoss) break;
    }
    // Re-inject the detail that the small octaves never saw.
    const withDetail = tf.tidy(() => {
      const lost = tf.image.resizeBilinear(original, size).sub(tf.image.resizeBilinear(shrunk, size));
      return img.add(lost) as tf.Tensor4D;
    });
    img.dispose();
    img = withDetail;
    shrunk.dispose();
    shrunk = tf.image.resizeBilinear(original, size);
  }
  const clipped = tf.clipByValue(img, 0, 1);
  const result = await fromBatch(clipped);
  tf.dispose([clipped, img, shrunk, original]);
  return { image: result, losses };
}
