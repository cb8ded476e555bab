// go-policy's command line: the one place that reads flags, files and sockets (besides src/web).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  DataError,
  UsageError,
  createProgram,
  findWorkspaceRoot,
  fit,
  loadModel,
  parseChoice,
  parseIntIn,
  parseNumberIn,
  resolveDataDir,
  runAction,
  runProgram,
  saveModel,
  withCommonOptions,
  withSeed,
  type CommonOptions,
} from '@cnn-lab/core';
import { estimatePositions, listGames } from './data/games.js';
import { FEATURE_SETS, planesOf, type FeatureSetName } from './data/positions.js';
import { SPLITS, splitGames, type SplitName } from './data/split.js';
import { gameStream } from './data/stream.js';
import { scorePolicy } from './model/evaluate.js';
import { buildPolicyNet } from './model/policy.js';

const APP = 'go-policy';
const VERSION = '0.1.0';
const DATA_SUB = 'go/fox-pro';
const DATA_WHAT = 'a folder of SGF game records (e.g. go/fox-pro with one .sgf file per game)';
/** The shipped model, beside src/. */
const DEFAULT_MODEL = resolve(import.meta.dirname, '..', 'models', 'default');

/** Metadata saved with a model: what a later eval, predict or game needs to use it the same way. */
interface PolicyMetadata {
  featureSet: FeatureSetName;
  planes: number;
  filters: number;
  layers: number;
  splitSeed: number;
  [field: string]: unknown;
}

function defaultTrainDir(): string {
  return join(findWorkspaceRoot() ?? process.cwd(), 'runs', 'go-policy');
}

async function gamesIn(dataDir: string): Promise<string[]> {
  const games = await listGames(dataDir);
  if (games.length === 0) throw new DataError(dataDir, `no .sgf files found (expected ${DATA_WHAT})`);
  return games;
}

function limit<T>(items: T[], max: number | undefined): T[] {
  return max === undefined ? items : items.slice(0, max);
}

async function loadPolicy(modelDir: string | undefined): Promise<{ model: tf.LayersModel; meta: PolicyMetadata; dir: string }> {
  const dir = resolve(modelDir ?? DEFAULT_MODEL);
  if (!existsSync(join(dir, 'model.json'))) {
    throw new UsageError(
      modelDir === undefined
        ? `the shipped model is missing (${dir}/model.json); train one with 'train' and pass --model-dir`
        : `--model-dir: no model.json in '${modelDir}' (expected a folder written by 'go-policy train')`,
    );
  }
  const { model, metadata } = await loadModel(dir);
  const meta = metadata as unknown as Partial<PolicyMetadata> | null;
  if (!meta || typeof meta.featureSet !== 'string' || !(FEATURE_SETS as readonly string[]).includes(meta.featureSet)) {
    throw new DataError(join(dir, 'metadata.json'), `has no known featureSet (expected one of ${FEATURE_SETS.join(', ')})`);
  }
  return { model, meta: meta as PolicyMetadata, dir };
}

interface TrainOptions extends CommonOptions {
  filters: number;
  layers: number;
  features: FeatureSetName;
  maxGames?: number;
  gamesPerEpoch?: number;
  valGames: number;
  learningRate: number;
  workers: number;
  trainWorkers?: number;
  splitSeed: number;
  resume?: boolean;
}

interface EvalOptions extends CommonOptions {
  split: SplitName | 'all';
  maxGames?: number;
  workers: number;
}

function buildProgram() {
  const program = createProgram(APP, "AlphaGo's supervised policy network: predict a professional's next move, play it through GTP and in a browser");

  const train = program.command('train').description('train the policy network on SGF games (split by game into train/validation/test)');
  withCommonOptions(train, undefined, { epochs: 10, batchSize: 32 });
  train
    .option('--filters <k>', 'filters per convolution (the paper: 192)', parseIntIn(1, 1024), 32)
    .option('--layers <n>', 'convolutional layers in all, counting the 5x5 and the 1x1 (the paper: 13)', parseIntIn(2, 64), 5)
    .option('--features <set>', `input feature set: ${FEATURE_SETS.join(', ')}`, parseChoice(FEATURE_SETS), 'alphago')
    .option('--max-games <n>', 'use at most this many training games', parseIntIn(1))
    .option('--games-per-epoch <n>', 'games per epoch (an epoch over all games takes hours on a CPU)', parseIntIn(1))
    .option('--val-games <n>', 'validation games scored after every epoch', parseIntIn(1), 40)
    .option('--learning-rate <lr>', 'Adam learning rate', parseNumberIn(1e-6, 1), 0.002)
    .option('--workers <n>', 'feature worker threads', parseIntIn(1, 16), 1)
    .option('--train-workers <n>', "gradient worker threads for core's trainer (default: one per core)", parseIntIn(1, 16))
    .option('--split-seed <n>', 'seed of the train/validation/test split by game', parseIntIn(0), 1)
    .option('--resume', 'continue from the checkpoint in --model-dir')
    .action(
      runAction<TrainOptions>(async ({ opts, log }) => {
        const dataDir = resolveDataDir(opts, DATA_SUB, DATA_WHAT);
        const modelDir = resolve(opts.modelDir ?? defaultTrainDir());
        const games = await gamesIn(dataDir);
        const split = splitGames(games, opts.splitSeed);
        const trainFiles = limit(split.train, opts.maxGames).map((g) => join(dataDir, g));
        const valFiles = split.validation.slice(0, opts.valGames).map((g) => join(dataDir, g));
        const planes = planesOf(opts.features);
        const perEpoch = Math.min(opts.gamesPerEpoch ?? trainFiles.length, trainFiles.length);
        const estimate = Math.round(((await estimatePositions(trainFiles.slice(0, 200))) / Math.min(200, trainFiles.length)) * perEpoch);
        log(
          `${games.length} games in ${dataDir}: ${split.train.length} train, ${split.validation.length} validation, ${split.test.length} test (split seed ${opts.splitSeed})`,
        );
        log(`training on ${trainFiles.length} games, ${perEpoch} per epoch (~${estimate} positions), validating on ${valFiles.length}`);
        const seed = opts.seed ?? 1;
        const model = withSeed(seed, () => buildPolicyNet({ planes, filters: opts.filters, layers: opts.layers }));
        log(`model: ${opts.filters} filters x ${opts.layers} layers, ${opts.features} features (${planes} planes), ${model.countParams()} parameters`);
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
        const valData = gameStream({
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
        const historyPath = join(modelDir, 'history.json');
        const history = await fit(model, {
          train: trainData,
          validation: valData,
          epochs: opts.epochs ?? 10,
          batchSize: opts.batchSize ?? 32,
          optimizer: { name: 'adam', learningRate: opts.learningRate },
          seed,
          checkpointDir: join(modelDir, 'checkpoints'),
          resume: Boolean(opts.resume),
          historyPath,
          restoreBestWeights: true,
          quiet: opts.json,
          log,
          ...(opts.trainWorkers !== undefined ? { workers: opts.trainWorkers } : {}),
          onEpochEnd: async (_record, h) => {
            // The model folder always holds the latest finished epoch, usable while training goes on.
            await saveModel(model, modelDir, { app: APP, version: VERSION, ...meta, history: h.epochs, dataDir });
          },
        });
        const stats = trainData.lastStats();
        await saveModel(model, modelDir, { app: APP, version: VERSION, ...meta, history: history.epochs, dataDir });

        const last = history.epochs[history.epochs.length - 1];
        const best = history.epochs.find((e) => e.epoch === history.bestEpoch) ?? last;
        log(`saved ${modelDir} (best epoch ${history.bestEpoch ?? '-'})`);
        if (stats && Object.keys(stats.skipped).length > 0) {
          log(`skipped games in the last epoch: ${Object.entries(stats.skipped).map(([r, s]) => `${r} ${s.count} (e.g. ${s.example})`).join('; ')}`);
        }
        return {
          modelDir,
          epochs: history.epochs.length,
          bestEpoch: history.bestEpoch,
          loss: last?.loss ?? null,
          accuracy: last?.accuracy ?? null,
          valLoss: best?.valLoss ?? null,
          valAccuracy: best?.valAccuracy ?? null,
          examplesPerSecond: last?.examplesPerSecond ?? null,
          interrupted: history.interrupted,
        };
      }),
    );

  const evalCmd = program.command('eval').description('top-1, top-5 and log-loss on held-out games, and accuracy by move number');
  withCommonOptions(evalCmd, ['dataDir', 'modelDir', 'batchSize', 'json', 'backend'], { batchSize: 64 });
  evalCmd
    .option('--split <name>', `which games: ${[...SPLITS, 'all'].join(', ')} (all: every game in --data-dir)`, parseChoice([...SPLITS, 'all'] as const), 'test')
    .option('--max-games <n>', 'score at most this many games', parseIntIn(1))
    .option('--workers <n>', 'feature worker threads', parseIntIn(1, 16), 1)
    .action(
      runAction<EvalOptions>(async ({ opts, log }) => {
        const dataDir = resolveDataDir(opts, DATA_SUB, DATA_WHAT);
        const { model, meta, dir } = await loadPolicy(opts.modelDir);
        const games = await gamesIn(dataDir);
        const chosen = opts.split === 'all' ? games : splitGames(games, meta.splitSeed)[opts.split];
        const files = limit(chosen, opts.maxGames).map((g) => join(dataDir, g));
        if (files.length === 0) throw new UsageError(`--split ${opts.split}: no games of that split in ${dataDir}`);
        log(`scoring ${dir} on ${files.length} ${opts.split} games of ${dataDir}`);
        const stream = gameStream({
          files,
          featureSet: meta.featureSet,
          planes: meta.planes,
          size: 0,
          workers: opts.workers,
          symmetries: false,
          shuffleBuffer: 0,
        });
        const started = performance.now();
        let lastReport = started;
        const result = await scorePolicy(model, stream.batches(0, opts.batchSize ?? 64, 0), (n) => {
          const now = performance.now();
          if (now - lastReport > 10_000) {
            lastReport = now;
            process.stderr.write(`  ${n} positions, ${(n / ((now - started) / 1000)).toFixed(0)}/s\n`);
          }
        });
        const stats = stream.lastStats();
        log(`top-1 ${(result.top1 * 100).toFixed(2)}%  top-5 ${(result.top5 * 100).toFixed(2)}%  log-loss ${result.logLoss.toFixed(4)}  on ${result.positions} positions of ${stats?.games ?? 0} games`);
        log('accuracy by move number:');
        for (const s of result.byMoveNumber) {
          log(`  moves ${s.moves.padEnd(8)} ${String(s.positions).padStart(7)} positions  top-1 ${(s.top1 * 100).toFixed(1)}%  top-5 ${(s.top5 * 100).toFixed(1)}%`);
        }
        const skipped = Object.entries(stats?.skipped ?? {});
        if (skipped.length > 0) log(`skipped: ${skipped.map(([r, s]) => `${r} ${s.count} (e.g. ${s.example})`).join('; ')}`);
        return {
          top1: result.top1,
          top5: result.top5,
          logLoss: result.logLoss,
          positions: result.positions,
          games: stats?.games ?? 0,
          skipped: Object.fromEntries(skipped.map(([r, s]) => [r, s.count])),
          byMoveNumber: result.byMoveNumber,
        };
      }),
    );

  return program;
}

await runProgram(buildProgram());
