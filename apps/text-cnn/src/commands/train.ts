import { join } from 'node:path';
import { ALL_COMMON_OPTIONS, parseIntIn, plotHistory, resolveModelDir, resolveUserPath, runAction, withCommonOptions } from '@cnn-lab/core';
import type { Command } from 'commander';
import { APP, APP_DIR } from '../app.js';
import { prepareSplit, type PreparedSplit } from '../data/index.js';
import { KIM_TRAINING, trainOnSplit, type TrainOptions } from '../model/index.js';
import type { TextModelMetadata } from '../model/load.js';
import { saveTextModel } from '../model/save.js';
import { withDataFlags, type DataFlags } from './data-flags.js';
import { readSplit } from './read-split.js';

export interface TrainFlags extends DataFlags {
  maxVocab?: number;
  minCount?: number;
  patience?: number;
  workers?: number;
  resume?: boolean;
}

type Log = (message: string) => void;

/** The network to train instead of CNN-rand (the word-vector experiments), given the prepared split. */
export type NetworkChoice = (data: PreparedSplit) => Promise<Pick<TrainOptions, 'variant' | 'embeddings'> & { name: string }>;

export function registerTrain(program: Command): void {
  const cmd = program.command('train').description('train CNN-rand on a benchmark set (default: MR, CV fold 0) or on --data-file, and save the model');
  withTrainFlags(cmd)
    .addHelpText('after', '\nExample: train --data-file my.txt --model-dir /tmp/m --seed 1 --json')
    .action(runAction<TrainFlags>(({ opts, log }) => train(opts, log)));
}

/** train's flags, shared with the experiments that train. */
export function withTrainFlags(cmd: Command): Command {
  // Core's --model-dir help names the shipped model, where reading verbs start; train writes elsewhere.
  const common = ALL_COMMON_OPTIONS.filter((o) => o !== 'modelDir');
  return withCommonOptions(withDataFlags(cmd, 'MR'), common, { epochs: KIM_TRAINING.epochs, batchSize: KIM_TRAINING.batchSize, seed: 1 })
    .option('--model-dir <dir>', 'folder to save the model in (default: a new runs/text-cnn/<timestamp>)', (v) => resolveUserPath(v))
    .option('--max-vocab <n>', 'keep only the n most frequent words (a smaller model)', parseIntIn(3))
    .option('--min-count <n>', 'drop words seen fewer times in training', parseIntIn(1), 1)
    .option('--patience <n>', 'stop when dev accuracy has not improved for n epochs (the paper: never)', parseIntIn(1))
    .option('--workers <n>', 'gradient worker threads', parseIntIn(1), 1)
    .option('--resume', 'continue from the checkpoint in --model-dir (without it: the newest run that has one)');
}

/** Trains on the split the flags name and saves the model, vocabulary, metadata and learning curves. */
export async function train(opts: TrainFlags, log: Log, network?: NetworkChoice) {
  const seed = opts.seed ?? 1;
  const target = resolveModelDir({ app: APP, appDir: APP_DIR, flag: opts.modelDir, mode: 'write', resume: opts.resume ?? false });
  const { split, record, tokenizer, classes } = await readSplit(opts, seed, log);
  const data = prepareSplit(split, {
    tokenizer,
    ...(classes ? { classes } : {}),
    ...(opts.minCount !== undefined ? { minCount: opts.minCount } : {}),
    ...(opts.maxVocab !== undefined ? { maxVocab: opts.maxVocab } : {}),
  });
  const chosen = network ? await network(data) : { name: 'CNN-rand' };
  const what = `${record.set ?? record.dataFile}${record.fold !== undefined ? ` fold ${record.fold}` : ''}`;
  log(`${what}: ${data.train.length} train, ${data.dev.length} dev, ${data.test.length} test; vocabulary ${data.vocab.size} words; classes ${data.classes.join(', ')}; ${chosen.name}`);
  if (data.unseenLabel > 0) log(`skipped ${data.unseenLabel} dev/test examples whose label never occurs in train`);
  const result = await trainOnSplit(data, {
    ...(chosen.variant ? { variant: chosen.variant } : {}),
    ...(chosen.embeddings ? { embeddings: chosen.embeddings } : {}),
    epochs: opts.epochs ?? KIM_TRAINING.epochs,
    batchSize: opts.batchSize ?? KIM_TRAINING.batchSize,
    seed,
    ...(opts.patience !== undefined ? { patience: opts.patience } : {}),
    workers: opts.workers ?? 1,
    log,
    checkpointDir: join(target.dir, 'checkpoints'),
    resume: opts.resume ?? false,
  });
  const metadata: TextModelMetadata = { classes: data.classes, tokenizer, split: record, testAccuracy: result.testAccuracy };
  await saveTextModel(result.model, target.dir, data.vocab, metadata, {
    history: result.history,
    bestEpoch: result.bestEpoch,
    devAccuracy: result.devAccuracy,
    trainSeconds: result.seconds,
  });
  const best = result.history.bestEpoch;
  await plotHistory({ epochs: result.history.epochs, ...(best !== null ? { bestEpoch: best } : {}) }, join(target.dir, 'history.png'), {
    title: `Kim ${chosen.name} on ${record.set ?? 'data file'}`,
  });
  log(
    `test accuracy ${(100 * result.testAccuracy).toFixed(2)}% at the best dev epoch ${result.bestEpoch} (dev ${(100 * result.devAccuracy).toFixed(2)}%), ` +
      `${result.seconds.toFixed(0)} s; model saved to ${target.dir} (learning curves: history.png)`,
  );
  result.model.dispose();
  return {
    testAccuracy: result.testAccuracy,
    epochs: result.history.epochs.length,
    seconds: Number(result.seconds.toFixed(1)),
    bestEpoch: result.bestEpoch,
    devAccuracy: result.devAccuracy,
    vocabulary: data.vocab.size,
    modelDir: target.dir,
  };
}
