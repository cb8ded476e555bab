import {
  ALL_COMMON_OPTIONS,
  UsageError,
  parseChoice,
  parseIntIn,
  resolveModelDir,
  resolveUserPath,
  runAction,
  trainRecipe,
  withCommonOptions,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import { APP, APP_DIR } from '../app.js';
import { prepareSplit, type PreparedSplit } from '../data/index.js';
import {
  KIM_DEFAULTS,
  KIM_TRAINING,
  VARIANTS,
  buildForSplit,
  kimFitOptions,
  scoreTest,
  type NetworkOptions,
  type Variant,
} from '../model/index.js';
import { classNamesFor } from '../model/class-names.js';
import type { TextModelMetadata } from '../model/load.js';
import { vocabularyFiles } from '../model/save.js';
import { tokenize } from '../text/index.js';
import {
  DEFAULT_VECTOR_SCALE,
  KIM_VECTOR_STD,
  NAMED_VECTORS,
  VECTOR_ALIASES,
  VECTOR_SCALES,
  leadingWords,
  openVectors,
  vectorsForVocabulary,
  widenRows,
  type VectorScale,
} from '../vectors/index.js';
import { withDataFlags, type DataFlags } from './data-flags.js';
import { assertTrainable, readSplit } from './read-split.js';

export interface TrainFlags extends DataFlags {
  maxVocab?: number;
  minCount?: number;
  patience?: number;
  workers?: number;
  resume?: boolean;
  variant?: Variant;
  embeddings?: string;
  vectorWords?: number;
  vectorScale?: VectorScale;
  /** Words without a vector of their own take a stand-in's row ("n't" that of "not"; src/vectors/aliases.ts). */
  vectorAliases?: boolean;
  /** k, the values a word's row holds: CNN-rand's width, or pretrained rows widened with random columns. */
  embeddingDim?: number;
  /** The command recorded in the metadata (bench-paper --run gives the train command of each run). */
  command?: string;
}

type Log = (message: string) => void;

/** Pretrained variants add this many of the vectors' most frequent words to the vocabulary unless told. */
export const DEFAULT_VECTOR_WORDS = 20000;

/** The widest word-vector row `--embedding-dim` takes: its table is vocabulary x k floats (word2vec and GloVe: 300). */
export const MAX_EMBEDDING_DIM = 1000;

export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description(
      "train Kim's CNN (CNN-rand unless --variant) on a benchmark set (default: MR, CV fold 0) or on --data-file, and save the model",
    );
  withTrainFlags(cmd)
    .addHelpText(
      'after',
      `\nExamples:\n  train --data-file my.txt --model-dir /tmp/m --seed 1 --json\n  train --set TREC --variant non-static --embeddings glove-100d   (install the vectors once: pnpm --filter text-cnn vectors:install)`,
    )
    .action(runAction<TrainFlags>(({ opts, log }) => train(opts, log)));
}

/** train's flags, shared with the experiments that train. */
export function withTrainFlags(cmd: Command): Command {
  // Core's --model-dir help names the shipped model, where reading verbs start; train writes elsewhere.
  const common = ALL_COMMON_OPTIONS.filter((o) => o !== 'modelDir');
  return withCommonOptions(withDataFlags(cmd, 'MR'), common, {
    epochs: KIM_TRAINING.epochs,
    batchSize: KIM_TRAINING.batchSize,
    seed: 1,
  })
    .option('--model-dir <dir>', 'folder to save the model in (default: a new runs/text-cnn/<timestamp>)', (v) =>
      resolveUserPath(v),
    )
    .option('--max-vocab <n>', 'keep only the n most frequent words (a smaller model)', parseIntIn(3))
    .option('--min-count <n>', 'drop words seen fewer times in training', parseIntIn(1), 1)
    .option('--patience <n>', 'stop when dev accuracy has not improved for n epochs (the paper: never)', parseIntIn(1))
    .option('--workers <n>', 'threads computing gradients, this one and n - 1 workers', parseIntIn(1), 1)
    .option('--resume', 'continue from the checkpoint in --model-dir (without it: the newest run that has one)')
    .option(
      '--variant <name>',
      `${VARIANTS.join(', ')}: word vectors learnt from scratch, or pretrained ones kept fixed, fine-tuned, or both as two channels`,
      parseChoice(VARIANTS),
      'rand',
    )
    .option(
      '--embeddings <name|file>',
      `pretrained word vectors for the other variants: ${Object.keys(NAMED_VECTORS).join(', ')} (see \`vectors install\`) or a GloVe/word2vec text file`,
    )
    .option(
      '--vector-words <n>',
      `also give the model the vectors' n most frequent words its training data lacks (default ${DEFAULT_VECTOR_WORDS} with --embeddings)`,
      parseIntIn(0),
    )
    .option(
      '--vector-scale <rule>',
      `${VECTOR_SCALES.join(', ')}: how pretrained rows and the random rows of words without one share a scale. word2vec: the rows rescaled to the per-dimension spread of Kim's word2vec vectors (std ${KIM_VECTOR_STD.toFixed(3)}), the others U(-0.25, 0.25); word2vec-length: rescaled to the length of his 300-d rows instead (std ${KIM_VECTOR_STD.toFixed(3)} x sqrt(300/d)), the others with that spread; matched: the rows as published, the others U(-a, a) with the rows' variance; none: the rows as published, the others U(-0.25, 0.25), as before (default ${DEFAULT_VECTOR_SCALE})`,
      parseChoice(VECTOR_SCALES),
    )
    .option(
      '--embedding-dim <k>',
      `k, the values in each word's row. CNN-rand: the width of the vectors it learns (default ${KIM_DEFAULTS.embeddingDim}, the paper's). With --embeddings: each pretrained row's d values followed by k - d drawn as an unknown word's, which non-static training learns from scratch (default d, the vectors' own width; at most ${MAX_EMBEDDING_DIM})`,
      parseIntIn(1, MAX_EMBEDDING_DIM),
    )
    .option(
      '--vector-aliases',
      `words without a pretrained vector of their own take the row of a stand-in: ${Object.entries(VECTOR_ALIASES)
        .map(([w, s]) => `${w} -> ${s}`)
        .join(', ')} (off unless given)`,
    );
}

/** The word vectors a pretrained variant starts from, and the words they add to the vocabulary. */
async function pretrained(opts: TrainFlags, log: Log) {
  const variant = opts.variant ?? 'rand';
  if (variant === 'rand') {
    if (opts.vectorScale)
      throw new UsageError('--vector-scale: CNN-rand has no pretrained vectors; give --variant and --embeddings');
    if (opts.vectorAliases)
      throw new UsageError('--vector-aliases: CNN-rand has no pretrained vectors; give --variant and --embeddings');
    if (opts.embeddings)
      throw new UsageError(
        '--embeddings: CNN-rand learns its word vectors; give --variant static, non-static or multichannel',
      );
    return undefined;
  }
  if (!opts.embeddings)
    throw new UsageError(
      `--variant ${variant} needs --embeddings (${Object.keys(NAMED_VECTORS).join(', ')} or a word-vector file)`,
    );
  const started = performance.now();
  const cache = await openVectors(opts.embeddings, resolveUserPath, log);
  return { variant, spec: opts.embeddings, cache, openSeconds: (performance.now() - started) / 1000 };
}

/** Trains on the split the flags name and saves the model with its vocabulary, metadata and learning curves. */
export async function train(opts: TrainFlags, log: Log) {
  const seed = opts.seed ?? 1;
  const target = resolveModelDir({
    app: APP,
    appDir: APP_DIR,
    flag: opts.modelDir,
    mode: 'write',
    resume: opts.resume ?? false,
  });
  const vectors = await pretrained(opts, log);
  const { split, record, tokenizer, classes } = await readSplit(opts, seed, log);
  assertTrainable(split, record);
  const vectorWords = vectors ? (opts.vectorWords ?? DEFAULT_VECTOR_WORDS) : 0;
  const vectorScale = opts.vectorScale ?? DEFAULT_VECTOR_SCALE;
  const vectorAliases = opts.vectorAliases ?? false;
  // Only words the tokenizer can give back as they are: the others could never be looked up.
  const extraWords = vectors
    ? leadingWords(vectors.cache, vectorWords, (w) => {
        const t = tokenize(w, tokenizer);
        return t.length === 1 && t[0] === w;
      })
    : [];
  const data: PreparedSplit = prepareSplit(split, {
    tokenizer,
    ...(classes ? { classes } : {}),
    ...(opts.minCount !== undefined ? { minCount: opts.minCount } : {}),
    ...(opts.maxVocab !== undefined ? { maxVocab: opts.maxVocab } : {}),
    ...(extraWords.length ? { extraWords } : {}),
  });
  let chosen: Pick<NetworkOptions, 'variant' | 'embeddings'> & { name: string } = { name: 'CNN-rand' };
  // k, the values a word's row holds, and what Kim's variant reads: 300 for rand, the vectors' own d for the others.
  let width = opts.embeddingDim ?? KIM_DEFAULTS.embeddingDim;
  let kimWidth: number = KIM_DEFAULTS.embeddingDim;
  if (vectors) {
    const m = vectorsForVocabulary(
      vectors.cache,
      data.vocab,
      seed,
      vectorScale,
      vectorAliases ? VECTOR_ALIASES : undefined,
    );
    // The training words: the vocabulary less padding, the unknown-word token and the words added from the vectors.
    const own = data.vocab.size - 2 - data.addedWords;
    log(
      `word vectors ${vectors.spec}: ${m.found} of ${data.vocab.size - 1} words have one${m.lowercased ? ` (${m.lowercased} found in lower case)` : ''}, ${data.addedWords} of them added from the vectors' ${vectorWords} most frequent (${m.found - data.addedWords} of the ${own} training words, ${((100 * (m.found - data.addedWords)) / Math.max(1, own)).toFixed(1)}%); dim ${m.dim}; per-dimension std ${m.std.toFixed(3)}${m.factor !== 1 ? `, rescaled x${m.factor.toFixed(3)} to ${(m.std * m.factor).toFixed(3)}` : ''} (--vector-scale ${m.scale}); ${vectorAliases ? `${m.aliased.length} word${m.aliased.length === 1 ? ' takes' : 's take'} a stand-in's row (--vector-aliases${m.aliased.length ? `: ${m.aliased.map((a) => `${a.word} -> ${a.standIn}`).join(', ')}` : ''}); ` : ''}the rest U(-${m.unknownRange.toFixed(3)}, ${m.unknownRange.toFixed(3)}); loaded in ${(vectors.openSeconds + m.seconds).toFixed(2)} s`,
    );
    kimWidth = m.dim;
    width = opts.embeddingDim ?? m.dim;
    if (width < m.dim)
      throw new UsageError(
        `--embedding-dim ${width}: the vectors' rows hold ${m.dim} values; give at least ${m.dim} (the rows are widened, never cut)`,
      );
    if (width > m.dim)
      log(
        `rows widened from ${m.dim} to ${width} values: the vectors' ${m.dim}, then ${width - m.dim} from U(-${m.unknownRange.toFixed(3)}, ${m.unknownRange.toFixed(3)}) (--embedding-dim ${width})`,
      );
    const rows = widenRows(m.data, data.vocab.size, m.dim, width, seed, m.unknownRange);
    chosen = { name: `CNN-${vectors.variant}`, variant: vectors.variant, embeddings: { data: rows, dim: width } };
  }
  const what = `${record.set ?? record.dataFile}${record.fold !== undefined ? ` fold ${record.fold}` : ''}`;
  log(
    `${what}: ${data.train.length} train, ${data.dev.length} dev, ${data.test.length} test; vocabulary ${data.vocab.size} words; classes ${data.classes.join(', ')}; ${chosen.name}`,
  );
  if (data.unseenLabel > 0) log(`skipped ${data.unseenLabel} dev/test examples whose label never occurs in train`);
  const model = buildForSplit(data, { ...chosen, seed, embeddingDim: width });
  const fitChoices = {
    epochs: opts.epochs ?? KIM_TRAINING.epochs,
    batchSize: opts.batchSize ?? KIM_TRAINING.batchSize,
    seed,
    ...(opts.patience !== undefined ? { patience: opts.patience } : {}),
    workers: opts.workers ?? 1,
    log,
  };
  const { summary } = await trainRecipe({
    model,
    modelDir: target,
    resume: opts.resume ?? false,
    fit: kimFitOptions(model, data, fitChoices),
    // Kim: the test score is taken at the best dev epoch, whose weights fit has put back.
    score: (trained) => scoreTest(trained, data),
    metadata: ({ history, score, seconds }) => {
      const metadata: TextModelMetadata = {
        classes: data.classes,
        classNames: classNamesFor(record.set, data.classes),
        tokenizer,
        split: record,
        variant: opts.variant ?? 'rand',
        ...(vectors ? { embeddings: vectors.spec, vectorWords, vectorScale, vectorAliases } : {}),
        ...(score ? { testAccuracy: score['testAccuracy'] as number } : {}),
      };
      return {
        app: APP,
        ...metadata,
        // What bench-paper shows beside each number: the command that trained it.
        command: opts.command ?? commandLine(),
        protocol: {
          epochs: fitChoices.epochs,
          patience: opts.patience ?? null,
          batchSize: fitChoices.batchSize,
          ...(opts.maxVocab !== undefined ? { maxVocab: opts.maxVocab } : {}),
          // Another width than Kim's variant reads: an experiment, which bench-paper keeps out of the table.
          ...(width !== kimWidth ? { embeddingDim: width } : {}),
        },
        history,
        bestEpoch: history.bestEpoch,
        trainSeconds: seconds,
      };
    },
    files: vocabularyFiles(data.vocab),
    plot: { title: `Kim ${chosen.name} on ${record.set ?? 'data file'}` },
    log,
  });
  model.dispose();
  log(
    `test accuracy ${(100 * summary.testAccuracy).toFixed(2)}% at the best dev epoch ${summary.bestEpoch} (dev ${(100 * (summary.valAccuracy ?? Number.NaN)).toFixed(2)}%), ${summary.seconds.toFixed(0)} s`,
  );
  return { ...summary, devAccuracy: summary.valAccuracy, vocabulary: data.vocab.size };
}

/** The command as a user would type it in the repository root, for the record (paths as they were given). */
export function commandLine(argv: readonly string[] = process.argv): string {
  const args = argv.slice(2).map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`));
  return ['pnpm --filter text-cnn', ...args].join(' ');
}
