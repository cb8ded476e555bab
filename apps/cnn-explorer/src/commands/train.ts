// `train`: the lecture CNN on the mnist package's digits, saved with its split, scores and history plot.
// Without --model-dir it writes a new runs/cnn-explorer/<time> folder; the shipped model changes only when named.
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import {
  UsageError,
  parseIntIn,
  parseNumberIn,
  plotHistory,
  resolveUserPath,
  runAction,
  saveModel,
  withCommonOptions,
  type CommonOptions,
  type History,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import type { SplitSpec } from '../mnist/digits.js';
import { mnistSplits } from '../mnist/mnist-package.js';
import { buildLectureModel, describeLayers, formatLayerTable } from '../model/lecture-cnn.js';
import { APP, modelDirFor } from '../model/load.js';
import { TRAIN_DEFAULTS, defaultSplit, plottable, scoreDigits, trainLectureModel } from '../model/train.js';
import { secondsSince } from './progress.js';

export interface TrainSettings {
  modelDir: string;
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
  testAccuracy: number;
  testLoss: number;
  testCount: number;
  seconds: number;
}

/** Trains from `settings.seed`, scores the held-out digits and saves model, metadata and history.png. */
export async function trainModel(settings: TrainSettings, log: (line: string) => void): Promise<TrainResult> {
  const split = defaultSplit(settings.seed);
  const data = mnistSplits(split);
  const dir = settings.modelDir;
  log(
    `MNIST (mnist package): ${data.train.count} train, ${data.validation.count} validation, ${data.test.count} test digits`,
  );
  log(formatLayerTable(describeLayers(buildLectureModel(split.seed))));
  const started = Date.now();
  const { model, history } = await trainLectureModel(data, {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    seed: split.seed,
    learningRate: settings.learningRate,
    checkpointDir: join(dir, 'checkpoints'),
    resume: settings.resume,
    maxShift: settings.maxShift,
    quiet: false,
    log,
    ...(settings.workers !== undefined ? { workers: settings.workers } : {}),
  });
  const seconds = secondsSince(started);
  const test = await scoreDigits(model, data.test);
  await saveModel(model, dir, {
    app: APP,
    split,
    maxShift: settings.maxShift,
    testAccuracy: test.accuracy,
    testLoss: test.loss,
    trainSeconds: seconds,
    history,
  });
  await plotHistory(plottable(history), join(dir, 'history.png'), { title: 'lecture CNN on MNIST' });
  log(
    `test accuracy ${(test.accuracy * 100).toFixed(2)}% on ${test.count} held-out digits (${seconds.toFixed(0)} s); model saved to ${dir}`,
  );
  return {
    model,
    dir,
    split,
    history,
    testAccuracy: test.accuracy,
    testLoss: test.loss,
    testCount: test.count,
    seconds,
  };
}

interface TrainOpts extends CommonOptions {
  learningRate: number;
  maxShift: number;
  resume?: boolean;
  workers?: number;
}

/** The settings `train` runs with; --resume needs the run it continues named. */
export function trainSettings(opts: TrainOpts, now = new Date()): TrainSettings {
  if (opts.resume && opts.modelDir === undefined) {
    throw new UsageError(
      '--resume: name the run to continue with --model-dir (its checkpoints are in <model-dir>/checkpoints)',
    );
  }
  return {
    modelDir: modelDirFor(opts.modelDir, 'write', now),
    epochs: opts.epochs ?? TRAIN_DEFAULTS.epochs,
    batchSize: opts.batchSize ?? TRAIN_DEFAULTS.batchSize,
    seed: opts.seed ?? 1,
    learningRate: opts.learningRate,
    maxShift: opts.maxShift,
    resume: opts.resume ?? false,
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
    .option('--resume', 'continue from the checkpoint in <model-dir>/checkpoints (needs --model-dir)')
    .option('--workers <n>', 'gradient worker threads (default: one per core)', parseIntIn(1, 64))
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
    runAction<TrainOpts>(async ({ opts, log }) => {
      const r = await trainModel(trainSettings(opts), log);
      const last = r.history.epochs.at(-1);
      return {
        modelDir: r.dir,
        testAccuracy: r.testAccuracy,
        testLoss: r.testLoss,
        epochs: r.history.epochs.length,
        bestEpoch: r.history.bestEpoch,
        valAccuracy: last?.valAccuracy,
        seconds: r.seconds,
      };
    }),
  );
}
