// `train-rollout`: the fast rollout policy learned from the games of the policy net's training split,
// scored on its test games (never seen by either), saved as <out>/rollout.json.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  UsageError,
  parseIntIn,
  parseNumberIn,
  resolveDataDir,
  resolveUserPath,
  runAction,
  withCommonOptions,
  type CommonOptions,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import { APP, DATA_SUB, DATA_WHAT, VERSION, newRunDir } from '../app.js';
import { requireGames } from '../data/games.js';
import { splitGames, spreadEvenly } from '../data/split.js';
import { SHIPPED_MODEL } from '../model/load.js';
import { RolloutTables, saveRollout } from '../rollout/policy.js';
import { chooseVocabulary, countPatterns, moveMatch, readGames, trainWeights } from '../rollout/train.js';

export interface TrainRolloutOptions extends CommonOptions {
  out?: string;
  splitSeed?: number;
  maxGames?: number;
  testGames?: number;
  minCandidates: number;
  minPlayed: number;
  learningRate: number;
  l2: number;
}

/** The split seed of the shipped policy net, so the rollout policy never trains on the net's test games. */
function shippedSplitSeed(): number {
  const file = join(SHIPPED_MODEL, 'metadata.json');
  try {
    const seed = (JSON.parse(readFileSync(file, 'utf8')) as { splitSeed?: unknown }).splitSeed;
    if (typeof seed === 'number' && Number.isInteger(seed)) return seed;
  } catch {
    // fall through
  }
  throw new UsageError(`cannot read splitSeed from ${file}; pass --split-seed`);
}

export function registerTrainRollout(program: Command): void {
  const cmd = program
    .command('train-rollout')
    .description(
      "train the search's fast rollout policy (3x3 patterns, a linear softmax) on the training games; score it on the test games",
    );
  withCommonOptions(cmd, ['dataDir', 'epochs', 'json'], { epochs: 3 });
  cmd
    .option('--out <dir>', `where rollout.json is written (default: a new folder runs/${APP}/rollout-<time>)`)
    .option(
      '--split-seed <n>',
      "seed of the by-game split (default: the shipped policy net's, so its test games stay unseen)",
      parseIntIn(0),
    )
    .option('--max-games <n>', 'train on at most this many training games, spread evenly', parseIntIn(1))
    .option('--test-games <n>', 'score on at most this many test games (default: all)', parseIntIn(1))
    .option(
      '--min-candidates <n>',
      'a 3x3 pattern gets its own weight when seen this often as a candidate...',
      parseIntIn(1),
      50,
    )
    .option('--min-played <n>', '...or played this often', parseIntIn(1), 3)
    .option('--learning-rate <x>', "AdaGrad's step size", parseNumberIn(1e-6, 10), 0.1)
    .option('--l2 <x>', 'L2 penalty on the 3x3 pattern weights', parseNumberIn(0, 1), 1e-4)
    .action(
      runAction<TrainRolloutOptions>(
        async ({ opts, log }) => {
          const dataDir = resolveDataDir(opts, DATA_SUB, DATA_WHAT);
          const out = opts.out !== undefined ? resolveUserPath(opts.out) : newRunDir('rollout');
          const seed = opts.splitSeed ?? shippedSplitSeed();
          const split = splitGames(await requireGames(dataDir, DATA_WHAT), seed);
          const trainFiles = spreadEvenly(split.train, opts.maxGames);
          const started = performance.now();
          const secs = (): string => ((performance.now() - started) / 1000).toFixed(0);
          const train = await readGames(dataDir, trainFiles);
          const val = await readGames(dataDir, split.validation);
          log(
            `read ${train.games.length} training games (${train.skipped} skipped), ${val.games.length} validation games, split seed ${seed} (${secs()} s)`,
          );
          const counts = countPatterns(train.games);
          const vocab = chooseVocabulary(counts, opts.minCandidates, opts.minPlayed);
          log(
            `${counts.positions} positions; ${counts.candidates.size} distinct 3x3 patterns, ${vocab.length} with a weight of their own (${secs()} s)`,
          );
          const epochs = opts.epochs ?? 3;
          const weights = await trainWeights(train.games, vocab, {
            epochs,
            learningRate: opts.learningRate,
            l2: opts.l2,
            progressEvery: 200_000,
            onProgress: (p) =>
              log(
                `epoch ${p.epoch}: ${p.positions} positions, mean loss ${p.meanLoss.toFixed(4)} (${p.seconds.toFixed(0)} s)`,
              ),
            onEpoch: async (epoch, w, meanLoss) => {
              const m = moveMatch(new RolloutTables(w), val.games);
              log(
                `epoch ${epoch}: training loss ${meanLoss.toFixed(4)}, validation move-match ${(m.rate * 100).toFixed(2)}% of ${m.positions}`,
              );
              await saveRollout(out, w, {
                app: APP,
                version: VERSION,
                epochs: epoch,
                splitSeed: seed,
                validationMoveMatch: m.rate,
              });
            },
          });
          const testFiles = spreadEvenly(split.test, opts.testGames);
          const test = await readGames(dataDir, testFiles);
          const t0 = performance.now();
          const m = moveMatch(new RolloutTables(weights), test.games);
          const file = await saveRollout(out, weights, {
            app: APP,
            version: VERSION,
            createdAt: new Date().toISOString(),
            dataDir,
            splitSeed: seed,
            trainGames: train.games.length,
            trainPositions: counts.positions,
            patterns: vocab.length,
            epochs,
            learningRate: opts.learningRate,
            l2: opts.l2,
            minCandidates: opts.minCandidates,
            minPlayed: opts.minPlayed,
            testGames: test.games.length,
            testPositions: m.positions,
            moveMatch: m.rate,
          });
          log(
            `test move-match ${(m.rate * 100).toFixed(2)}% (${m.matched} of ${m.positions} moves, ${test.games.length} test games; scored in ${((performance.now() - t0) / 1000).toFixed(0)} s)`,
          );
          log(`wrote ${file} (${secs()} s in all)`);
          return {
            file,
            moveMatch: m.rate,
            testPositions: m.positions,
            testGames: test.games.length,
            patterns: vocab.length,
            trainGames: train.games.length,
          };
        },
        { backend: false },
      ),
    );
}
