import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  DataError,
  parseIntIn,
  resolveDataDir,
  resolveUserPath,
  runAction,
  withCommonOptions,
  writeFileAtomic,
  type CommonOptions,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import { DATA_SUB, DATA_WHAT } from '../app.js';
import { BENCHMARK_NAMES, CV_FOLDS, benchmarkFiles } from '../data/index.js';
import { benchSet, formatPaperTable, meanStd, type BenchRow } from '../experiments/bench-paper.js';
import { KIM_TRAINING } from '../model/index.js';
import { benchmarkOf, readSetSplits } from './read-split.js';

interface BenchFlags extends CommonOptions {
  sets?: string;
  folds?: number;
  seeds?: number;
  patience?: number;
  workers?: number;
  out?: string;
}

export function registerBenchPaper(program: Command): void {
  const cmd = program
    .command('bench-paper')
    .description("Kim's protocol (CNN-rand) on every set in the data folder, beside Table 2 of the paper");
  withCommonOptions(cmd, ['dataDir', 'epochs', 'batchSize', 'seed', 'json', 'backend'], {
    epochs: KIM_TRAINING.epochs,
    batchSize: KIM_TRAINING.batchSize,
  })
    .option('--sets <list>', `comma-separated subset of ${BENCHMARK_NAMES.join(',')}`)
    .option('--folds <n>', `CV folds to run for MR and Subj (of ${CV_FOLDS})`, parseIntIn(1, CV_FOLDS), CV_FOLDS)
    .option('--seeds <n>', 'seeds per set with a given split (SST, TREC)', parseIntIn(1), 3)
    .option('--patience <n>', 'stop a run when dev accuracy has not improved for n epochs', parseIntIn(1))
    .option('--workers <n>', 'gradient worker threads', parseIntIn(1), 1)
    .option('--out <file>', 'also write the table and every run to this Markdown file')
    .action(runAction<BenchFlags>(({ opts, log }) => benchPaper(opts, log)));
}

export async function benchPaper(opts: BenchFlags, log: (message: string) => void) {
  const names = (opts.sets ?? BENCHMARK_NAMES.join(','))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const sets = names.map((n) => benchmarkOf(n));
  const dir = resolveDataDir(opts, DATA_SUB, DATA_WHAT);
  const seed = opts.seed ?? 1;
  const rows: BenchRow[] = [];
  const skipped: string[] = [];
  for (const b of sets) {
    const missing = benchmarkFiles(b).filter((f) => !existsSync(join(dir, f)));
    if (missing.length) {
      log(`${b.name}: skipped, missing ${missing.join(', ')} in ${dir}`);
      skipped.push(b.name);
      continue;
    }
    const { splits } = await readSetSplits({ ...opts, dataDir: dir, set: b.name }, seed, log, opts.folds ?? CV_FOLDS);
    rows.push(
      await benchSet(b, splits, {
        seed,
        seeds: opts.seeds ?? 3,
        ...(opts.epochs !== undefined ? { epochs: opts.epochs } : {}),
        ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
        ...(opts.patience !== undefined ? { patience: opts.patience } : {}),
        workers: opts.workers ?? 1,
        log,
      }),
    );
    log(formatPaperTable(rows));
  }
  if (rows.length === 0) throw new DataError(dir, `none of ${names.join(', ')} is in the data folder`);
  const table = formatPaperTable(rows);
  log(`\n${table}`);
  if (opts.out) {
    const file = resolveUserPath(opts.out);
    await writeFileAtomic(
      file,
      `# text-cnn bench-paper\n\n\`\`\`\n${table}\n\`\`\`\n\n${JSON.stringify(rows, null, 2)}\n`,
    );
    log(`report: ${file}`);
  }
  return {
    rows: rows.map((r) => ({
      set: r.set,
      ...meanStd(r.accuracies),
      accuracies: r.accuracies,
      over: r.over,
      seconds: Number(r.seconds.toFixed(0)),
      kim: benchmarkOf(r.set).kimRand,
    })),
    skipped,
  };
}
