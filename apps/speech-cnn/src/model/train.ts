import type * as tf from '@tensorflow/tfjs';
import { accuracy, fit, withSeed, type EpochRecord, type FitOptions, type History } from '@cnn-lab/core';
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
  quiet?: boolean;
  log?: (line: string) => void;
  onEpochEnd?: (record: EpochRecord) => void;
}

/** The fit options everything but the model folder fixes (core's trainRecipe adds checkpoints and saves). */
export type SpeechFitOptions = Omit<FitOptions, 'checkpointDir' | 'resume' | 'historyPath'>;

/**
 * The chosen network, built and seeded, and how to train it: Adam on a cosine-decayed rate over batches of
 * (augmented) clips, one seeded, repeatable run.
 */
export function speechTraining(o: TrainSpeechOptions): { model: tf.LayersModel; fit: SpeechFitOptions } {
  const logMel = new LogMel(o.features.mel);
  const model = withSeed(o.seed, () => buildModel(o.kind, inputShape(o.features), o.labels.length, o.seed));
  const learningRate = o.learningRate ?? LEARNING_RATE;
  return {
    model,
    fit: {
      train: clipSource(o.train, o.features, logMel, o.augment ?? undefined),
      ...(o.validation && o.validation.clips.length > 0
        ? { validation: fixedSource(o.validation, o.features, logMel) }
        : {}),
      epochs: o.epochs,
      batchSize: o.batchSize,
      optimizer: { name: 'adam', learningRate },
      lrSchedule: { type: 'cosine', minLr: learningRate / 20 },
      seed: o.seed,
      ...(o.workers !== undefined ? { workers: o.workers } : {}),
      quiet: o.quiet ?? false,
      ...(o.log ? { log: o.log } : {}),
      onEpochEnd: (r) => o.onEpochEnd?.(r),
    },
  };
}

export interface TrainedSpeech {
  model: tf.LayersModel;
  history: History;
  seconds: number;
}

/** Trains without a model folder (tests, speaker folds): see speechTraining. */
export async function trainSpeechModel(o: TrainSpeechOptions): Promise<TrainedSpeech> {
  const { model, fit: options } = speechTraining(o);
  const started = performance.now();
  const history = await fit(model, options);
  return { model, history, seconds: (performance.now() - started) / 1000 };
}

/** A model's softmax over `test` (row-major [n, classes]) and its accuracy there; null without test clips. */
export function scoreOn(
  model: tf.LayersModel,
  test: LabelledClips,
  features: FeatureConfig,
): { probs: Float32Array; accuracy: number | null } {
  if (test.clips.length === 0) return { probs: new Float32Array(0), accuracy: null };
  const probs = predictProbs(model, featuriseAll(test.clips, features, new LogMel(features.mel)), inputShape(features));
  return { probs, accuracy: accuracy(probs, test.labels) };
}
