import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  UsageError,
  runsRoot,
  parseIntIn,
  resolveDataDir,
  resolveUserPath,
  runAction,
  withCommonOptions,
  writeFileAtomic,
  type CommonOptions,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import { APP, APP_DIR, DATA_SUB, DATA_WHAT } from '../app.js';
import { BENCHMARKS, BENCHMARK_NAMES, CV_FOLDS, benchmarkFiles } from '../data/index.js';
import { collectRuns, formatLeftOut, formatPaperTable, tableCells } from '../experiments/bench-paper.js';
import { KIM_TRAINING, VARIANTS, type Variant } from '../model/index.js';
import { benchmarkOf, usePhrases } from './read-split.js';
import { train } from './train.js';

interface BenchFlags extends CommonOptions {
  runs?: string;
  run?: boolean;
  sets?: string;
  variants?: string;
  embeddings?: string;
  folds?: number;
  seeds?: number;
  patience?: number;
  workers?: number;
  out?: string;
}

export function registerBenchPaper(program: Command): void {
  const cmd = program
    .command('bench-paper')
    .description(
      "Kim's Table 2 beside ours: the runs saved under --runs (train and bench-paper --run write them), four variants x five sets",
    );
  withCommonOptions(cmd, ['dataDir', 'epochs', 'batchSize', 'seed', 'json', 'backend'], {
    epochs: KIM_TRAINING.epochs,
    batchSize: KIM_TRAINING.batchSize,
  })
    .option('--runs <dir>', 'folder searched for finished runs (default: runs/text-cnn in the repository)')
    .option('--run', 'first train the runs of the cells named by --sets and --variants that are not there yet')
    .option('--sets <list>', `with --run: comma-separated subset of ${BENCHMARK_NAMES.join(',')}`)
    .option('--variants <list>', `with --run: comma-separated subset of ${VARIANTS.join(',')} (default rand)`)
    .option('--embeddings <name|file>', 'with --run: word vectors for the pretrained variants', 'glove-100d')
    .option('--folds <n>', `with --run: CV folds for MR and Subj (of ${CV_FOLDS})`, parseIntIn(1, CV_FOLDS), CV_FOLDS)
    .option('--seeds <n>', 'seeds per set with a given split (SST, TREC)', parseIntIn(1), 3)
    .option('--patience <n>', 'with --run: stop a run when dev accuracy has not improved for n epochs', parseIntIn(1))
    .option('--workers <n>', 'threads computing gradients, this one and n - 1 workers', parseIntIn(1), 1)
    .option('--out <file>', 'also write the table and every run to this Markdown file')
    .action(runAction<BenchFlags>(({ opts, log }) => benchPaper(opts, log)));
}

function listOf<T extends string>(
  text: string | undefined,
  all: readonly T[],
  flag: string,
  fallback: readonly T[],
): T[] {
  if (text === undefined) return [...fallback];
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const hit = all.find((a) => a.toLowerCase() === s.toLowerCase());
      if (!hit) throw new UsageError(`${flag}: unknown '${s}' (expected ${all.join(', ')})`);
      return hit;
    });
}

export async function benchPaper(opts: BenchFlags, log: (message: string) => void) {
  const root = opts.runs ? resolveUserPath(opts.runs) : join(runsRoot(APP_DIR), APP);
  const seeds = opts.seeds ?? 3;
  if (opts.run) await runMissing(opts, root, log);
  else if (opts.sets !== undefined || opts.variants !== undefined)
    throw new UsageError(
      '--sets and --variants choose what --run trains; without --run bench-paper only reads results',
    );
  if (!existsSync(root)) log(`${root}: no runs yet (train writes them there; or bench-paper --run)`);
  const { runs, leftOut, unfinished } = collectRuns(root);
  const cells = tableCells(runs, seeds);
  const table = formatPaperTable(cells);
  log(`${runs.length} finished runs under ${root}`);
  for (const line of formatLeftOut(leftOut)) log(line);
  if (unfinished.length)
    log(
      `${unfinished.length} without a test accuracy yet (training, or stopped: train --resume with the same --model-dir finishes one): ${unfinished.join(', ')}`,
    );
  log('');
  log(table);
  if (opts.out) {
    const file = resolveUserPath(opts.out);
    const lines = runs
      .sort((a, b) => a.dir.localeCompare(b.dir))
      .map(
        (r) =>
          `| ${r.variant} | ${r.set} | ${r.fold ?? ''} | ${r.seed} | ${(100 * r.testAccuracy).toFixed(2)} | ${r.dir} |`,
      );
    await writeFileAtomic(
      file,
      `# text-cnn bench-paper\n\n\`\`\`\n${table}\n\`\`\`\n\n| variant | set | fold | seed | test % | run |\n| --- | --- | --- | --- | --- | --- |\n${lines.join('\n')}\n`,
    );
    log(`report: ${file}`);
  }
  return {
    runsFolder: root,
    cells: cells.map((c) => ({
      variant: c.variant,
      set: c.set,
      n: c.runs.length,
      wanted: c.wanted,
      over: c.over,
      ...(c.repeats > 1 ? { repeats: c.repeats } : {}),
      ...(c.runs.length ? { mean: c.mean, std: c.std, accuracies: c.runs.map((r) => r.testAccuracy) } : {}),
      kim: c.kim,
      ...(c.command ? { command: c.command } : {}),
    })),
    leftOut,
    unfinished,
  };
}

/** Trains each missing run of the chosen cells into <runs>/bench/<variant>/<set>-<fold|seed>, resuming stopped ones. */
async function runMissing(opts: BenchFlags, root: string, log: (message: string) => void): Promise<void> {
  const sets = listOf(opts.sets, BENCHMARK_NAMES, '--sets', BENCHMARK_NAMES);
  const variants = listOf<Variant>(opts.variants, VARIANTS, '--variants', ['rand']);
  const dir = resolveDataDir(opts, DATA_SUB, DATA_WHAT);
  const seed = opts.seed ?? 1;
  for (const variant of variants)
    for (const name of sets) {
      const b = benchmarkOf(name);
      const phrases = usePhrases(b, undefined, dir);
      const missing = benchmarkFiles(b, phrases).filter((f) => !existsSync(join(dir, f)));
      if (missing.length) {
        log(`${b.name}: skipped, missing ${missing.join(', ')} in ${dir}`);
        continue;
      }
      const crossValidated = 'all' in BENCHMARKS[b.name].files;
      const runs = crossValidated
        ? Array.from({ length: opts.folds ?? CV_FOLDS }, (_, f) => ({ fold: f, seed, tag: `fold${f}` }))
        : Array.from({ length: opts.seeds ?? 3 }, (_, i) => ({ fold: 0, seed: seed + i, tag: `seed${seed + i}` }));
      for (const run of runs) {
        const modelDir = join(root, 'bench', variant, `${b.name}-${run.tag}`);
        if (collectRuns(modelDir).runs.length > 0) continue;
        const embeddings = variant !== 'rand' ? (opts.embeddings ?? 'glove-100d') : undefined;
        const epochs = opts.epochs ?? KIM_TRAINING.epochs;
        // The train command that gives this run by itself: what the table shows beside its number.
        const command = [
          `pnpm --filter ${APP} train --set ${b.name}`,
          ...(crossValidated ? [`--fold ${run.fold}`] : []),
          `--seed ${run.seed} --variant ${variant}`,
          ...(embeddings ? [`--embeddings ${embeddings}`] : []),
          `--epochs ${epochs}`,
          ...(opts.patience !== undefined ? [`--patience ${opts.patience}`] : []),
          ...(opts.batchSize !== undefined && opts.batchSize !== KIM_TRAINING.batchSize
            ? [`--batch-size ${opts.batchSize}`]
            : []),
        ].join(' ');
        log(`${b.name} ${variant} ${run.tag} -> ${modelDir}`);
        const { embeddings: _vectors, ...common } = opts;
        await train(
          {
            ...common,
            set: b.name,
            fold: run.fold,
            seed: run.seed,
            variant,
            ...(embeddings ? { embeddings } : {}),
            modelDir,
            resume: existsSync(join(modelDir, 'checkpoints')),
            json: false,
            command,
          },
          log,
        );
      }
    }
}
