import type * as tf from '@tensorflow/tfjs';
import { fit, withSeed, type EpochRecord, type History } from '@cnn-lab/core';
import { LogMel, inputShape, type AugmentOptions, type FeatureConfig } from '../features/index.js';
import { clipSource, fixedSource, type LabelledClips } from '../data/index.js';
import { buildModel, type ModelKind, type ModelOverrides } from './models.js';

export interface TrainSpeechOptions {
  kind: ModelKind;
  /** Changes to the network's defaults (hidden units, dropout, weight decay, freq's time context). */
  head?: Partial<ModelOverrides>;
  labels: readonly string[];
  features: FeatureConfig;
  train: LabelledClips;
  /** Scored after every epoch (not used to choose anything unless `restoreBest`). */
  validation?: LabelledClips;
  epochs: number;
  batchSize: number;
  seed: number;
  learningRate: number;
  /** null: train on the clean clips only. */
  augment: AugmentOptions | null;
  workers?: number | 'auto';
  checkpointDir?: string;
  resume?: boolean;
  historyPath?: string;
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
  const model = withSeed(o.seed, () => buildModel(o.kind, inputShape(o.features), o.labels.length, o.seed, o.head));
  const started = performance.now();
  const history = await fit(model, {
    train: clipSource(o.train, o.features, logMel, o.augment ?? undefined),
    ...(o.validation && o.validation.clips.length > 0 ? { validation: fixedSource(o.validation, o.features, logMel) } : {}),
    epochs: o.epochs,
    batchSize: o.batchSize,
    optimizer: { name: 'adam', learningRate: o.learningRate },
    lrSchedule: { type: 'cosine', minLr: o.learningRate / 20 },
    seed: o.seed,
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
    ...(o.checkpointDir ? { checkpointDir: o.checkpointDir, resume: o.resume ?? false } : {}),
    ...(o.historyPath ? { historyPath: o.historyPath } : {}),
    quiet: o.quiet ?? false,
    ...(o.log ? { log: o.log } : {}),
    onEpochEnd: (r) => o.onEpochEnd?.(r),
  });
  return { model, history, seconds: (performance.now() - started) / 1000 };
}
