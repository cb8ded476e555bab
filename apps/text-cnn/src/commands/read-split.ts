// Reads the sentences the data flags name: a benchmark set from the data folder, or a user's file.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, UsageError, resolveDataDir, resolveUserPath } from '@cnn-lab/core';
import {
  BENCHMARK_NAMES,
  DEV_FRACTION,
  benchmarkByName,
  describeReport,
  holdOut,
  loadBenchmark,
  parseDelimited,
  parseLabelFirst,
  protocolSplits,
  type Benchmark,
  type Example,
  type Split,
} from '../data/index.js';
import { DATA_SUB, DATA_WHAT } from '../app.js';
import type { SplitRecord } from '../model/load.js';
import type { TokenizerName } from '../text/index.js';
import type { DataFlags } from './data-flags.js';

type Log = (message: string) => void;

export function benchmarkOf(name: string | undefined): Benchmark {
  const b = benchmarkByName(name ?? 'MR');
  if (!b) throw new UsageError(`--set: unknown set '${name}' (expected one of ${BENCHMARK_NAMES.join(', ')})`);
  return b;
}

async function readBytes(path: string, what: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(path, code === 'ENOENT' ? `no such file (${what})` : `cannot read (${code ?? String(err)})`);
  }
}

/**
 * Whether a run of `b` trains on the SST phrases: as the flags say (--phrases, --no-phrases), else when the
 * trees are in the data folder `dir`. --phrases for a set without trees is a UsageError.
 */
export function usePhrases(b: Benchmark, phrases: boolean | undefined, dir: string): boolean {
  if (phrases === false) return false;
  if (!b.trees) {
    if (phrases) throw new UsageError(`--phrases: ${b.name} has no phrase trees (SST-1 and SST-2 have)`);
    return false;
  }
  return phrases ?? existsSync(join(dir, b.trees.train));
}

/** The runs of Kim's protocol on a benchmark set (one per CV fold, at most `maxFolds`; else the given split). */
export async function readSetSplits(
  opts: DataFlags,
  seed: number,
  log: Log,
  maxFolds?: number,
): Promise<{ benchmark: Benchmark; splits: Split<Example>[]; phrases: boolean }> {
  const b = benchmarkOf(opts.set);
  const dir = resolveDataDir(opts, DATA_SUB, DATA_WHAT);
  const phrases = usePhrases(b, opts.phrases, dir);
  if (b.trees && !phrases && opts.phrases === undefined)
    log(`${b.name}: no ${b.trees.train} in ${dir}, so trained on whole sentences only (Kim trained on every phrase)`);
  const loaded = await loadBenchmark(
    b,
    async (name) => {
      const path = join(dir, name);
      return {
        path,
        bytes: await readBytes(path, `${b.name} needs it; try \`text-cnn data fetch ${b.name} --data-dir ${dir}\``),
      };
    },
    opts.encoding,
    phrases,
  );
  if (loaded.phrases) log(loaded.phrases);
  for (const r of loaded.reports) log(describeReport(r));
  return { benchmark: b, splits: protocolSplits(loaded, seed, maxFolds), phrases };
}

/** A user's file: 10% held out as test, 10% of the rest as dev (the same seed gives the same split). */
async function readFileSplit(opts: DataFlags, seed: number, log: Log): Promise<Split<Example>> {
  const file = resolveUserPath(opts.dataFile as string);
  const bytes = await readBytes(file, '--data-file');
  const { examples, report } =
    opts.format === 'csv' || opts.format === 'tsv'
      ? parseDelimited(bytes, file, {
          textColumn: opts.textColumn ?? 'text',
          labelColumn: opts.labelColumn ?? 'label',
          delimiter: opts.format === 'tsv' ? '\t' : ',',
          ...(opts.encoding ? { encoding: opts.encoding } : {}),
        })
      : parseLabelFirst(bytes, file, opts.encoding ? { encoding: opts.encoding } : {});
  log(describeReport(report));
  describeLabels(examples, file, opts.format === 'csv' || opts.format === 'tsv' ? 'column' : 'first-word', log);
  if (examples.length < 20)
    throw new DataError(
      file,
      `only ${examples.length} usable examples; need at least 20 to hold out dev and test sets`,
    );
  const { kept, held: test } = holdOut(examples, 0.1, seed);
  const { kept: train, held: dev } = holdOut(kept, DEV_FRACTION, seed + 1);
  return { train, dev, test };
}

/** Beyond this many different labels, a file's labels look like something else (the first words of sentences). */
export const MANY_LABELS = 20;

/**
 * Says which labels a user's file gave (a label-first file takes each line's first word as its label, so a file of
 * bare sentences would give one "class" per first word). Many different labels are a warning; many labels that
 * mostly occur once are a DataError: those are not classes.
 */
function describeLabels(examples: readonly Example[], file: string, how: 'first-word' | 'column', log: Log): void {
  const counts = new Map<string, number>();
  for (const e of examples) counts.set(e.label, (counts.get(e.label) ?? 0) + 1);
  const byCount = [...counts].sort((a, b) => b[1] - a[1]);
  const shown = byCount
    .slice(0, 6)
    .map(([label, n]) => `'${label.slice(0, 20)}' ${n}`)
    .join(', ');
  const source = how === 'first-word' ? "each line's first word" : 'the label column';
  log(`${file}: ${counts.size} labels (${source}): ${shown}${counts.size > 6 ? ', ...' : ''}`);
  if (counts.size <= MANY_LABELS) return;
  const once = byCount.filter(([, n]) => n === 1).length;
  const hint =
    how === 'first-word'
      ? 'a label-first file is "<label> <sentence>" on each line ("1 a fine film"); for other layouts use --format csv or tsv with --label-column'
      : 'is --label-column the column of the classes?';
  if (once * 2 > counts.size) {
    throw new DataError(
      file,
      `${counts.size} different labels from ${source}, ${once} of them on one example only: these are not classes. ${hint}`,
    );
  }
  log(`warning: ${file}: ${counts.size} different labels from ${source}; ${hint}`);
}

/** Refuses a user's file a classifier cannot be trained on: fewer than two classes among its training examples. */
export function assertTrainable(split: Split<Example>, record: SplitRecord): void {
  if (record.dataFile === undefined) return;
  const labels = new Set(split.train.map((e) => e.label));
  if (labels.size < 2) {
    throw new DataError(
      record.dataFile,
      `every training example has the label '${[...labels][0] ?? ''}': a classifier needs examples of at least two classes`,
    );
  }
}

export interface ReadSplit {
  split: Split<Example>;
  /** What to store in the model's metadata so that eval finds the same test examples again. */
  record: SplitRecord;
  tokenizer: TokenizerName;
  /** A benchmark's fixed labels; a user's file takes the labels found in its training part. */
  classes?: readonly string[];
}

/** The train/dev/test split the data flags name (--data-file, else --set and --fold). */
export async function readSplit(opts: DataFlags, seed: number, log: Log): Promise<ReadSplit> {
  if (opts.dataFile) {
    const split = await readFileSplit(opts, seed, log);
    const format = opts.format ?? 'label-first';
    const record: SplitRecord = { dataFile: resolveUserPath(opts.dataFile), format, seed };
    if (format === 'csv' || format === 'tsv')
      Object.assign(record, { textColumn: opts.textColumn ?? 'text', labelColumn: opts.labelColumn ?? 'label' });
    return { split, record, tokenizer: opts.tokenizer ?? 'treebank' };
  }
  const fold = opts.fold ?? 0;
  const { benchmark, splits, phrases } = await readSetSplits(opts, seed, log, fold + 1);
  const split = splits[Math.min(fold, splits.length - 1)] as Split<Example>;
  return {
    split,
    record: {
      set: benchmark.name,
      ...(splits.length > 1 ? { fold } : {}),
      ...(benchmark.trees ? { phrases } : {}),
      seed,
    },
    tokenizer: opts.tokenizer ?? benchmark.tokenizer,
    classes: benchmark.labels,
  };
}

/** The data flags that give back the split a model was trained on, from its metadata. */
export function flagsOf(record: SplitRecord): Partial<DataFlags> {
  return record.dataFile !== undefined
    ? {
        dataFile: record.dataFile,
        format: record.format ?? 'label-first',
        ...(record.textColumn !== undefined ? { textColumn: record.textColumn } : {}),
        ...(record.labelColumn !== undefined ? { labelColumn: record.labelColumn } : {}),
      }
    : {
        set: record.set,
        fold: record.fold ?? 0,
        ...(record.phrases !== undefined ? { phrases: record.phrases } : {}),
      };
}
