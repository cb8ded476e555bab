import type { Command } from 'commander';
import {
  ALL_COMMON_OPTIONS,
  UsageError,
  parseChoice,
  parseIntIn,
  parseNumberIn,
  removeModelGroup,
  resolveDataDir,
  resolveUserPath,
  runAction,
  trainRecipe,
  withCommonOptions,
  type ActionContext,
  type CommonOptions,
} from '@cnn-lab/core';
import { APP, DATA_SUB, DATA_WHAT } from '../app.js';
import {
  SPLIT_HELP,
  UNKNOWN,
  clipsOf,
  parseSplit,
  sortLabels,
  speakerFolds,
  splitEntries,
  type DecodedSet,
  type Entry,
} from '../data/index.js';
import { DEFAULT_AUGMENT, DEFAULT_FEATURES, type AugmentOptions, type FeatureConfig } from '../features/index.js';
import {
  GROUP,
  LEARNING_RATE,
  MODEL_KINDS,
  scoreOn,
  speechTraining,
  trainSpeechModel,
  type ModelKind,
} from '../model/index.js';
import { modelToWrite } from './folders.js';
import { readRecordings, withExtraTrain, withUnknown } from './recordings.js';

interface TrainOpts extends CommonOptions {
  model: ModelKind;
  split: string;
  testFraction: number;
  trimDb: number;
  rangeDb: number;
  stretch: boolean;
  freqMask: number;
  timeMask: number;
  eq: number;
  workers?: number;
  extraTrain?: string;
  unknown?: string;
  resume?: boolean;
}

const pct = (x: number | null): string => (x === null ? 'n/a' : `${(100 * x).toFixed(2)}%`);

export function addTrain(program: Command): void {
  const cmd = program
    .command('train')
    .description('train a model on a folder of WAV files and save it (default: a new folder under runs/speech-cnn)')
    .option(
      '--model <kind>',
      `network: ${MODEL_KINDS.join(' or ')} (freq: filters span all frames and slide along frequency)`,
      parseChoice(MODEL_KINDS),
      'freq',
    )
    .option('--split <split>', SPLIT_HELP, 'fsdd')
    .option('--test-fraction <f>', 'test share for --split random', parseNumberIn(0.01, 0.99), 0.2)
    .option(
      '--trim-db <db>',
      'leading and trailing frames this many dB below the loudest are trimmed, so the word starts the clip (0: none)',
      parseNumberIn(0, 120),
      DEFAULT_FEATURES.trimDb,
    )
    .option(
      '--range-db <db>',
      'features span this many dB below the loudest cell; quieter cells (background noise) are clipped to silence',
      parseNumberIn(10, 120),
      DEFAULT_FEATURES.rangeDb,
    )
    .option('--stretch', "stretch each word's frames in time to fill the input (speaking-rate normalisation)", false)
    .option(
      '--freq-mask <bands>',
      'SpecAugment: mask up to this many adjacent mel bands of augmented clips (0: none)',
      parseIntIn(0, 40),
      0,
    )
    .option(
      '--time-mask <frames>',
      'SpecAugment: mask up to this many frames of augmented clips (0: none)',
      parseIntIn(0, 100),
      0,
    )
    .option(
      '--eq <db>',
      'random equalisation of augmented clips (another microphone): a smooth per-band gain curve of up to about this many dB (0: none)',
      parseNumberIn(0, 30),
      0,
    )
    .option(
      '--extra-train <dir>',
      'more recordings for training only, added to every split and never tested on (e.g. the voices of scripts/synth-voices.sh)',
    )
    .option(
      '--unknown <dir>',
      `recordings that hold none of the words (other words, noise) for training only: they become one more class, ${UNKNOWN}, the "none of these" answer`,
    )
    .option(
      '--workers <n>',
      'threads computing gradients, this one and n - 1 workers (default: one per core)',
      parseIntIn(1, 64),
    )
    .option('--resume', 'continue from the checkpoint in --model-dir (without it: the newest run that has one)');
  // Core's --model-dir help names the shipped model, where reading verbs start; train writes elsewhere.
  withCommonOptions(
    cmd,
    ALL_COMMON_OPTIONS.filter((o) => o !== 'modelDir'),
    { epochs: 25, batchSize: 64 },
  )
    .option('--model-dir <dir>', 'folder to save the model in (default: a new runs/speech-cnn/<time>)', (v: string) =>
      resolveUserPath(v),
    )
    .action(runAction(train));
}

/** What the flags make of the features and the augmentation (speed, shift, gain and noise always; masks and EQ as asked). */
function settingsOf(o: TrainOpts): { features: FeatureConfig; augment: AugmentOptions } {
  return {
    features: { ...DEFAULT_FEATURES, trimDb: o.trimDb, rangeDb: o.rangeDb, ...(o.stretch ? { stretch: true } : {}) },
    augment: { ...DEFAULT_AUGMENT, freqMaskBands: o.freqMask, timeMaskFrames: o.timeMask, eqDb: o.eq },
  };
}

async function train(ctx: ActionContext<TrainOpts>) {
  const o = ctx.opts;
  const split = parseSplit(o.split, o.testFraction);
  // The folder is settled first, so a refused one (or --resume with nothing to resume) costs no data loading.
  const target = split.kind === 'speakers' ? undefined : modelToWrite(o.modelDir, o.resume ?? false);
  const dir = resolveDataDir(o, DATA_SUB, DATA_WHAT);
  const { features, augment } = settingsOf(o);
  // Clips are trimmed as the model will trim them (--trim-db); the rest of the features are computed later.
  const data = readRecordings(dir, features, ctx.log);
  const words = sortLabels(data.entries.map((e) => e.label));
  if (words.length < 2)
    throw new UsageError(`--data-dir ${dir}: found only the label(s) ${words.join(', ')}; need at least 2 words`);
  if (words.includes(UNKNOWN))
    throw new UsageError(`--data-dir ${dir}: '${UNKNOWN}' is reserved for --unknown's class; rename that folder`);
  const withExtra = withExtraTrain(data, dir, o.extraTrain, features, ctx.log);
  // The unknown class comes last, so the words keep the indices they have without it.
  const { set, unknown } = withUnknown(withExtra.set, dir, o.unknown, features, ctx.log);
  const extra = [...withExtra.extra, ...unknown];
  const labels = unknown.length ? [...words, UNKNOWN] : words;
  const common = {
    model: o.model,
    labels,
    files: data.clips.length,
    skipped: data.bad.length + data.skipped.length,
    ...(withExtra.extra.length ? { extraTrainFiles: withExtra.extra.length } : {}),
    ...(unknown.length ? { unknownFiles: unknown.length } : {}),
  };
  const seed = o.seed ?? 1;
  /** The clips of a partition, and the training settings for them. */
  const prepare = (part: { train: Entry[]; test: Entry[] }, set: DecodedSet, validate: boolean) => {
    const train = clipsOf(part.train, set, labels);
    if (train.clips.length === 0) throw new UsageError(`--split ${o.split}: leaves no training recordings`);
    const test = clipsOf(part.test, set, labels);
    const options = {
      kind: o.model,
      labels,
      features,
      augment,
      train,
      ...(validate ? { validation: test } : {}),
      epochs: o.epochs ?? 25,
      batchSize: o.batchSize ?? 64,
      seed,
      learningRate: LEARNING_RATE,
      ...(o.workers !== undefined ? { workers: o.workers } : {}),
      log: ctx.log,
    };
    return { train, test, options };
  };

  if (split.kind === 'speakers') {
    // Leave-one-speaker-out: one model per speaker, none saved; the mean is the speaker-independent score.
    const perSpeaker: Record<string, number | null> = {};
    let seconds = 0;
    for (const fold of speakerFolds(data.entries)) {
      ctx.log(
        `--- holding out ${fold.speaker} (${fold.test.length} test, ${fold.train.length} train${extra.length ? ` + ${extra.length} extra` : ''})`,
      );
      // Scoring the test set every epoch is only for the learning curves; speaker folds skip it to save time.
      const { test, options } = prepare({ train: [...fold.train, ...extra], test: fold.test }, set, false);
      const r = await trainSpeechModel(options);
      perSpeaker[fold.speaker] = scoreOn(r.model, test, features).accuracy;
      r.model.dispose();
      seconds += r.seconds;
      ctx.log(`held-out ${fold.speaker}: ${pct(perSpeaker[fold.speaker] ?? null)} (${r.seconds.toFixed(0)} s)`);
    }
    const values = Object.values(perSpeaker).map(Number);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    ctx.log(`mean speaker-held-out accuracy: ${pct(mean)} over ${values.length} speakers`);
    return { ...common, split: 'speakers', perSpeaker, meanAccuracy: mean, seconds };
  }

  if (!target) throw new Error('train: no model folder');
  const drawn = splitEntries(data.entries, split, seed);
  const part = { train: [...drawn.train, ...extra], test: drawn.test };
  ctx.log(
    `training ${o.model} on ${part.train.length} recordings, testing on ${part.test.length} (split ${o.split}); model folder ${target.dir}`,
  );
  const { test, options } = prepare(part, set, true);
  const { model, fit } = speechTraining(options);
  const training = {
    split: o.split,
    seed,
    epochs: options.epochs,
    batchSize: options.batchSize,
    lr: LEARNING_RATE,
    augment,
    dataDir: dir,
    ...(o.extraTrain !== undefined
      ? { extraTrain: resolveUserPath(o.extraTrain), extraTrainFiles: withExtra.extra.length }
      : {}),
    ...(o.unknown !== undefined ? { unknown: resolveUserPath(o.unknown), unknownFiles: unknown.length } : {}),
  };
  const { summary } = await trainRecipe({
    model,
    modelDir: target,
    resume: o.resume ?? false,
    fit,
    score: async (trained) => ({
      testAccuracy: scoreOn(trained, test, features).accuracy,
      testFiles: part.test.length,
      trainFiles: part.train.length,
    }),
    metadata: ({ history, score, seconds }) => ({
      app: APP,
      kind: o.model,
      labels,
      features,
      training,
      ...(score
        ? {
            results: {
              accuracy: score['testAccuracy'],
              testFiles: part.test.length,
              trainFiles: part.train.length,
              seconds,
            },
          }
        : {}),
      history: history.epochs,
    }),
    plot: { title: `speech-cnn ${o.model}, split ${o.split}` },
    log: ctx.log,
  });
  model.dispose();
  // A single model now holds the folder: an ensemble saved there before goes (its manifest first).
  await removeModelGroup(target.dir, GROUP);
  ctx.log(
    `test accuracy ${pct(summary.testAccuracy)} on ${part.test.length} recordings; trained in ${summary.seconds.toFixed(0)} s`,
  );
  return { ...common, split: o.split, ...summary };
}
