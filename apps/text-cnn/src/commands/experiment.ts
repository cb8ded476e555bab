// Experiments beside the shipped recipe: Kim's pretrained-vector variants, and cutting a trained model's vocabulary.
import { existsSync, createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  DataError,
  UsageError,
  parseChoice,
  parseIntIn,
  resolveModelDir,
  resolveUserPath,
  runAction,
  withCommonOptions,
  type CommonOptions,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import { APP, APP_DIR } from '../app.js';
import { keepFirstRows } from '../experiments/shrink.js';
import { embeddingsFromLines } from '../experiments/word-vectors.js';
import { VARIANTS, type Variant } from '../model/index.js';
import { loadTextModel } from '../model/load.js';
import { saveTextModel } from '../model/save.js';
import { Vocabulary } from '../text/index.js';
import { train, withTrainFlags, type TrainFlags } from './train.js';

const PRETRAINED = VARIANTS.filter((v) => v !== 'rand');

interface WordVectorFlags extends TrainFlags {
  variant: Exclude<Variant, 'rand'>;
  embeddings: string;
}

interface ShrinkFlags extends CommonOptions {
  out: string;
  maxVocab: number;
}

export function registerExperiment(program: Command): void {
  const group = program
    .command('experiment')
    .description("experiments beside the shipped recipe (Kim's pretrained-vector variants, vocabulary cuts)");

  const vectors = group
    .command('word-vectors')
    .description('train as `train` does, with pretrained word vectors: CNN-static, CNN-non-static or CNN-multichannel');
  withTrainFlags(vectors)
    .requiredOption('--variant <name>', `${PRETRAINED.join(', ')}`, parseChoice(PRETRAINED))
    .requiredOption(
      '--embeddings <file>',
      'word vectors in GloVe or word2vec text format; words it lacks start in U(-0.25, 0.25)',
    )
    .action(runAction<WordVectorFlags>(({ opts, log }) => trainWithWordVectors(opts, log)));

  const shrink = group
    .command('shrink')
    .description('copy a trained model keeping only its most frequent words (the rest become <unk>)');
  withCommonOptions(shrink, ['modelDir', 'json', 'backend'])
    .requiredOption('--out <dir>', 'folder for the smaller model')
    .requiredOption('--max-vocab <n>', 'words to keep, <pad> and <unk> included', parseIntIn(3))
    .action(runAction<ShrinkFlags>(({ opts, log }) => shrinkModel(opts, log)));
}

async function trainWithWordVectors(opts: WordVectorFlags, log: (message: string) => void) {
  const file = resolveUserPath(opts.embeddings);
  if (!existsSync(file)) throw new DataError(file, 'no such file (--embeddings)');
  return train(opts, log, async (data) => {
    const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
    const m = await embeddingsFromLines(lines, file, data.vocab, opts.seed ?? 1);
    log(
      `word vectors: ${m.found} of ${data.vocab.size} vocabulary words found in ${file} (dim ${m.dim}); the rest U(-0.25, 0.25)`,
    );
    return { name: `CNN-${opts.variant}`, variant: opts.variant, embeddings: { data: m.data, dim: m.dim } };
  });
}

/** A saved model cut to its most frequent words, written to a new folder; eval measures it again. */
async function shrinkModel(opts: ShrinkFlags, log: (message: string) => void) {
  const source = resolveModelDir({ app: APP, appDir: APP_DIR, flag: opts.modelDir, mode: 'read' });
  const from = source.dir;
  const out = resolveModelDir({ app: APP, appDir: APP_DIR, flag: opts.out, flagName: '--out', mode: 'write' }).dir;
  if (out === from) throw new UsageError('--out: give another folder than --model-dir (the full model stays as it is)');
  const { model, metadata, vocab } = await loadTextModel(source);
  if (opts.maxVocab >= vocab.size)
    throw new UsageError(`--max-vocab: the model in ${from} has ${vocab.size} words; give fewer`);
  const small = keepFirstRows(model, opts.maxVocab);
  const words = Vocabulary.fromJSON(
    { words: vocab.words.slice(0, opts.maxVocab), minCount: vocab.minCount },
    'cut vocabulary',
  );
  // The full model's test accuracy is not this one's: eval measures it again.
  const { testAccuracy, ...kept } = metadata;
  const saved = await saveTextModel(small, out, words, kept, {
    cutFrom: { modelDir: from, vocabulary: vocab.size, testAccuracy },
  });
  model.dispose();
  small.dispose();
  log(
    `${from}: ${vocab.size} words -> ${out}: ${opts.maxVocab} words (the rest are <unk>); measure it with \`eval --model-dir ${out}\``,
  );
  return { modelDir: out, vocabulary: opts.maxVocab, fromVocabulary: vocab.size, weightBytes: saved.weightBytes };
}
