// The lecture's "what does the CNN learn" pictures for the MNIST model, as rasters with captions.
// Everything here is computation; cli.ts writes the files.
import * as tf from '@tensorflow/tfjs';
import {
  maximiseActivation,
  saliencyMaps,
  tileImages,
  toRaster,
  type MaximiseOptions,
  type Raster,
  type Regularisers,
} from '@cnn-lab/core';
import { MNIST_PIXELS, MNIST_SIDE, type DigitSet } from '../mnist/index.js';

export type VisualKind = 'filter' | 'neuron' | 'class';

export interface VisualOptions extends Regularisers {
  steps?: number;
  stepSize?: number;
  l1?: number;
  seed?: number;
  start?: 'grey' | 'noise';
  /** Which units (default: all of the layer's). */
  units?: number[];
  onStep?: (step: number, meanScore: number) => void;
}

export interface UnitPicture {
  unit: number;
  image: Float32Array;
  /** The unit's activation at the picture. */
  score: number;
  /** What the model says the picture is, and how sure it is. */
  predicted: number;
  confidence: number;
}

export interface Visualisation {
  layer: string;
  kind: VisualKind;
  pictures: UnitPicture[];
  grid: Raster;
}

/** Units a layer has: filters of a conv layer, neurons of a dense layer. */
export function unitCount(model: tf.LayersModel, layer: string): number {
  const shape = model.getLayer(layer).outputShape as (number | null)[];
  return shape[shape.length - 1] ?? 0;
}

/** The class the model gives each 28x28 picture, and its probability. */
export function classify(model: tf.LayersModel, images: Float32Array): Array<{ predicted: number; confidence: number }> {
  const n = images.length / MNIST_PIXELS;
  const probs = tf.tidy(() => (model.predict(tf.tensor4d(images, [n, MNIST_SIDE, MNIST_SIDE, 1])) as tf.Tensor).dataSync());
  const classes = probs.length / n;
  return Array.from({ length: n }, (_, i) => {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probs[i * classes + c]! > probs[i * classes + best]!) best = c;
    return { predicted: best, confidence: probs[i * classes + best]! };
  });
}

/**
 * Activation maximisation for every unit of `layer`, laid out as a grid with each picture's unit, and
 * for classes also what the model calls the picture and its confidence (the lecture's point: the
 * machine's "digits" need not look like ours).
 */
export async function visualiseLayer(
  model: tf.LayersModel,
  layer: string,
  kind: VisualKind,
  opts: VisualOptions = {},
): Promise<Visualisation> {
  const count = unitCount(model, layer);
  const units = opts.units ?? Array.from({ length: count }, (_, i) => i);
  const max: MaximiseOptions = {
    layer,
    units,
    steps: opts.steps ?? 150,
    stepSize: opts.stepSize ?? 0.02,
    start: opts.start ?? 'noise',
    seed: opts.seed ?? 1,
    l1: opts.l1 ?? 0,
    ...(opts.jitter !== undefined ? { jitter: opts.jitter } : {}),
    ...(opts.blurSigma !== undefined ? { blurSigma: opts.blurSigma } : {}),
    ...(opts.blurEvery !== undefined ? { blurEvery: opts.blurEvery } : {}),
    ...(opts.clip !== undefined ? { clip: opts.clip } : {}),
    ...(opts.onStep ? { onStep: opts.onStep } : {}),
  };
  const r = await maximiseActivation(model, max);
  const labels = classify(model, r.images);
  const pictures = units.map((unit, i) => ({
    unit,
    image: r.images.slice(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS),
    score: r.finalScores[i]!,
    predicted: labels[i]!.predicted,
    confidence: labels[i]!.confidence,
  }));
  const caption = (p: UnitPicture) =>
    kind === 'class' ? `${p.unit}:${p.predicted} ${Math.round(p.confidence * 100)}%` : `${kind === 'filter' ? 'f' : 'n'}${p.unit}`;
  const grid = tileImages(
    pictures.map((p) => ({ image: toRaster(p.image, [MNIST_SIDE, MNIST_SIDE], { normalize: 'minmax' }), label: caption(p) })),
    { scale: 3, columns: kind === 'class' ? 5 : 10 },
  );
  return { layer, kind, pictures, grid };
}

/** Test digits beside their saliency maps (|d y_c / d x| for the true class), as one grid. */
export async function saliencyGrid(model: tf.LayersModel, digits: DigitSet, count: number): Promise<{ grid: Raster; predicted: number[] }> {
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
    tiles.push({ image: toRaster(map, [MNIST_SIDE, MNIST_SIDE], { normalize: 'minmax', colormap: 'heat' }), label: 'saliency' });
  }
  return { grid: tileImages(tiles, { scale: 3, columns: 8 }), predicted };
}

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
