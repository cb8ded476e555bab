// Training and scoring the lecture model with core's training loop (Adam, cross-entropy, as in the lecture's Keras code).
import type * as tf from '@tensorflow/tfjs';
import {
  Rng,
  arraySource,
  evaluate,
  fit,
  withSeed,
  type ArrayBatch,
  type DataSource,
  type History,
} from '@cnn-lab/core';
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

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  seed: number;
  learningRate?: number;
  checkpointDir?: string;
  resume?: boolean;
  historyPath?: string;
  quiet?: boolean;
  log?: (line: string) => void;
  workers?: number | 'auto';
  /** Random shifts of up to this many pixels while training (default 0: none). */
  maxShift?: number;
}

/** Builds the lecture model from `seed` and trains it, keeping the weights of the best validation epoch. */
export async function trainLectureModel(
  data: { train: DigitSet; validation: DigitSet },
  opts: TrainOptions,
): Promise<{ model: tf.LayersModel; history: History }> {
  const model = withSeed(opts.seed, () => buildLectureModel(opts.seed));
  const history = await fit(model, {
    train: shiftedSource(digitSource(data.train), opts.maxShift ?? 0),
    validation: digitSource(data.validation, false),
    epochs: opts.epochs,
    batchSize: opts.batchSize,
    optimizer: { name: 'adam', learningRate: opts.learningRate ?? TRAIN_DEFAULTS.learningRate },
    seed: opts.seed,
    monitor: 'valLoss',
    restoreBestWeights: true,
    earlyStopping: { patience: 4, metric: 'valLoss' },
    ...(opts.checkpointDir ? { checkpointDir: opts.checkpointDir, resume: opts.resume ?? false } : {}),
    ...(opts.historyPath ? { historyPath: opts.historyPath } : {}),
    ...(opts.quiet !== undefined ? { quiet: opts.quiet } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
  });
  return { model, history };
}

/** Held-out accuracy and loss, with every probability row for the confusion matrix and the report. */
export async function scoreDigits(model: tf.LayersModel, set: DigitSet, batchSize = 256) {
  return evaluate(model, digitSource(set, false), batchSize, { probabilities: true });
}

/** core's plotHistory takes bestEpoch as number | undefined, fit's History gives number | null. */
export function plottable(h: History): { epochs: History['epochs']; bestEpoch?: number } {
  return { epochs: h.epochs, ...(h.bestEpoch !== null ? { bestEpoch: h.bestEpoch } : {}) };
}
