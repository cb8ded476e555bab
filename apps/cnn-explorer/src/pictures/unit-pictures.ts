// Activation maximisation for every unit of one layer of the lecture model (filters, neurons, classes),
// as one captioned grid. Computation only: the commands write the files.
import type * as tf from '@tensorflow/tfjs';
import {
  maximiseActivation,
  tileImages,
  toRaster,
  type MaximiseOptions,
  type Raster,
  type Regularisers,
} from '@cnn-lab/core';
import { MNIST_PIXELS, MNIST_SIDE } from '../mnist/digits.js';
import { classify } from '../model/classify.js';

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
    kind === 'class'
      ? `${p.unit}:${p.predicted} ${Math.round(p.confidence * 100)}%`
      : `${kind === 'filter' ? 'f' : 'n'}${p.unit}`;
  const grid = tileImages(
    pictures.map((p) => ({
      image: toRaster(p.image, [MNIST_SIDE, MNIST_SIDE], { normalize: 'minmax' }),
      label: caption(p),
    })),
    { scale: 3, columns: kind === 'class' ? 5 : 10 },
  );
  return { layer, kind, pictures, grid };
}
