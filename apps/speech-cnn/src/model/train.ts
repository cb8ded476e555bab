import type * as tf from '@tensorflow/tfjs';
import { accuracy, fit, withSeed, type EpochRecord, type History } from '@cnn-lab/core';
import { LogMel, inputShape, type AugmentOptions, type FeatureConfig } from '../features/index.js';
import { clipSource, featuriseAll, fixedSource, type LabelledClips } from '../data/index.js';
import { buildModel, type ModelKind } from './networks.js';
import { predictProbs } from './predict.js';

/** Adam's rate at the start; it decays along a cosine to 1/20 of it by the last epoch. */
export const LEARNING_RATE = 3e-3;

export interface TrainSpeechOptions {
  kind: ModelKind;
  labels: readonly string[];
  features: FeatureConfig;
  train: LabelledClips;
  /** Scored after every epoch, for the learning curves only (nothing is chosen by it). */
  validation?: LabelledClips;
  epochs: number;
  batchSize: number;
  seed: number;
  learningRate?: number;
  /** null: train on the clean clips only. */
  augment: AugmentOptions | null;
  workers?: number | 'auto';
  checkpointDir?: string;
  resume?: boolean;
  quiet?: boolean;
  log?: (line: string) => void;
  onEpochEnd?: (record: EpochRecord) => void;
}

export interface TrainedSpeech {
  model: tf.LayersModel;
  history: History;
  seconds: number;
}

/** Builds the chosen network and trains it with Adam on a cosine-decayed rate, as one seeded, repeatable run. */
export async function trainSpeechModel(o: TrainSpeechOptions): Promise<TrainedSpeech> {
  const logMel = new LogMel(o.features.mel);
  const model = withSeed(o.seed, () => buildModel(o.kind, inputShape(o.features), o.labels.length, o.seed));
  const learningRate = o.learningRate ?? LEARNING_RATE;
  const started = performance.now();
  const history = await fit(model, {
    train: clipSource(o.train, o.features, logMel, o.augment ?? undefined),
    ...(o.validation && o.validation.clips.length > 0 ? { validation: fixedSource(o.validation, o.features, logMel) } : {}),
    epochs: o.epochs,
    batchSize: o.batchSize,
    optimizer: { name: 'adam', learningRate },
    lrSchedule: { type: 'cosine', minLr: learningRate / 20 },
    seed: o.seed,
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
    ...(o.checkpointDir ? { checkpointDir: o.checkpointDir, resume: o.resume ?? false } : {}),
    quiet: o.quiet ?? false,
    ...(o.log ? { log: o.log } : {}),
    onEpochEnd: (r) => o.onEpochEnd?.(r),
  });
  return { model, history, seconds: (performance.now() - started) / 1000 };
}

export interface ScoredSpeech extends TrainedSpeech {
  /** Softmax over the test clips, row-major [n, classes]. */
  probs: Float32Array;
  /** Share of the test clips the model gets right; null without test clips. */
  accuracy: number | null;
}

/** Trains on `train` and scores the model on `test` (also its validation set when `validate`). */
export async function trainAndScore(o: Omit<TrainSpeechOptions, 'validation'> & { test: LabelledClips; validate: boolean }): Promise<ScoredSpeech> {
  const { test, validate, ...rest } = o;
  const trained = await trainSpeechModel({ ...rest, ...(validate ? { validation: test } : {}) });
  const probs = test.clips.length ? predictProbs(trained.model, featuriseAll(test.clips, o.features, new LogMel(o.features.mel)), inputShape(o.features)) : new Float32Array(0);
  return { ...trained, probs, accuracy: test.clips.length ? accuracy(probs, test.labels) : null };
}
