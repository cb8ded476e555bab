import {
  ALL_COMMON_OPTIONS,
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
import { KIM_TRAINING, buildForSplit, kimFitOptions, scoreTest, type NetworkOptions } from '../model/index.js';
import { classNamesFor } from '../model/class-names.js';
import type { TextModelMetadata } from '../model/load.js';
import { vocabularyFiles } from '../model/save.js';
import { withDataFlags, type DataFlags } from './data-flags.js';
import { assertTrainable, readSplit } from './read-split.js';

export interface TrainFlags extends DataFlags {
  maxVocab?: number;
  minCount?: number;
  patience?: number;
  workers?: number;
  resume?: boolean;
}

type Log = (message: string) => void;

/** The network to train instead of CNN-rand (the word-vector experiments), given the prepared split. */
export type NetworkChoice = (
  data: PreparedSplit,
) => Promise<Pick<NetworkOptions, 'variant' | 'embeddings'> & { name: string }>;

export function registerTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description('train CNN-rand on a benchmark set (default: MR, CV fold 0) or on --data-file, and save the model');
  withTrainFlags(cmd)
    .addHelpText('after', '\nExample: train --data-file my.txt --model-dir /tmp/m --seed 1 --json')
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
    .option('--workers <n>', 'gradient worker threads', parseIntIn(1), 1)
    .option('--resume', 'continue from the checkpoint in --model-dir (without it: the newest run that has one)');
}

/** Trains on the split the flags name and saves the model with its vocabulary, metadata and learning curves. */
export async function train(opts: TrainFlags, log: Log, network?: NetworkChoice) {
  const seed = opts.seed ?? 1;
  const target = resolveModelDir({
    app: APP,
    appDir: APP_DIR,
    flag: opts.modelDir,
    mode: 'write',
    resume: opts.resume ?? false,
  });
  const { split, record, tokenizer, classes } = await readSplit(opts, seed, log);
  assertTrainable(split, record);
  const data = prepareSplit(split, {
    tokenizer,
    ...(classes ? { classes } : {}),
    ...(opts.minCount !== undefined ? { minCount: opts.minCount } : {}),
    ...(opts.maxVocab !== undefined ? { maxVocab: opts.maxVocab } : {}),
  });
  const chosen = network ? await network(data) : { name: 'CNN-rand' };
  const what = `${record.set ?? record.dataFile}${record.fold !== undefined ? ` fold ${record.fold}` : ''}`;
  log(
    `${what}: ${data.train.length} train, ${data.dev.length} dev, ${data.test.length} test; vocabulary ${data.vocab.size} words; classes ${data.classes.join(', ')}; ${chosen.name}`,
  );
  if (data.unseenLabel > 0) log(`skipped ${data.unseenLabel} dev/test examples whose label never occurs in train`);
  const model = buildForSplit(data, { ...chosen, seed });
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
        ...(score ? { testAccuracy: score['testAccuracy'] as number } : {}),
      };
      return { app: APP, ...metadata, history, bestEpoch: history.bestEpoch, trainSeconds: seconds };
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
