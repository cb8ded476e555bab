// Training and scoring the lecture model with core's training loop (Adam, cross-entropy, as in the lecture's Keras code).
import type * as tf from '@tensorflow/tfjs';
import { arraySource, evaluate, fit, withSeed, type DataSource, type History } from '@cnn-lab/core';
import { buildLectureModel } from '../lecture-model/index.js';
import { MNIST_SIDE, type DigitSet } from '../mnist/index.js';

export const TRAIN_DEFAULTS = { epochs: 8, batchSize: 64, learningRate: 1e-3, testFraction: 0.2, validationFraction: 0.1 } as const;

export function digitSource(set: DigitSet, shuffle = true): DataSource {
  return arraySource({ data: set.images, shape: [set.count, MNIST_SIDE, MNIST_SIDE, 1] }, set.labels, { shuffle });
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
}

/** Builds the lecture model from `seed` and trains it, keeping the weights of the best validation epoch. */
export async function trainLectureModel(
  data: { train: DigitSet; validation: DigitSet },
  opts: TrainOptions,
): Promise<{ model: tf.LayersModel; history: History }> {
  const model = withSeed(opts.seed, () => buildLectureModel(opts.seed));
  const history = await fit(model, {
    train: digitSource(data.train),
    validation: digitSource(data.validation, false),
    epochs: opts.epochs,
    batchSize: opts.batchSize,
    optimizer: { name: 'adam', learningRate: opts.learningRate ?? TRAIN_DEFAULTS.learningRate },
    seed: opts.seed,
    monitor: 'valLoss',
    restoreBestWeights: true,
    earlyStopping: { patience: 3, metric: 'valLoss' },
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
