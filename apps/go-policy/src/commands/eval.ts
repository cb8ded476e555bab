// `eval`: top-1, top-5 and log-loss of a model on held-out games, and accuracy by move number.
import { join } from 'node:path';
import {
  UsageError,
  parseChoice,
  parseIntIn,
  resolveDataDir,
  runAction,
  withCommonOptions,
  type CommonOptions,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import { DATA_SUB, DATA_WHAT } from '../app.js';
import { requireGames } from '../data/games.js';
import { SPLITS, splitGames, spreadEvenly, type SplitName } from '../data/split.js';
import { scoreGames } from '../model/evaluate.js';
import { loadPolicyModel } from '../model/load.js';
import { scoreReport } from '../model/report.js';

interface EvalOptions extends CommonOptions {
  split: SplitName | 'all';
  maxGames?: number;
  workers: number;
}

export function registerEval(program: Command): void {
  const cmd = program
    .command('eval')
    .description('top-1, top-5 and log-loss on held-out games, and accuracy by move number');
  withCommonOptions(cmd, ['dataDir', 'modelDir', 'batchSize', 'json', 'backend'], { batchSize: 64 });
  cmd
    .option(
      '--split <name>',
      `which games: ${[...SPLITS, 'all'].join(', ')} (all: every game in --data-dir)`,
      parseChoice([...SPLITS, 'all'] as const),
      'test',
    )
    .option('--max-games <n>', 'score at most this many games, spread evenly through the split', parseIntIn(1))
    .option('--workers <n>', 'feature worker threads', parseIntIn(1, 16), 1)
    .action(
      runAction<EvalOptions>(async ({ opts, log }) => {
        const dataDir = resolveDataDir(opts, DATA_SUB, DATA_WHAT);
        const { model, meta, dir } = await loadPolicyModel(opts.modelDir);
        const games = await requireGames(dataDir, DATA_WHAT);
        const chosen = opts.split === 'all' ? games : splitGames(games, meta.splitSeed)[opts.split];
        const files = spreadEvenly(chosen, opts.maxGames).map((g) => join(dataDir, g));
        if (files.length === 0) throw new UsageError(`--split ${opts.split}: no games of that split in ${dataDir}`);
        log(`scoring ${dir} on ${files.length} ${opts.split} games of ${dataDir}`);
        const started = performance.now();
        let lastReport = started;
        const { score, stats } = await scoreGames({
          model,
          featureSet: meta.featureSet,
          files,
          batchSize: opts.batchSize ?? 64,
          workers: opts.workers,
          onBatch: (n) => {
            const now = performance.now();
            if (now - lastReport > 10_000) {
              lastReport = now;
              process.stderr.write(`  ${n} positions, ${(n / ((now - started) / 1000)).toFixed(0)}/s\n`);
            }
          },
        });
        for (const line of scoreReport(score, stats)) log(line);
        const skipped = Object.entries(stats?.skipped ?? {});
        return {
          top1: score.top1,
          top5: score.top5,
          logLoss: score.logLoss,
          positions: score.positions,
          games: stats?.games ?? 0,
          skipped: Object.fromEntries(skipped.map(([r, s]) => [r, s.count])),
          byMoveNumber: score.byMoveNumber,
        };
      }),
    );
}
