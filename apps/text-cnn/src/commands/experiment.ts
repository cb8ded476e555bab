// Experiments beside the shipped recipe: cutting a trained model's vocabulary.
import {
  UsageError,
  parseIntIn,
  resolveModelDir,
  runAction,
  withCommonOptions,
  type CommonOptions,
} from '@cnn-lab/core';
import type { Command } from 'commander';
import { APP, APP_DIR } from '../app.js';
import { keepFirstRows } from '../experiments/shrink.js';
import { loadTextModel } from '../model/load.js';
import { saveTextModel } from '../model/save.js';
import { Vocabulary } from '../text/index.js';

interface ShrinkFlags extends CommonOptions {
  out: string;
  maxVocab: number;
}

export function registerExperiment(program: Command): void {
  const group = program.command('experiment').description('experiments beside the shipped recipe (vocabulary cuts)');

  const shrink = group
    .command('shrink')
    .description('copy a trained model keeping only its most frequent words (the rest become <unk>)');
  withCommonOptions(shrink, ['modelDir', 'json', 'backend'])
    .requiredOption('--out <dir>', 'folder for the smaller model')
    .requiredOption('--max-vocab <n>', 'words to keep, <pad> and <unk> included', parseIntIn(3))
    .action(runAction<ShrinkFlags>(({ opts, log }) => shrinkModel(opts, log)));
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
