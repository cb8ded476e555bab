// `train`: the policy network on SGF games, split by game into train/validation/test.
import {
  parseChoice,
  parseIntIn,
  parseNumberIn,
  resolveDataDir,
  resolveModelDir,
  runAction,
  withCommonOptions,
  type CommonOptions,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import { APP, APP_DIR, DATA_SUB, DATA_WHAT } from '../app.js';
import { FEATURE_SETS, type FeatureSetName } from '../data/positions.js';
import { trainPolicy } from '../model/train.js';

interface TrainOptions extends CommonOptions {
  filters: number;
  layers: number;
  features: FeatureSetName;
  maxGames?: number;
  gamesPerEpoch?: number;
  valGames: number;
  learningRate: number;
  lrDropAt?: number;
  lrDropFactor: number;
  workers: number;
  trainWorkers?: number;
  splitSeed: number;
  resume?: boolean;
}

export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description('train the policy network on SGF games (split by game into train/validation/test)');
  withCommonOptions(cmd, ['dataDir', 'epochs', 'batchSize', 'seed', 'json', 'backend'], { epochs: 10, batchSize: 32 });
  cmd
    .option(
      '--model-dir <dir>',
      `where the model is written (default: a new folder runs/${APP}/<time> in the repository)`,
    )
    .option('--filters <k>', 'filters per convolution (the paper: 192)', parseIntIn(1, 1024), 32)
    .option(
      '--layers <n>',
      'convolutional layers in all, counting the 5x5 and the 1x1 (the paper: 13)',
      parseIntIn(2, 64),
      5,
    )
    .option('--features <set>', `input feature set: ${FEATURE_SETS.join(', ')}`, parseChoice(FEATURE_SETS), 'alphago')
    .option('--max-games <n>', 'use at most this many training games', parseIntIn(1))
    .option('--games-per-epoch <n>', 'games per epoch (an epoch over all games takes hours on a CPU)', parseIntIn(1))
    .option('--val-games <n>', 'validation games scored after every epoch', parseIntIn(1), 40)
    .option('--learning-rate <lr>', 'Adam learning rate', parseNumberIn(1e-6, 1), 0.002)
    .option(
      '--lr-drop-at <epoch>',
      'from this epoch on (counting from 0), multiply the learning rate by --lr-drop-factor',
      parseIntIn(0),
    )
    .option('--lr-drop-factor <f>', 'the factor for --lr-drop-at', parseNumberIn(1e-4, 1), 0.25)
    .option('--workers <n>', 'feature worker threads', parseIntIn(1, 16), 1)
    .option(
      '--train-workers <n>',
      "threads computing gradients in core's trainer, this one and n - 1 workers (default: one per core)",
      parseIntIn(1, 16),
    )
    .option('--split-seed <n>', 'seed of the train/validation/test split by game', parseIntIn(0), 1)
    .option(
      '--resume',
      'continue from the checkpoint in --model-dir (without it: the newest run under runs/go-policy that has one)',
    )
    .action(
      runAction<TrainOptions>(async ({ opts, log }) => {
        const dataDir = resolveDataDir(opts, DATA_SUB, DATA_WHAT);
        const modelDir = resolveModelDir({
          app: APP,
          appDir: APP_DIR,
          flag: opts.modelDir,
          mode: 'write',
          resume: Boolean(opts.resume),
        });
        if (!modelDir.named) log(`${opts.resume ? 'continuing' : 'writing'} the model in ${modelDir.dir}`);
        const summary = await trainPolicy({
          dataDir,
          modelDir,
          features: opts.features,
          filters: opts.filters,
          layers: opts.layers,
          maxGames: opts.maxGames,
          gamesPerEpoch: opts.gamesPerEpoch,
          valGames: opts.valGames,
          learningRate: opts.learningRate,
          lrDropAt: opts.lrDropAt,
          lrDropFactor: opts.lrDropFactor,
          epochs: opts.epochs ?? 10,
          batchSize: opts.batchSize ?? 32,
          seed: opts.seed ?? 1,
          workers: opts.workers,
          trainWorkers: opts.trainWorkers,
          splitSeed: opts.splitSeed,
          resume: Boolean(opts.resume),
          log,
        });
        return { ...summary };
      }),
    );
}
