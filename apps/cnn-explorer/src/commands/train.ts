// `train`: the lecture CNN on the mnist package's digits, through core's train recipe (checkpoints, fit, the
// model saved after each epoch and at the end, history.png), with the split and held-out scores in its metadata.
// Without --model-dir it writes a new runs/cnn-explorer/<time> folder; the shipped model changes only when named.
import {
  parseIntIn,
  parseNumberIn,
  resolveUserPath,
  runAction,
  trainRecipe,
  withCommonOptions,
  type CommonOptions,
  type History,
  type ResolvedModelDir,
  type TrainSummary,
} from '@cnn-lab/core';
import type * as tf from '@tensorflow/tfjs';
import type { Command } from 'commander';
import type { DigitSet, SplitSpec } from '../mnist/digits.js';
import { mnistSplits } from '../mnist/mnist-package.js';
import { describeLayers, formatLayerTable } from '../model/lecture-cnn.js';
import { APP, modelDirFor } from '../model/load.js';
import { TRAIN_DEFAULTS, defaultSplit, lectureFitOptions, scoreDigits, seededLectureModel } from '../model/train.js';

export interface TrainSettings {
  modelDir: ResolvedModelDir;
  epochs: number;
  batchSize: number;
  seed: number;
  learningRate: number;
  maxShift: number;
  resume: boolean;
  workers?: number;
}

export interface TrainResult {
  model: tf.LayersModel;
  dir: string;
  split: SplitSpec;
  history: History;
  /** What `train --json` prints: core's summary plus the held-out scores. */
  summary: TrainSummary & { testAccuracy: number; testLoss: number; testCount: number };
}

/**
 * Trains from `settings.seed` into the model folder and scores the held-out digits of the split. `data` is the
 * split of the mnist package's digits unless given (tests pass a few digits).
 */
export async function trainModel(
  settings: TrainSettings,
  log: (line: string) => void,
  data: { train: DigitSet; validation: DigitSet; test: DigitSet } = mnistSplits(defaultSplit(settings.seed)),
): Promise<TrainResult> {
  const split = defaultSplit(settings.seed);
  log(
    `MNIST (mnist package): ${data.train.count} train, ${data.validation.count} validation, ${data.test.count} test digits`,
  );
  const model = seededLectureModel(split.seed);
  log(formatLayerTable(describeLayers(model)));
  const fields = { app: APP, split, maxShift: settings.maxShift };
  const r = await trainRecipe({
    model,
    modelDir: settings.modelDir,
    resume: settings.resume,
    fit: lectureFitOptions(data, { ...settings, log }),
    score: async (trained) => {
      const test = await scoreDigits(trained, data.test);
      return { testAccuracy: test.accuracy, testLoss: test.loss, testCount: test.count };
    },
    metadata: ({ history, score, seconds }) => ({ ...fields, ...score, trainSeconds: seconds, history }),
    plot: { title: 'lecture CNN on MNIST' },
    log,
  });
  const { testAccuracy, testCount } = r.summary;
  log(
    `test accuracy ${(testAccuracy * 100).toFixed(2)}% on ${testCount} held-out digits (${r.summary.seconds.toFixed(0)} s)`,
  );
  return { model: r.model, dir: r.modelDir, split, history: r.history, summary: r.summary };
}

interface TrainOpts extends CommonOptions {
  learningRate: number;
  maxShift: number;
  resume?: boolean;
  workers?: number;
}

/** The settings `train` runs with, its folder resolved by core's rules. */
export function trainSettings(opts: TrainOpts, now = new Date()): TrainSettings {
  const resume = opts.resume ?? false;
  return {
    modelDir: modelDirFor(opts.modelDir, 'write', { resume, now }),
    epochs: opts.epochs ?? TRAIN_DEFAULTS.epochs,
    batchSize: opts.batchSize ?? TRAIN_DEFAULTS.batchSize,
    seed: opts.seed ?? 1,
    learningRate: opts.learningRate,
    maxShift: opts.maxShift,
    resume,
    ...(opts.workers !== undefined ? { workers: opts.workers } : {}),
  };
}

export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description(
      'train the lecture CNN on the digits of the mnist package and save it (default: a new runs/cnn-explorer/<time> folder)',
    )
    .option('--learning-rate <x>', 'Adam learning rate', parseNumberIn(0), TRAIN_DEFAULTS.learningRate)
    .option(
      '--max-shift <px>',
      'shift training digits randomly by up to this many pixels',
      parseIntIn(0, 6),
      TRAIN_DEFAULTS.maxShift,
    )
    .option(
      '--resume',
      'continue from the checkpoint in <model-dir>/checkpoints (default: the newest run that has one)',
    )
    .option(
      '--workers <n>',
      'threads computing gradients, this one and n - 1 workers (default: one per core)',
      parseIntIn(1, 64),
    )
    .option(
      '--model-dir <dir>',
      'where to save the model (default: a new runs/cnn-explorer/<time> folder)',
      (v: string) => resolveUserPath(v),
    )
    .option('--data-dir <dir>', 'not needed: the digits ship inside the mnist package');
  withCommonOptions(cmd, ['epochs', 'batchSize', 'seed', 'json', 'backend'], {
    epochs: TRAIN_DEFAULTS.epochs,
    batchSize: TRAIN_DEFAULTS.batchSize,
  }).action(
    runAction<TrainOpts>(async ({ opts, log }) => ({ ...(await trainModel(trainSettings(opts), log)).summary })),
  );
}
