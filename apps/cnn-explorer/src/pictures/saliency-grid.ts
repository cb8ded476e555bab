// Which pixels matter: test digits beside their plain-gradient saliency maps, as one grid.
import type * as tf from '@tensorflow/tfjs';
import { saliencyMaps, tileImages, toRaster, type Raster } from '@cnn-lab/core';
import { MNIST_PIXELS, MNIST_SIDE, type DigitSet } from '../mnist/digits.js';
import { classify } from '../model/classify.js';

/** Test digits beside their saliency maps (|d y_c / d x| for the true class), as one grid. */
export async function saliencyGrid(
  model: tf.LayersModel,
  digits: DigitSet,
  count: number,
): Promise<{ grid: Raster; predicted: number[] }> {
  const n = Math.min(count, digits.count);
  const images = digits.images.slice(0, n * MNIST_PIXELS);
  const labels = Array.from(digits.labels.slice(0, n));
  const { maps } = await saliencyMaps(model, images, [n, MNIST_SIDE, MNIST_SIDE, 1], labels);
  const predicted = classify(model, images).map((c) => c.predicted);
  const tiles = [];
  for (let i = 0; i < n; i++) {
    const img = images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS);
    const map = maps.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS);
    tiles.push({ image: toRaster(img, [MNIST_SIDE, MNIST_SIDE]), label: `${labels[i]}->${predicted[i]}` });
    tiles.push({
      image: toRaster(map, [MNIST_SIDE, MNIST_SIDE], { normalize: 'minmax', colormap: 'heat' }),
      label: 'saliency',
    });
  }
  return { grid: tileImages(tiles, { scale: 3, columns: 8 }), predicted };
}
