export { type Example, type LoadReport, type Encoding, describeReport, decodeLine } from './example.js';
export { parseLabelFirst, type LabelFirstOptions } from './label-first.js';
export { parseDelimited, type DelimitedOptions } from './delimited.js';
export { type Split, foldAssignment, holdOut, crossValidationSplit } from './splits.js';
export {
  type Encoded,
  type SequenceSourceOptions,
  paddedLength,
  padBatch,
  sequenceSource,
  batchOrder,
} from './sequences.js';
export {
  type Benchmark,
  type BenchmarkName,
  type KimRow,
  type LoadedBenchmark,
  type ReadFile,
  BENCHMARKS,
  BENCHMARK_NAMES,
  CV_FOLDS,
  SST_TREES_TRAIN,
  DEV_FRACTION,
  benchmarkByName,
  benchmarkFiles,
  loadBenchmark,
  protocolSplits,
} from './benchmarks.js';
export { classNames, prepareSplit, type PreparedSplit, type PrepareOptions } from './prepare.js';
export { FETCH_BASE, SHA256, sha256, verify, fetchBenchmark, type FetchIo } from './fetch.js';
export {
  describePhrases,
  parseTree,
  phraseLabel,
  phrasesFromTrees,
  sentenceText,
  type Phrase,
  type PhraseExamples,
  type PhraseLabels,
} from './sst-trees.js';
