// Training the policy network on a folder of SGF games: split by game, stream positions through the
// feature workers, fit with core's trainer, and keep the model folder current after every epoch.
import { join } from 'node:path';
import { trainRecipe, withSeed, type ResolvedModelDir, type TrainSummary } from '@cnn-lab/core';
import { APP, DATA_WHAT, VERSION } from '../app.js';
import { estimatePositions, requireGames } from '../data/games.js';
import { planesOf, type FeatureSetName } from '../data/positions.js';
import { splitGames } from '../data/split.js';
import { gameStream } from '../data/stream.js';
import type { PolicyMetadata } from './load.js';
import { buildPolicyNet } from './policy.js';
import { skippedSummary } from './report.js';

export interface TrainPolicyOptions {
  dataDir: string;
  /** Where the model, its checkpoints and learning curves are written (resolveModelDir's answer, or a checked path). */
  modelDir: ResolvedModelDir | string;
  features: FeatureSetName;
  filters: number;
  layers: number;
  /** Use at most this many training games. */
  maxGames?: number;
  /** Games per epoch (default: all of them). */
  gamesPerEpoch?: number;
  /** Validation games scored after every epoch. */
  valGames: number;
  learningRate: number;
  /** From this epoch on (counting from 0) the learning rate is multiplied by lrDropFactor. */
  lrDropAt?: number;
  lrDropFactor: number;
  epochs: number;
  batchSize: number;
  seed: number;
  /** Feature worker threads. */
  workers: number;
  /** Gradient worker threads (default: core's, one per core). */
  trainWorkers?: number;
  splitSeed: number;
  resume: boolean;
  log: (message: string) => void;
}

export async function trainPolicy(opts: TrainPolicyOptions): Promise<TrainSummary> {
  const { dataDir, log } = opts;
  const games = await requireGames(dataDir, DATA_WHAT);
  const split = splitGames(games, opts.splitSeed);
  const trainFiles = (opts.maxGames === undefined ? split.train : split.train.slice(0, opts.maxGames)).map((g) =>
    join(dataDir, g),
  );
  const valFiles = split.validation.slice(0, opts.valGames).map((g) => join(dataDir, g));
  const planes = planesOf(opts.features);
  const perEpoch = Math.min(opts.gamesPerEpoch ?? trainFiles.length, trainFiles.length);
  const estimate = Math.round(
    ((await estimatePositions(trainFiles.slice(0, 200))) / Math.min(200, trainFiles.length)) * perEpoch,
  );
  log(
    `${games.length} games in ${dataDir}: ${split.train.length} train, ${split.validation.length} validation, ${split.test.length} test (split seed ${opts.splitSeed})`,
  );
  log(
    `training on ${trainFiles.length} games, ${perEpoch} per epoch (~${estimate} positions), validating on ${valFiles.length}`,
  );
  const model = withSeed(opts.seed, () => buildPolicyNet({ planes, filters: opts.filters, layers: opts.layers }));
  log(
    `model: ${opts.filters} filters x ${opts.layers} layers, ${opts.features} features (${planes} planes), ${model.countParams()} parameters`,
  );
  const trainData = gameStream({
    files: trainFiles,
    featureSet: opts.features,
    planes,
    size: estimate,
    workers: opts.workers,
    gamesPerEpoch: perEpoch,
    // ~20 games' positions: enough mixing, and a short fill before each epoch's first batch.
    shuffleBuffer: 4096,
  });
  const valData =
    valFiles.length === 0
      ? undefined
      : gameStream({
          files: valFiles,
          featureSet: opts.features,
          planes,
          size: await estimatePositions(valFiles),
          workers: opts.workers,
          symmetries: false,
          shuffleBuffer: 0,
        });
  const meta: PolicyMetadata = {
    featureSet: opts.features,
    planes,
    filters: opts.filters,
    layers: opts.layers,
    splitSeed: opts.splitSeed,
  };
  const { lrDropAt, lrDropFactor } = opts;
  const { summary } = await trainRecipe({
    model,
    modelDir: opts.modelDir,
    resume: opts.resume,
    fit: {
      train: trainData,
      ...(valData ? { validation: valData } : {}),
      epochs: opts.epochs,
      batchSize: opts.batchSize,
      optimizer: { name: 'adam', learningRate: opts.learningRate },
      ...(lrDropAt !== undefined
        ? { lrSchedule: (epoch: number, base: number) => (epoch >= lrDropAt ? base * lrDropFactor : base) }
        : {}),
      seed: opts.seed,
      restoreBestWeights: true,
      log,
      ...(opts.trainWorkers !== undefined ? { workers: opts.trainWorkers } : {}),
    },
    // The folder always holds the latest finished epoch (usable while training goes on), with its history.
    metadata: ({ history }) => ({ app: APP, version: VERSION, ...meta, history: history.epochs, dataDir }),
    historyJson: true,
    log,
  });
  const stats = trainData.lastStats();
  if (stats && Object.keys(stats.skipped).length > 0)
    log(`skipped games in the last epoch: ${skippedSummary(stats.skipped)}`);
  return summary;
}
