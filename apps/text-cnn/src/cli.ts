// text-cnn's command line: Kim's sentence CNN. The only place in the app that reads flags, files and stdin.
import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import {
  DataError,
  UsageError,
  classReport,
  confusionMatrix,
  createProgram,
  evaluate,
  formatClassReport,
  formatConfusionMatrix,
  loadModel,
  parseChoice,
  parseIntIn,
  plotConfusionMatrix,
  plotHistory,
  resolveDataDir,
  resolveUserPath,
  runAction,
  runProgram,
  saveModel,
  withCommonOptions,
  writeFileAtomic,
  type CommonOptions,
  type History,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import {
  BENCHMARK_NAMES,
  CV_FOLDS,
  DEV_FRACTION,
  benchmarkByName,
  describeReport,
  fetchBenchmark,
  holdOut,
  loadBenchmark,
  parseDelimited,
  parseLabelFirst,
  protocolSplits,
  sequenceSource,
  type Benchmark,
  type Encoding,
  type Example,
  type LoadReport,
  type Split,
} from './data/index.js';
import { formatPaperTable, meanStd, prepareSplit, trainOnSplit, type BenchRow, type PreparedSplit } from './experiment/index.js';
import { Explainer } from './explain/index.js';
import { KIM_DEFAULTS, KIM_TRAINING, VARIANTS, keepFirstRows, type Variant } from './model/index.js';
import { TOKENIZERS, Vocabulary, embeddingsFromLines, tokenize, type TokenizerName } from './text/index.js';

const APP = 'text-cnn';
const APP_DIR = resolve(import.meta.dirname, '..');
const SHIPPED_MODEL = join(APP_DIR, 'models', 'default');
const TRAINED_MODEL = join(APP_DIR, 'models', 'latest');
const VOCAB_FILE = 'vocab.json';
const DATA_WHAT = 'the sentence sets of Kim (2014) (rt-polarity.all, stsa.*, subj.all, TREC.*.all)';

// ---------------------------------------------------------------- options

interface DataOpts extends CommonOptions {
  set?: string;
  dataFile?: string;
  format?: 'label-first' | 'csv' | 'tsv';
  textColumn?: string;
  labelColumn?: string;
  encoding?: Encoding;
  tokenizer?: TokenizerName;
  fold?: number;
}

interface TrainOpts extends DataOpts {
  variant: Variant;
  embeddings?: string;
  maxVocab?: number;
  minCount?: number;
  patience?: number;
  workers?: number;
  resume?: boolean;
}

function dataOptions(cmd: Command, defaultSet?: string): Command {
  return cmd
    .option('--set <name>', `benchmark in the data folder: ${BENCHMARK_NAMES.join(', ')}${defaultSet ? '' : " (default: the model's own)"}`, defaultSet)
    .option('--data-file <file>', 'train/evaluate on this file instead (label-first lines, or CSV/TSV with --format)')
    .option('--format <kind>', 'format of --data-file: label-first, csv or tsv', parseChoice(['label-first', 'csv', 'tsv'] as const), 'label-first')
    .option('--text-column <name|index>', 'CSV/TSV column with the sentence', 'text')
    .option('--label-column <name|index>', 'CSV/TSV column with the label', 'label')
    .option('--encoding <enc>', 'auto (UTF-8, else Latin-1), utf8 (skip other lines) or latin1', parseChoice(['auto', 'utf8', 'latin1'] as const), 'auto')
    .option('--tokenizer <name>', `${TOKENIZERS.join(', ')} (default: the set's own; treebank for --data-file)`, parseChoice(TOKENIZERS))
    .option('--fold <n>', `which of the ${CV_FOLDS} cross-validation folds is the test set (MR, Subj)`, parseIntIn(0, CV_FOLDS - 1), 0);
}

// ---------------------------------------------------------------- data

function benchmarkOf(name: string | undefined): Benchmark {
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

function reportLoad(reports: readonly LoadReport[], log: (m: string) => void): void {
  for (const r of reports) log(describeReport(r));
}

async function loadSetSplits(opts: DataOpts, seed: number, log: (m: string) => void, maxFolds?: number) {
  const b = benchmarkOf(opts.set);
  const dir = resolveDataDir(opts, 'text', DATA_WHAT);
  const loaded = await loadBenchmark(
    b,
    async (name) => {
      const path = join(dir, name);
      return { path, bytes: await readBytes(path, `${b.name} needs it; try \`text-cnn data fetch ${b.name} --data-dir ${dir}\``) };
    },
    opts.encoding,
  );
  reportLoad(loaded.reports, log);
  return { benchmark: b, splits: protocolSplits(loaded, seed, maxFolds), loaded };
}

/** A user's file: 10% held out as test, 10% of the rest as dev (the same seed gives the same split). */
async function loadFileSplit(opts: DataOpts, seed: number, log: (m: string) => void): Promise<Split<Example>> {
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
  reportLoad([report], log);
  if (examples.length < 20) throw new DataError(file, `only ${examples.length} usable examples; need at least 20 to hold out dev and test sets`);
  const { kept, held: test } = holdOut(examples, 0.1, seed);
  const { kept: train, held: dev } = holdOut(kept, DEV_FRACTION, seed + 1);
  return { train, dev, test };
}

interface SplitRecord {
  set?: string;
  dataFile?: string;
  format?: string;
  textColumn?: string;
  labelColumn?: string;
  fold?: number;
  seed: number;
}

async function resolveSplit(opts: DataOpts, seed: number, log: (m: string) => void): Promise<{ split: Split<Example>; record: SplitRecord; tokenizer: TokenizerName; classes?: readonly string[] }> {
  if (opts.dataFile) {
    const split = await loadFileSplit(opts, seed, log);
    const record: SplitRecord = { dataFile: resolveUserPath(opts.dataFile), format: opts.format ?? 'label-first', seed };
    if (opts.format === 'csv' || opts.format === 'tsv') Object.assign(record, { textColumn: opts.textColumn, labelColumn: opts.labelColumn });
    return { split, record, tokenizer: opts.tokenizer ?? 'treebank' };
  }
  const fold = opts.fold ?? 0;
  const { benchmark, splits } = await loadSetSplits(opts, seed, log, fold + 1);
  const split = splits[Math.min(fold, splits.length - 1)] as Split<Example>;
  return { split, record: { set: benchmark.name, ...(splits.length > 1 ? { fold } : {}), seed }, tokenizer: opts.tokenizer ?? benchmark.tokenizer, classes: benchmark.labels };
}

async function wordVectors(opts: TrainOpts, data: PreparedSplit, log: (m: string) => void) {
  if (opts.variant === 'rand') {
    if (opts.embeddings) log('note: --embeddings is ignored by the rand variant (word vectors start random)');
    return undefined;
  }
  if (!opts.embeddings) throw new UsageError(`--variant ${opts.variant} needs --embeddings <file> (GloVe or word2vec text format)`);
  const file = resolveUserPath(opts.embeddings);
  if (!existsSync(file)) throw new DataError(file, 'no such file (--embeddings)');
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  const m = await embeddingsFromLines(lines, file, data.vocab, opts.seed ?? 1);
  log(`word vectors: ${m.found} of ${data.vocab.size} vocabulary words found in ${file} (dim ${m.dim}); the rest U(-0.25, 0.25)`);
  return { data: m.data, dim: m.dim };
}

// ---------------------------------------------------------------- models on disk

interface TextModelMeta {
  classes: string[];
  tokenizer: TokenizerName;
  variant: Variant;
  split?: SplitRecord;
  testAccuracy?: number;
  history?: History;
}

async function loadTextModel(dir: string) {
  if (!existsSync(join(dir, 'model.json'))) {
    throw new UsageError(`--model-dir: no model in ${dir} (expected model.json); train one with \`pnpm --filter text-cnn train --model-dir ${dir}\``);
  }
  const { model, metadata } = await loadModel(dir);
  const meta = metadata as unknown as TextModelMeta | null;
  if (!meta || !Array.isArray(meta.classes) || typeof meta.tokenizer !== 'string') {
    throw new DataError(join(dir, 'metadata.json'), 'expected the classes and tokenizer of a text-cnn model');
  }
  const vocabPath = join(dir, VOCAB_FILE);
  let vocabJson: unknown;
  try {
    vocabJson = JSON.parse(new TextDecoder().decode(await readBytes(vocabPath, 'the vocabulary saved beside the model')));
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(vocabPath, `not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const vocab = Vocabulary.fromJSON(vocabJson, vocabPath);
  return { model, meta, vocab };
}

// ---------------------------------------------------------------- verbs

async function trainVerb(opts: TrainOpts, log: (m: string) => void) {
  const seed = opts.seed ?? 1;
  const { split, record, tokenizer, classes } = await resolveSplit(opts, seed, log);
  const data = prepareSplit(split, {
    tokenizer,
    ...(classes ? { classes } : {}),
    ...(opts.minCount !== undefined ? { minCount: opts.minCount } : {}),
    ...(opts.maxVocab !== undefined ? { maxVocab: opts.maxVocab } : {}),
  });
  log(
    `${record.set ?? record.dataFile}${record.fold !== undefined ? ` fold ${record.fold}` : ''}: ${data.train.length} train, ${data.dev.length} dev, ${data.test.length} test; ` +
      `vocabulary ${data.vocab.size} words; classes ${data.classes.join(', ')}; CNN-${opts.variant}`,
  );
  if (data.unseenLabel > 0) log(`skipped ${data.unseenLabel} dev/test examples whose label never occurs in train`);
  const embeddings = await wordVectors(opts, data, log);
  const dir = resolve(opts.modelDir ?? TRAINED_MODEL);
  const result = await trainOnSplit(data, {
    variant: opts.variant,
    ...(embeddings ? { embeddings } : {}),
    epochs: opts.epochs ?? KIM_TRAINING.epochs,
    batchSize: opts.batchSize ?? KIM_TRAINING.batchSize,
    seed,
    ...(opts.patience !== undefined ? { patience: opts.patience } : {}),
    workers: opts.workers ?? 1,
    log,
    checkpointDir: join(dir, 'checkpoints'),
    resume: opts.resume ?? false,
  });
  // The vocabulary first: model.json, written last by saveModel, marks a finished save.
  await writeFileAtomic(join(dir, VOCAB_FILE), `${JSON.stringify(data.vocab.toJSON())}\n`);
  const meta: TextModelMeta = { classes: data.classes, tokenizer, variant: opts.variant, split: record, testAccuracy: result.testAccuracy, history: result.history };
  await saveModel(result.model, dir, { app: APP, ...meta, bestEpoch: result.bestEpoch, devAccuracy: result.devAccuracy, trainSeconds: result.seconds });
  await plotHistory(
    { epochs: result.history.epochs, ...(result.history.bestEpoch !== null ? { bestEpoch: result.history.bestEpoch } : {}) },
    join(dir, 'history.png'),
    { title: `Kim CNN-${opts.variant} on ${record.set ?? 'data file'}` },
  );
  log(
    `test accuracy ${(100 * result.testAccuracy).toFixed(2)}% at the best dev epoch ${result.bestEpoch} (dev ${(100 * result.devAccuracy).toFixed(2)}%), ` +
      `${result.seconds.toFixed(0)} s; model saved to ${dir} (learning curves: history.png)`,
  );
  return {
    testAccuracy: result.testAccuracy,
    epochs: result.history.epochs.length,
    seconds: Number(result.seconds.toFixed(1)),
    bestEpoch: result.bestEpoch,
    devAccuracy: result.devAccuracy,
    vocabulary: data.vocab.size,
    modelDir: dir,
  };
}

async function evalVerb(opts: DataOpts & { modelDir?: string }, log: (m: string) => void) {
  const dir = resolve(opts.modelDir ?? SHIPPED_MODEL);
  const { model, meta, vocab } = await loadTextModel(dir);
  // Without a data flag, the test examples the model was trained beside (same set, fold and seed).
  const fromMeta = !opts.dataFile && meta.split !== undefined && opts.set === undefined;
  const source: DataOpts = fromMeta
    ? { ...opts, ...(meta.split?.set ? { set: meta.split.set } : {}), ...(meta.split?.dataFile ? { dataFile: meta.split.dataFile, format: meta.split.format as DataOpts['format'] } : {}), fold: meta.split?.fold ?? 0 }
    : opts;
  const seed = fromMeta ? (meta.split?.seed ?? 1) : (opts.seed ?? 1);
  const { split } = await resolveSplit({ ...source, tokenizer: meta.tokenizer }, seed, log);
  const index = new Map(meta.classes.map((c, i) => [c, i]));
  const examples = split.test.filter((e) => index.has(e.label));
  if (examples.length === 0) throw new DataError(source.dataFile ?? source.set ?? 'data', `no test examples with the model's labels (${meta.classes.join(', ')})`);
  const encoded = examples.map((e) => ({ ids: vocab.encode(tokenize(e.text, meta.tokenizer)), label: index.get(e.label) as number }));
  const ev = await evaluate(model, sequenceSource(encoded, { maxWindow: Math.max(...KIM_DEFAULTS.windows), shuffle: false }), 100, { probabilities: true });
  const matrix = confusionMatrix(ev.probabilities as Float32Array, ev.labels as Int32Array);
  const report = classReport(matrix, meta.classes);
  log(`${examples.length} test examples from ${source.dataFile ?? source.set}${source.fold !== undefined && !source.dataFile ? ` (fold ${source.fold})` : ''}`);
  log(formatConfusionMatrix(matrix, meta.classes));
  log(formatClassReport(report));
  const png = join(dir, 'confusion.png');
  await plotConfusionMatrix(matrix, png, { labels: meta.classes, title: `text-cnn on ${source.set ?? 'data file'}` });
  log(`accuracy ${(100 * ev.accuracy).toFixed(2)}%, loss ${ev.loss.toFixed(4)}; confusion matrix picture: ${png}`);
  return { accuracy: ev.accuracy, loss: ev.loss, count: ev.count, confusion: matrix };
}

async function predictVerb(sentence: string, opts: CommonOptions & { top?: number }, log: (m: string) => void) {
  if (sentence.trim() === '') throw new UsageError('predict: give a sentence, e.g. predict "a gripping, beautifully acted film"');
  const dir = resolve(opts.modelDir ?? SHIPPED_MODEL);
  const loading = performance.now();
  const { model, meta, vocab } = await loadTextModel(dir);
  const explainer = new Explainer(model, vocab, meta.classes);
  // Loading includes one pass on a fixed sentence: tfjs sets up each kernel on its first call.
  explainer.explain(['warm', 'up']);
  const loadMs = performance.now() - loading;
  const tokens = tokenize(sentence, meta.tokenizer);
  if (tokens.length === 0) throw new UsageError(`predict: nothing left of '${sentence}' after tokenising (${meta.tokenizer})`);
  const started = performance.now();
  const e = explainer.explain(tokens, opts.top ?? 5);
  const ms = performance.now() - started;
  printExplanation(e, vocab, log);
  log(`(answered in ${ms.toFixed(0)} ms after loading the model in ${loadMs.toFixed(0)} ms)`);
  return {
    label: e.label,
    probabilities: e.probabilities,
    ngrams: e.ngrams,
    tokens: e.tokens,
    unknown: tokens.filter((t) => !vocab.has(t)),
    ms: Number(ms.toFixed(1)),
    loadMs: Number(loadMs.toFixed(0)),
  };
}

function printExplanation(e: ReturnType<Explainer['explain']>, vocab: Vocabulary, log: (m: string) => void): void {
  const probs = Object.entries(e.probabilities)
    .map(([c, p]) => `${c}: ${(100 * p).toFixed(1)}%`)
    .join('  ');
  log(`label ${e.label}   (${probs})`);
  const unknown = e.tokens.filter((t) => !vocab.has(t));
  if (unknown.length) log(`unknown words: ${unknown.join(' ')}`);
  if (e.ngrams.length === 0) log('no filter fired on these words');
  for (const g of e.ngrams) log(`  "${g.ngram}"  (filter ${g.window}-gram #${g.filter}, feature ${g.activation.toFixed(2)}, pushes ${e.label} by ${g.contribution.toFixed(2)})`);
}

async function startVerb(opts: CommonOptions, log: (m: string) => void) {
  const dir = resolve(opts.modelDir ?? SHIPPED_MODEL);
  const { model, meta, vocab } = await loadTextModel(dir);
  const explainer = new Explainer(model, vocab, meta.classes);
  log(`text-cnn (${dir}, classes ${meta.classes.join(', ')}): type a sentence, an empty line or Ctrl-D ends`);
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: '> ', terminal: process.stdin.isTTY });
  let answered = 0;
  rl.prompt();
  for await (const line of rl) {
    if (line.trim() === '') break;
    const tokens = tokenize(line, meta.tokenizer);
    if (tokens.length === 0) log('(no words left after tokenising)');
    else {
      printExplanation(explainer.explain(tokens), vocab, log);
      answered++;
    }
    rl.prompt();
  }
  rl.close();
  return { answered };
}

interface BenchOpts extends CommonOptions {
  sets?: string;
  folds?: number;
  seeds?: number;
  patience?: number;
  workers?: number;
  report?: string;
}

async function benchVerb(opts: BenchOpts, log: (m: string) => void) {
  const names = (opts.sets ?? BENCHMARK_NAMES.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  const sets = names.map((n) => benchmarkOf(n));
  const dir = resolveDataDir(opts, 'text', DATA_WHAT);
  const seed = opts.seed ?? 1;
  const rows: BenchRow[] = [];
  const skipped: string[] = [];
  for (const b of sets) {
    const missing = ('all' in b.files ? [b.files.all] : [b.files.train, b.files.test]).filter((f) => !existsSync(join(dir, f)));
    if (missing.length) {
      log(`${b.name}: skipped, missing ${missing.join(', ')} in ${dir}`);
      skipped.push(b.name);
      continue;
    }
    const { splits } = await loadSetSplits({ ...opts, set: b.name }, seed, log, opts.folds ?? CV_FOLDS);
    // Cross-validated sets run one seed per fold, also with --folds 1; the others repeat their given split over seeds.
    const crossValidated = 'all' in b.files;
    const runs: Array<{ split: Split<Example>; seed: number }> = crossValidated
      ? splits.map((s) => ({ split: s, seed }))
      : Array.from({ length: opts.seeds ?? 3 }, (_, i) => ({ split: splits[0] as Split<Example>, seed: seed + i }));
    const accuracies: number[] = [];
    const started = performance.now();
    for (const [i, run] of runs.entries()) {
      const data = prepareSplit(run.split, { tokenizer: b.tokenizer, classes: b.labels });
      const r = await trainOnSplit(data, {
        variant: 'rand',
        epochs: opts.epochs ?? KIM_TRAINING.epochs,
        batchSize: opts.batchSize ?? KIM_TRAINING.batchSize,
        seed: run.seed,
        ...(opts.patience !== undefined ? { patience: opts.patience } : {}),
        workers: opts.workers ?? 1,
        log,
      });
      r.model.dispose();
      accuracies.push(r.testAccuracy);
      const label = crossValidated ? `fold ${i + 1}/${runs.length}` : `seed ${run.seed}`;
      log(`${b.name} ${label}: test ${(100 * r.testAccuracy).toFixed(2)}% (best dev epoch ${r.bestEpoch}, ${r.seconds.toFixed(0)} s)`);
    }
    rows.push({ set: b.name, accuracies, over: crossValidated ? 'fold' : 'seed', seconds: (performance.now() - started) / 1000 });
    log(formatPaperTable(rows));
  }
  if (rows.length === 0) throw new DataError(dir, `none of ${names.join(', ')} is in the data folder`);
  const table = formatPaperTable(rows);
  log(`\n${table}`);
  if (opts.report) {
    await writeFileAtomic(resolveUserPath(opts.report), `# text-cnn bench-paper\n\n\`\`\`\n${table}\n\`\`\`\n\n${JSON.stringify(rows, null, 2)}\n`);
    log(`report: ${resolveUserPath(opts.report)}`);
  }
  return {
    rows: rows.map((r) => ({ set: r.set, ...meanStd(r.accuracies), accuracies: r.accuracies, over: r.over, seconds: Number(r.seconds.toFixed(0)), kim: benchmarkOf(r.set).kimRand })),
    skipped,
  };
}

/** A saved model cut to its most frequent words, so that it is small enough to ship. */
async function shrinkVerb(opts: CommonOptions & { out: string; maxVocab: number }, log: (m: string) => void) {
  const from = resolve(opts.modelDir ?? TRAINED_MODEL);
  const out = resolveUserPath(opts.out);
  if (out === from) throw new UsageError('--out: give another folder than --model-dir (the full model stays as it is)');
  const { model, meta, vocab } = await loadTextModel(from);
  if (opts.maxVocab >= vocab.size) throw new UsageError(`--max-vocab: the model in ${from} has ${vocab.size} words; give fewer`);
  const small = keepFirstRows(model, meta.variant ?? 'rand', opts.maxVocab);
  const words = Vocabulary.fromJSON({ words: vocab.words.slice(0, opts.maxVocab), minCount: vocab.minCount }, 'cut vocabulary');
  await writeFileAtomic(join(out, VOCAB_FILE), `${JSON.stringify(words.toJSON())}\n`);
  // The full model's test accuracy is not this one's: eval measures it again.
  const { testAccuracy: _fullAccuracy, ...kept } = meta;
  const saved = await saveModel(small, out, { app: APP, ...kept, cutFrom: { modelDir: from, vocabulary: vocab.size, testAccuracy: meta.testAccuracy } });
  log(`${from}: ${vocab.size} words -> ${out}: ${opts.maxVocab} words (the rest are <unk>); measure it with \`eval --model-dir ${out}\``);
  return { modelDir: out, vocabulary: opts.maxVocab, fromVocabulary: vocab.size, weightBytes: saved.weightBytes };
}

// ---------------------------------------------------------------- program

export function buildProgram(): Command {
  const program = createProgram(APP, "Kim (2014) sentence CNN: full-width filters over words, max-over-time pooling");

  const train = program.command('train').description('train on a benchmark set (default: MR, one CV fold) or on --data-file; saves the model');
  withCommonOptions(dataOptions(train, 'MR'), undefined, { epochs: KIM_TRAINING.epochs, batchSize: KIM_TRAINING.batchSize, seed: 1 })
    .option('--variant <name>', `${VARIANTS.join(', ')}`, parseChoice(VARIANTS), 'rand')
    .option('--embeddings <file>', 'pretrained word vectors, GloVe or word2vec text format (static, non-static, multichannel)')
    .option('--max-vocab <n>', 'keep only the n most frequent words (smaller saved model)', parseIntIn(3))
    .option('--min-count <n>', 'drop words seen fewer times in training', parseIntIn(1), 1)
    .option('--patience <n>', 'stop when dev accuracy has not improved for n epochs (the paper: never)', parseIntIn(1))
    .option('--workers <n>', 'gradient worker threads', parseIntIn(1), 1)
    .option('--resume', 'continue from the checkpoint in <model-dir>/checkpoints')
    .addHelpText('after', '\nDefault model folder: models/latest. Example: train --data-file my.txt --model-dir /tmp/m --seed 1 --json')
    .action(runAction<TrainOpts>(({ opts, log }) => trainVerb(opts, log)));

  const evalCmd = program.command('eval').description("accuracy, confusion matrix and per-class scores on a model's test examples (or --set / --data-file)");
  withCommonOptions(dataOptions(evalCmd), ['dataDir', 'modelDir', 'seed', 'json', 'backend'])
    .action(runAction<DataOpts>(({ opts, log }) => evalVerb(opts, log)));

  const predict = program
    .command('predict')
    .description('label a sentence and show the n-grams that won the max-pooling for the most influential filters')
    .argument('<sentence...>', 'the sentence (quote it)')
    .option('--top <n>', 'how many n-grams to show', parseIntIn(1, 50), 5);
  withCommonOptions(predict, ['modelDir', 'json', 'backend']).action(
    runAction<CommonOptions & { top?: number }>(({ opts, args, log }) => predictVerb(args.join(' '), opts, log)),
  );

  const start = program.command('start').description('interactive prompt: type sentences, see labels and the n-grams behind them');
  withCommonOptions(start, ['modelDir', 'json', 'backend']).action(runAction<CommonOptions>(({ opts, log }) => startVerb(opts, log)));

  const bench = program.command('bench-paper').description("Kim's protocol (CNN-rand) on every set in the data folder, beside Table 2 of the paper");
  withCommonOptions(bench, ['dataDir', 'epochs', 'batchSize', 'seed', 'json', 'backend'], { epochs: KIM_TRAINING.epochs, batchSize: KIM_TRAINING.batchSize })
    .option('--sets <list>', `comma-separated subset of ${BENCHMARK_NAMES.join(',')}`)
    .option('--folds <n>', `CV folds to run for MR and Subj (of ${CV_FOLDS})`, parseIntIn(1, CV_FOLDS), CV_FOLDS)
    .option('--seeds <n>', 'seeds per set with a given split (SST, TREC)', parseIntIn(1), 3)
    .option('--patience <n>', 'stop a run when dev accuracy has not improved for n epochs', parseIntIn(1))
    .option('--workers <n>', 'gradient worker threads', parseIntIn(1), 1)
    .option('--report <file>', 'also write the table and every run to this Markdown file')
    .action(runAction<BenchOpts>(({ opts, log }) => benchVerb(opts, log)));

  const shrink = program.command('shrink').description("copy a trained model with only its most frequent words (a smaller model to ship)");
  withCommonOptions(shrink, ['modelDir', 'json', 'backend'])
    .requiredOption('--out <dir>', 'folder for the smaller model')
    .requiredOption('--max-vocab <n>', 'words to keep, <pad> and <unk> included', parseIntIn(3))
    .action(runAction<CommonOptions & { out: string; maxVocab: number }>(({ opts, log }) => shrinkVerb(opts, log)));

  const data = program.command('data').description('datasets');
  const fetchCmd = data.command('fetch').description(`download a set (${BENCHMARK_NAMES.join(', ')}) into the data folder, checked by sha256`).argument('<name>');
  withCommonOptions(fetchCmd, ['dataDir', 'json']).action(
    runAction<CommonOptions>(
      async ({ opts, args, log }) => {
        const b = benchmarkOf(args[0]);
        const dir = opts.dataDir ?? resolveUserPath(join(process.env.CNN_LAB_DATA ?? '.', 'text'));
        const saved = await fetchBenchmark(b, {
          download: async (url) => {
            const res = await fetch(url, { signal: AbortSignal.timeout(30_000) });
            if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
            return new Uint8Array(await res.arrayBuffer());
          },
          save: async (name, bytes) => {
            const path = join(dir, name);
            await writeFileAtomic(path, bytes);
            return path;
          },
          log,
        });
        return { saved };
      },
      { backend: false },
    ),
  );
  return program;
}

await runProgram(buildProgram());
