import type * as tf from '@tensorflow/tfjs';
import { evaluate, fit, withSeed, type FitOptions, type History } from '@cnn-lab/core';
import { sequenceSource, type PreparedSplit } from '../data/index.js';
import { splitFingerprint } from '../data/fingerprint.js';
import { PAD_ID } from '../text/index.js';
import { kimAdadelta } from './adadelta.js';
import { buildKimCnn, KIM_DEFAULTS, KIM_TRAINING, trainableTables, type Variant } from './kim.js';
import { LazyRowsAdadelta } from './lazy-rows.js';

/** Which network to build. */
export interface NetworkOptions {
  /** CNN-rand unless given: the shipped recipe. The pretrained-vector variants are experiments (src/experiments). */
  variant?: Variant;
  /** Pretrained (or U(-0.25, 0.25)) rows for the vocabulary; required unless variant is rand. */
  embeddings?: { data: Float32Array; dim: number };
  embeddingDim?: number;
  /** Smaller than the paper's for tests and quick looks; default 3, 4, 5 x 100. */
  windows?: readonly number[];
  featureMaps?: number;
  seed: number;
}

/** How to train it (Kim's settings unless given). */
export interface FitChoices {
  epochs?: number;
  batchSize?: number;
  seed: number;
  /** Stop when dev accuracy has not improved for this many epochs (the paper trains all 25). */
  patience?: number;
  workers?: number | 'auto';
  quiet?: boolean;
  log?: (line: string) => void;
}

export type TrainOptions = NetworkOptions & FitChoices;

export interface TrainResult {
  model: tf.LayersModel;
  history: History;
  /** Kim: the test score is taken at the epoch with the best dev accuracy. */
  bestEpoch: number;
  devAccuracy: number;
  testAccuracy: number;
  testLoss: number;
  seconds: number;
}

/** The network for a prepared split, built under the seed (CNN-rand unless `variant` says otherwise). */
export function buildForSplit(data: PreparedSplit, opts: NetworkOptions): tf.LayersModel {
  const dim = opts.embeddings?.dim ?? opts.embeddingDim ?? KIM_DEFAULTS.embeddingDim;
  return withSeed(opts.seed, () =>
    buildKimCnn({
      ...KIM_DEFAULTS,
      vocabSize: data.vocab.size,
      classes: data.classes.length,
      variant: opts.variant ?? 'rand',
      embeddingDim: dim,
      windows: opts.windows ?? KIM_DEFAULTS.windows,
      featureMaps: opts.featureMaps ?? KIM_DEFAULTS.featureMaps,
      seed: opts.seed,
      ...(opts.embeddings ? { embeddings: opts.embeddings.data } : {}),
    }),
  );
}

/** The widest filter of a Kim CNN: how much padding its batches need. */
export function maxWindowOf(model: tf.LayersModel): number {
  const windows = model.layers
    .map((l) => /^conv_h(\d+)$/.exec(l.name)?.[1])
    .filter((h): h is string => h !== undefined);
  if (windows.length === 0) throw new Error(`${model.name}: no conv_h<h> layers (not a Kim CNN)`);
  return Math.max(...windows.map(Number));
}

/** Kim's training setup for core's fit: Adadelta (row by row on the word vectors), best dev epoch kept. */
export function kimFitOptions(model: tf.LayersModel, data: PreparedSplit, opts: FitChoices): FitOptions {
  const maxWindow = maxWindowOf(model);
  return {
    train: sequenceSource(data.train, { maxWindow, shuffle: true }),
    // Sorted by length: a sentence's scores do not depend on its batch (sequences.ts), and dev takes half the time.
    validation: sequenceSource(data.dev, { maxWindow, shuffle: false, bucket: true }),
    epochs: opts.epochs ?? KIM_TRAINING.epochs,
    batchSize: opts.batchSize ?? KIM_TRAINING.batchSize,
    // Adadelta on the word vectors row by row (lazy-rows.ts); Kim's padding word stays a zero vector (his code
    // zeroes it after every update).
    optimizer: new LazyRowsAdadelta(kimAdadelta(), trainableTables(model), [PAD_ID]),
    // The row-wise optimizer writes the tables in place; with workers only the rows a step used travel.
    rowTables: trainableTables(model),
    // Checkpoints remember the vocabulary, classes and examples: --resume on other data is refused by name.
    fingerprint: splitFingerprint(data),
    seed: opts.seed,
    // Long epochs (SST's phrases: 1,500-3,000 steps) also checkpoint within the epoch, so a stopped run loses little.
    ...(data.train.length > 50_000 ? { checkpointEvery: { steps: 500 } } : {}),
    monitor: 'valAccuracy',
    restoreBestWeights: true,
    ...(opts.patience !== undefined
      ? { earlyStopping: { patience: opts.patience, metric: 'valAccuracy' as const } }
      : {}),
    workers: opts.workers ?? 1,
    quiet: opts.quiet ?? false,
    ...(opts.log ? { log: opts.log } : {}),
  };
}

/** Accuracy and loss on the split's test examples. */
export async function scoreTest(
  model: tf.LayersModel,
  data: PreparedSplit,
): Promise<{ testAccuracy: number; testLoss: number }> {
  const test = await evaluate(
    model,
    sequenceSource(data.test, { maxWindow: maxWindowOf(model), shuffle: false, bucket: true }),
    100,
  );
  return { testAccuracy: test.accuracy, testLoss: test.loss };
}

/** Kim's protocol on one split, nothing saved: train with Adadelta, keep the best-dev epoch's weights, score the test set. */
export async function trainOnSplit(data: PreparedSplit, opts: TrainOptions): Promise<TrainResult> {
  const started = performance.now();
  const model = buildForSplit(data, opts);
  const history = await fit(model, kimFitOptions(model, data, opts));
  const bestEpoch = history.bestEpoch ?? history.epochs.length;
  const devAccuracy = history.epochs[bestEpoch - 1]?.valAccuracy ?? Number.NaN;
  const { testAccuracy, testLoss } = await scoreTest(model, data);
  return {
    model,
    history,
    bestEpoch,
    devAccuracy,
    testAccuracy,
    testLoss,
    seconds: (performance.now() - started) / 1000,
  };
}
