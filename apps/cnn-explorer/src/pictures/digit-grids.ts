// Grids of the report's first pictures: held-out digits with the model's verdict, and the first layer's kernels.
import type * as tf from '@tensorflow/tfjs';
import { tileImages, toRaster, type Raster } from '@cnn-lab/core';
import { MNIST_PIXELS, MNIST_SIDE, type DigitSet } from '../mnist/digits.js';
import { classify } from '../model/classify.js';

/** A few test digits with what the model says, for the report's first picture. */
export function sampleGrid(model: tf.LayersModel, digits: DigitSet, count: number): Raster {
  const n = Math.min(count, digits.count);
  const images = digits.images.slice(0, n * MNIST_PIXELS);
  const labels = classify(model, images);
  return tileImages(
    labels.map((l, i) => ({
      image: toRaster(images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS), [MNIST_SIDE, MNIST_SIDE]),
      label: `${l.predicted} ${Math.round(l.confidence * 100)}%`,
    })),
    { scale: 3, columns: 8 },
  );
}

/**
 * The first conv layer's kernels themselves (input channel 0), one tile each. The first layer is linear
 * in the pixels, so its activation maximiser is just a flat or edge image; its weights say more.
 */
export function kernelGrid(model: tf.LayersModel, layer: string): Raster {
  const kernel = model.getLayer(layer).getWeights()[0];
  if (!kernel || kernel.rank !== 4) throw new RangeError(`layer '${layer}' has no conv kernel`);
  const [kh, kw, , filters] = kernel.shape as [number, number, number, number];
  const w = kernel.dataSync();
  const tiles = Array.from({ length: filters }, (_, f) => {
    const values = new Float32Array(kh * kw);
    for (let i = 0; i < kh * kw; i++) values[i] = w[i * kernel.shape[2]! * filters + f]!;
    return { image: toRaster(values, [kh, kw], { normalize: 'minmax' }), label: `f${f}` };
  });
  return tileImages(tiles, { scale: 8, columns: 13 });
}
