// The lecture model's training recipe for core's fit (Adam, cross-entropy, as in the lecture's Keras code) and
// its held-out scoring.
import type * as tf from '@tensorflow/tfjs';
import { Rng, arraySource, evaluate, withSeed, type ArrayBatch, type DataSource, type FitOptions } from '@cnn-lab/core';
import { MNIST_PIXELS, MNIST_SIDE, shiftDigit, type DigitSet, type SplitSpec } from '../mnist/digits.js';
import { buildLectureModel } from './lecture-cnn.js';

/** The shipped model's recipe: 20 epochs at most, batch 32, Adam 1e-3, random shifts of up to 2 pixels. */
export const TRAIN_DEFAULTS = { epochs: 20, batchSize: 32, learningRate: 1e-3, maxShift: 2 } as const;

/** 20% of the digits held out for testing, 10% for validation; the seed picks which. */
export function defaultSplit(seed = 1): SplitSpec {
  return { seed, testFraction: 0.2, validationFraction: 0.1 };
}

export function digitSource(set: DigitSet, shuffle = true): DataSource {
  return arraySource({ data: set.images, shape: [set.count, MNIST_SIDE, MNIST_SIDE, 1] }, set.labels, { shuffle });
}

/** `source` with every digit shifted by a random whole number of pixels in [-maxShift, maxShift], drawn from (seed, epoch). */
export function shiftedSource(source: DataSource, maxShift: number): DataSource {
  if (maxShift === 0) return source;
  return {
    size: source.size,
    async *batches(epoch: number, batchSize: number, seed: number): AsyncGenerator<ArrayBatch> {
      const rng = new Rng(seed + 0x5eed).fork(epoch);
      for await (const batch of source.batches(epoch, batchSize, seed)) {
        const data = new Float32Array(batch.xs.data.length);
        for (let i = 0; i < batch.ys.length; i++) {
          const img = batch.xs.data.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS) as Float32Array;
          shiftDigit(
            img,
            rng.int(2 * maxShift + 1) - maxShift,
            rng.int(2 * maxShift + 1) - maxShift,
            data.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS),
          );
        }
        yield { xs: { data, shape: batch.xs.shape }, ys: batch.ys };
      }
    },
  };
}

/** The lecture recipe's settings; the model folder, checkpoints and saving are the train command's. */
export interface LectureTrainSettings {
  epochs: number;
  batchSize: number;
  seed: number;
  learningRate: number;
  /** Random shifts of up to this many pixels while training (0: none). */
  maxShift: number;
  workers?: number | 'auto';
  log?: (line: string) => void;
}

/** The lecture model built from `seed`, with the same starting weights for the same seed. */
export function seededLectureModel(seed: number): tf.LayersModel {
  return withSeed(seed, () => buildLectureModel(seed));
}

/**
 * How the lecture model is fitted, as in the lecture's Keras code: Adam and cross-entropy, plus random shifts,
 * early stopping on validation loss (patience 4) and the weights of the best validation epoch kept.
 */
export function lectureFitOptions(
  data: { train: DigitSet; validation: DigitSet },
  settings: LectureTrainSettings,
): Omit<FitOptions, 'checkpointDir' | 'resume' | 'historyPath'> {
  return {
    train: shiftedSource(digitSource(data.train), settings.maxShift),
    validation: digitSource(data.validation, false),
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    optimizer: { name: 'adam', learningRate: settings.learningRate },
    seed: settings.seed,
    monitor: 'valLoss',
    restoreBestWeights: true,
    earlyStopping: { patience: 4, metric: 'valLoss' },
    quiet: false,
    ...(settings.log ? { log: settings.log } : {}),
    ...(settings.workers !== undefined ? { workers: settings.workers } : {}),
  };
}

/** Held-out accuracy and loss, with every probability row for the confusion matrix and the report. */
export async function scoreDigits(model: tf.LayersModel, set: DigitSet, batchSize = 256) {
  return evaluate(model, digitSource(set, false), batchSize, { probabilities: true });
}
