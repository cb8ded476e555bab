// speech-cnn's command line: the only place (with src/web) that reads flags and files.
import { readFileSync, readdirSync, realpathSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from 'commander';
import {
  DataError,
  UsageError,
  classReport,
  confusionMatrix,
  createProgram,
  formatClassReport,
  formatConfusionMatrix,
  isWithin,
  parseChoice,
  parseIntIn,
  parseNumberIn,
  plotConfusionMatrix,
  plotHistory,
  resolveDataDir,
  resolveFolderOption,
  resolveUserPath,
  runAction,
  runProgram,
  withCommonOptions,
  type ActionContext,
  type CommonOptions,
} from '@cnn-lab/core';
import { decodeWav } from './audio/index.js';
import { DEFAULT_AUGMENT, DEFAULT_FEATURES, LENGTH_CUE_BANDS, LogMel, NORMALISATIONS, inputShape, type AugmentOptions, type FeatureConfig, type Normalisation } from './features/index.js';
import {
  SPLIT_HELP,
  decodeEntries,
  featuriseAll,
  labelEntries,
  parseSplit,
  sortLabels,
  speakerFolds,
  splitEntries,
  type DecodedSet,
  type Entry,
  type LabelledClips,
  type Partition,
  type Skipped,
} from './data/index.js';
import {
  MODEL_KINDS,
  combineSpeechModels,
  loadSpeechClassifier,
  predictProbs,
  saveSpeechEnsemble,
  saveSpeechModel,
  trainSpeechModel,
  type ModelOverrides,
  type ModelKind,
  type SpeechClassifier,
  type SpeechModelInfo,
} from './model/index.js';

const APP_DIR = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DEFAULT_MODEL_DIR = join(APP_DIR, 'models', 'default');
const DATA_WHAT = "a folder of WAV files named '{label}_{speaker}_{take}.wav' (FSDD) or in one subfolder per label";

interface TrainOpts extends CommonOptions {
  model: ModelKind;
  split: string;
  testFraction: number;
  lr: number;
  augment: boolean;
  norm: Normalisation;
  stretch: boolean;
  stretchKeep?: number;
  lengthCue: boolean;
  speed: [number, number];
  tempo: [number, number];
  freqMask: number;
  timeMask: number;
  vtlp: number;
  eq: number;
  timeWarp: number;
  trimJitter: number;
  augmentProb: number;
  mels: number;
  rangeDb: number;
  trimDb: number;
  lifter?: number;
  hidden?: number;
  dropout?: number;
  l2?: number;
  timeContext?: number;
  workers?: number;
  ensemble: number;
  extraTrain?: string;
  resume?: boolean;
}
interface EvalOpts extends CommonOptions {
  split: string;
  testFraction: number;
  plot: string;
}
interface StartOpts extends CommonOptions {
  port: number;
  host: string;
}

/** Every WAV under `dir`, labelled and decoded; files that cannot be used are counted, not fatal. */
function loadFolder(dir: string, cfg: FeatureConfig, log: (m: string) => void): DecodedSet & { skipped: Skipped[] } {
  const paths = readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((p) => p.split('\\').join('/'));
  const { entries, skipped } = labelEntries(paths.filter((p) => /\.wav$/i.test(p)));
  if (entries.length === 0) throw new UsageError(`--data-dir ${dir}: no usable WAV files (expected ${DATA_WHAT})`);
  const started = performance.now();
  const set = decodeEntries(entries, (p) => readFileSync(join(dir, p)), cfg);
  const secs = (performance.now() - started) / 1000;
  log(`${dir}: ${set.clips.length} recordings read in ${secs.toFixed(1)} s${set.bad.length + skipped.length ? `, ${set.bad.length + skipped.length} skipped` : ''}`);
  for (const b of [...skipped, ...set.bad].slice(0, 10)) log(`  skipped ${b.path}: ${b.reason}`);
  if (set.bad.length + skipped.length > 10) log(`  ... and ${set.bad.length + skipped.length - 10} more`);
  return { ...set, skipped };
}

/** Paths of `--extra-train` recordings carry this prefix, so they can never collide with the data folder's. */
const EXTRA_PREFIX = 'extra-train:';

/**
 * The data folder's recordings followed by the `--extra-train` folder's (labels outside the data's are skipped and
 * counted): splits are drawn from the first set only, and `extra` is added to each training part.
 */
function withExtraTrain(set: DecodedSet, dataDir: string, extraDir: string | undefined, cfg: FeatureConfig, log: (m: string) => void): { set: DecodedSet; extra: Entry[] } {
  if (extraDir === undefined) return { set, extra: [] };
  const dir = resolveFolderOption('--extra-train', extraDir, DATA_WHAT);
  // The data folder's test recordings would be trained on: every score would be a leak.
  const real = realpathSync(dir);
  const data = realpathSync(dataDir);
  if (isWithin(real, data) || isWithin(data, real)) {
    throw new UsageError(`--extra-train: '${extraDir}' overlaps the data folder ${dataDir}; its recordings would be trained on and tested`);
  }
  const more = loadFolder(dir, cfg, log);
  const known = new Set(set.entries.map((e) => e.label));
  const keep = more.entries.flatMap((e, i) => (known.has(e.label) ? [i] : []));
  if (keep.length < more.entries.length) log(`--extra-train: ${more.entries.length - keep.length} recordings skipped: their labels are not among the data's (${[...known].join(', ')})`);
  if (keep.length === 0) throw new UsageError(`--extra-train ${extraDir}: no recordings with the data's labels (${[...known].join(', ')})`);
  const extra = keep.map((i) => ({ ...(more.entries[i] as Entry), path: EXTRA_PREFIX + (more.entries[i] as Entry).path }));
  return { set: { entries: [...set.entries, ...extra], clips: [...set.clips, ...keep.map((i) => more.clips[i] as DecodedSet['clips'][number])], bad: set.bad }, extra };
}

function clipsFor(part: readonly Entry[], set: DecodedSet, labels: readonly string[]): LabelledClips {
  const index = new Map(set.entries.map((e, i) => [e.path, i]));
  const idx = part.map((e) => index.get(e.path) as number);
  return { clips: idx.map((i) => set.clips[i] as DecodedSet['clips'][number]), labels: Int32Array.from(part, (e) => labels.indexOf(e.label)) };
}

function accuracyOf(probs: Float32Array, labels: Int32Array, classes: number): number {
  let hits = 0;
  for (let i = 0; i < labels.length; i++) {
    const row = probs.subarray(i * classes, (i + 1) * classes);
    if (row.indexOf(Math.max(...row)) === labels[i]) hits++;
  }
  return labels.length ? hits / labels.length : Number.NaN;
}

const pct = (x: number): string => `${(100 * x).toFixed(2)}%`;

/** '--speed 0.9,1.1' / '--tempo 0.8,1.25': the range a perturbation draws from (1,1 turns it off). */
function parseSpeedRange(text: string): [number, number] {
  const parts = text.split(',').map(Number);
  const [lo, hi] = parts as [number, number];
  if (parts.length !== 2 || !(lo >= 0.5 && lo <= hi && hi <= 2)) throw new InvalidArgumentError(`expected LOW,HIGH with 0.5 <= LOW <= HIGH <= 2, got '${text}'`);
  return [lo, hi];
}

/** What the training flags change in the features, the augmentation and the network. */
function trainingSettings(o: TrainOpts): { features: FeatureConfig; augment: AugmentOptions | null; head: Partial<ModelOverrides> } {
  if (o.stretchKeep !== undefined && !o.stretch) throw new UsageError('--stretch-keep applies with --stretch only');
  if (o.timeContext !== undefined && o.model !== 'freq') throw new UsageError(`--time-context applies to --model freq only (got --model ${o.model})`);
  const head: Partial<ModelOverrides> = {
    ...(o.hidden !== undefined ? { hidden: o.hidden } : {}),
    ...(o.dropout !== undefined ? { dropout: o.dropout } : {}),
    ...(o.l2 !== undefined ? { l2: o.l2 } : {}),
    ...(o.timeContext !== undefined ? { timeContext: o.timeContext } : {}),
  };
  return {
    features: { ...DEFAULT_FEATURES, mel: { ...DEFAULT_FEATURES.mel, melBands: o.mels }, rangeDb: o.rangeDb, trimDb: o.trimDb, norm: o.norm, ...(o.stretch ? { stretch: true } : {}), ...(o.stretchKeep ? { stretchKeep: o.stretchKeep } : {}), ...(o.lifter !== undefined ? { lifter: o.lifter } : {}), ...(o.lengthCue ? { lengthCue: LENGTH_CUE_BANDS } : {}) },
    augment: o.augment
      ? { ...DEFAULT_AUGMENT, probability: o.augmentProb, speed: o.speed, freqMaskBands: o.freqMask, timeMaskFrames: o.timeMask, vtlp: o.vtlp, tempo: o.tempo, eqDb: o.eq, ...(o.timeWarp ? { timeWarpFrames: o.timeWarp } : {}), ...(o.trimJitter ? { trimJitterDb: o.trimJitter } : {}) }
      : null,
    head,
  };
}

async function trainOne(o: TrainOpts, ctx: ActionContext<TrainOpts>, labels: string[], part: Partition, set: DecodedSet, seed: number, checkpointDir?: string, validate = true) {
  const train = clipsFor(part.train, set, labels);
  const test = clipsFor(part.test, set, labels);
  if (train.clips.length === 0) throw new UsageError(`--split ${o.split}: leaves no training recordings`);
  const { features, augment, head } = trainingSettings(o);
  const trained = await trainSpeechModel({
    kind: o.model,
    head,
    labels,
    features,
    train,
    // Scoring the test set every epoch is only for the learning curves; speaker folds skip it to save time.
    ...(validate ? { validation: test } : {}),
    epochs: o.epochs ?? 25,
    batchSize: o.batchSize ?? 64,
    seed,
    learningRate: o.lr,
    augment,
    ...(o.workers !== undefined ? { workers: o.workers } : {}),
    ...(checkpointDir ? { checkpointDir, resume: o.resume ?? false } : {}),
    log: ctx.log,
  });
  const logMel = new LogMel(features.mel);
  const probs = test.clips.length ? predictProbs(trained.model, featuriseAll(test.clips, features, logMel), inputShape(features)) : new Float32Array(0);
  return { ...trained, seed, probs, testLabels: test.labels, trainFiles: train.clips.length, testFiles: test.clips.length, accuracy: accuracyOf(probs, test.labels, labels.length) };
}

/**
 * Trains `--ensemble` members (seeds seed, seed + 1, ...; each in its own checkpoint folder when there are several)
 * and scores the mean of their softmax outputs on the test part.
 */
async function trainMembers(o: TrainOpts, ctx: ActionContext<TrainOpts>, labels: string[], part: Partition, set: DecodedSet, modelDir?: string, validate = true) {
  const n = o.ensemble;
  const members: Array<Awaited<ReturnType<typeof trainOne>>> = [];
  for (let k = 0; k < n; k++) {
    const seed = (o.seed ?? 1) + k;
    if (n > 1) ctx.log(`--- ensemble member ${k + 1} of ${n} (seed ${seed})`);
    const checkpoints = modelDir ? join(modelDir, ...(n > 1 ? [`member-${k + 1}`] : []), 'checkpoints') : undefined;
    const r = await trainOne(o, ctx, labels, part, set, seed, checkpoints, validate);
    if (n > 1) ctx.log(`member ${k + 1}: test accuracy ${pct(r.accuracy)} (${r.seconds.toFixed(0)} s)`);
    members.push(r);
  }
  const first = members[0] as (typeof members)[number];
  const mean = first.probs.map((_, i) => members.reduce((s, m) => s + (m.probs[i] as number), 0) / n);
  return {
    members,
    accuracy: accuracyOf(mean, first.testLabels, labels.length),
    seconds: members.reduce((s, m) => s + m.seconds, 0),
    trainFiles: first.trainFiles,
    testFiles: first.testFiles,
  };
}

async function train(ctx: ActionContext<TrainOpts>) {
  const o = ctx.opts;
  const dir = resolveDataDir(o, 'speech/fsdd', DATA_WHAT);
  const settings = trainingSettings(o);
  // Clips are trimmed as the model will trim them (--trim-db); the rest of the features are computed later.
  const data = loadFolder(dir, settings.features, ctx.log);
  const labels = sortLabels(data.entries.map((e) => e.label));
  if (labels.length < 2) throw new UsageError(`--data-dir ${dir}: found only the label(s) ${labels.join(', ')}; need at least 2 words`);
  const split = parseSplit(o.split, o.testFraction);
  const { set, extra } = withExtraTrain(data, dir, o.extraTrain, settings.features, ctx.log);
  const common = { model: o.model, labels, files: data.clips.length, skipped: data.bad.length + data.skipped.length, ...(extra.length ? { extraTrainFiles: extra.length } : {}) };

  if (split.kind === 'speakers') {
    // Leave-one-speaker-out: one model per speaker, none saved; the mean is the speaker-independent score.
    const perSpeaker: Record<string, number> = {};
    let seconds = 0;
    for (const fold of speakerFolds(data.entries)) {
      ctx.log(`--- holding out ${fold.speaker} (${fold.test.length} test, ${fold.train.length} train${extra.length ? ` + ${extra.length} extra` : ''})`);
      const r = await trainMembers(o, ctx, labels, { train: [...fold.train, ...extra], test: fold.test }, set, undefined, false);
      perSpeaker[fold.speaker] = r.accuracy;
      seconds += r.seconds;
      ctx.log(`held-out ${fold.speaker}: ${pct(r.accuracy)} (${r.seconds.toFixed(0)} s)`);
    }
    const values = Object.values(perSpeaker);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    ctx.log(`mean speaker-held-out accuracy: ${pct(mean)} over ${values.length} speakers`);
    return { ...common, split: 'speakers', perSpeaker, meanAccuracy: mean, seconds };
  }

  const drawn = splitEntries(data.entries, split, o.seed ?? 1);
  const part = { train: [...drawn.train, ...extra], test: drawn.test };
  const modelDir = resolve(o.modelDir ?? DEFAULT_MODEL_DIR);
  ctx.log(`training ${o.model} on ${part.train.length} recordings, testing on ${part.test.length} (split ${o.split})`);
  const r = await trainMembers(o, ctx, labels, part, set, modelDir);
  const info: SpeechModelInfo = { kind: o.model, labels, features: settings.features };
  const ensemble = r.members.length > 1;
  const result = {
    ...common,
    split: o.split,
    trainFiles: r.trainFiles,
    testFiles: r.testFiles,
    accuracy: r.accuracy,
    epochs: (r.members[0] as (typeof r.members)[number]).history.epochs.length,
    seconds: Number(r.seconds.toFixed(1)),
    modelDir,
    ...(ensemble ? { members: r.members.map((m) => ({ seed: m.seed, accuracy: m.accuracy, seconds: Number(m.seconds.toFixed(1)) })) } : {}),
  };
  const memberMeta = (m: (typeof r.members)[number]) => ({
    app: 'speech-cnn',
    ...info,
    training: { split: o.split, seed: m.seed, epochs: o.epochs, batchSize: o.batchSize, lr: o.lr, augment: settings.augment, head: settings.head, dataDir: dir, ...(o.extraTrain !== undefined ? { extraTrain: resolveUserPath(o.extraTrain), extraTrainFiles: extra.length } : {}) },
    results: { accuracy: m.accuracy, testFiles: r.testFiles, trainFiles: r.trainFiles, seconds: m.seconds },
    history: m.history.epochs,
  });
  if (ensemble) {
    const names = await saveSpeechEnsemble(modelDir, r.members.map((m) => ({ model: m.model, metadata: memberMeta(m) })), {
      app: 'speech-cnn',
      kind: o.model,
      labels,
      results: { accuracy: r.accuracy, testFiles: r.testFiles, trainFiles: r.trainFiles, seconds: r.seconds },
    });
    for (const [k, m] of r.members.entries()) await plotMemberHistory(m.history, join(modelDir, names[k] as string, 'history.png'), `speech-cnn ${o.model}, split ${o.split}, member ${k + 1}`);
  } else {
    const m = r.members[0] as (typeof r.members)[number];
    await saveSpeechModel(m.model, modelDir, memberMeta(m));
    await plotMemberHistory(m.history, join(modelDir, 'history.png'), `speech-cnn ${o.model}, split ${o.split}`);
  }
  ctx.log(`test accuracy ${pct(r.accuracy)} on ${r.testFiles} recordings${ensemble ? ` (mean of ${r.members.length} members' softmax)` : ''}; trained in ${r.seconds.toFixed(0)} s; saved to ${relative(process.cwd(), modelDir) || '.'}`);
  return result;
}

async function plotMemberHistory(history: Awaited<ReturnType<typeof trainSpeechModel>>['history'], file: string, title: string): Promise<void> {
  // core's History has bestEpoch: number | null where plotHistory takes number | undefined.
  const curves = { epochs: history.epochs, ...(history.bestEpoch === null ? {} : { bestEpoch: history.bestEpoch }) };
  await plotHistory(curves, file, { title });
}

async function loadClassifier(modelDir: string | undefined): Promise<SpeechClassifier> {
  return loadSpeechClassifier(resolve(modelDir ?? DEFAULT_MODEL_DIR));
}

async function evaluate(ctx: ActionContext<EvalOpts>) {
  const o = ctx.opts;
  const classifier = await loadClassifier(o.modelDir);
  const { labels, features } = classifier.info;
  const dir = resolveDataDir(o, 'speech/fsdd', DATA_WHAT);
  const set = loadFolder(dir, features, ctx.log);
  const known = set.entries.filter((e) => labels.includes(e.label));
  const unknown = set.entries.length - known.length;
  if (unknown) ctx.log(`skipped ${unknown} recordings whose label the model does not know (it knows ${labels.join(', ')})`);
  const split = parseSplit(o.split, o.testFraction);
  if (split.kind === 'speakers') throw new UsageError('--split speakers trains one model per speaker: use it with train');
  const part = splitEntries(known, split, o.seed ?? 1);
  if (part.test.length === 0) throw new UsageError(`--split ${o.split}: no test recordings in ${dir}`);
  const test = clipsFor(part.test, set, labels);
  // Each member trims and featurises the recordings as its own metadata says.
  const probs = classifier.probabilities(test.clips.map((c) => c.source as Float32Array));
  const matrix = confusionMatrix(probs, test.labels);
  const report = classReport(matrix, labels);
  ctx.log(formatClassReport(report));
  ctx.log(`\nconfusion matrix (rows: true word, columns: predicted)\n${formatConfusionMatrix(matrix, labels)}`);
  const plot = resolveUserPath(o.plot);
  const what = classifier.members.length > 1 ? `${classifier.members.length} x ${classifier.info.kind}` : classifier.info.kind;
  await plotConfusionMatrix(matrix, plot, { labels, title: `speech-cnn ${what}: ${o.split}` });
  ctx.log(`\naccuracy ${pct(report.accuracy)} on ${test.clips.length} recordings (split ${o.split}); confusion matrix drawn in ${plot}`);
  return {
    plot,
    accuracy: report.accuracy,
    files: test.clips.length,
    skipped: set.bad.length + set.skipped.length + unknown,
    split: o.split,
    perClass: Object.fromEntries(report.classes.map((c) => [c.label, { precision: c.precision, recall: c.recall, f1: c.f1, support: c.support }])),
    confusion: matrix,
  };
}

async function predict(ctx: ActionContext<CommonOptions & { top: number }>) {
  if (ctx.args.length === 0) throw new UsageError('predict: give one or more WAV files');
  const classifier = await loadClassifier(ctx.opts.modelDir);
  const predictions: Array<{ file: string; label: string; probabilities: Record<string, number> }> = [];
  const failed: Array<{ file: string; error: string }> = [];
  for (const file of ctx.args) {
    try {
      let bytes: Uint8Array;
      try {
        bytes = readFileSync(resolveUserPath(file));
      } catch (err) {
        throw new DataError(file, `cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      }
      const r = classifier.classify(decodeWav(bytes, file, { sampleRate: classifier.sampleRate }));
      predictions.push({ file, label: r.label, probabilities: Object.fromEntries(r.ranked.map((p) => [p.label, Number(p.probability.toFixed(5))])) });
      ctx.log(`${file}: ${r.label}  (${r.ranked.slice(0, ctx.opts.top).map((p) => `${p.label} ${pct(p.probability)}`).join(', ')})`);
    } catch (err) {
      if (!(err instanceof DataError)) throw err;
      failed.push({ file, error: err.message });
      process.stderr.write(`skipped ${err.message}\n`);
    }
  }
  if (predictions.length === 0) process.exitCode = 1;
  return { predictions, failed: failed.length, errors: failed };
}

async function combine(ctx: ActionContext<CommonOptions>) {
  if (!ctx.opts.modelDir) throw new UsageError('ensemble: give --model-dir, the folder to write the ensemble to');
  const out = resolve(ctx.opts.modelDir);
  // Typed paths resolve from where the command was typed, as --model-dir does.
  const dirs = ctx.args.map((d) => resolveUserPath(d));
  if (dirs.some((d) => d === out)) throw new UsageError(`ensemble: --model-dir ${out} is also one of the members`);
  let sources: string[];
  try {
    sources = await combineSpeechModels(dirs, out);
  } catch (err) {
    // Members that cannot stand together (other words, another sample rate, too few) are a usage problem.
    if (err instanceof RangeError) throw new UsageError(`ensemble: ${err.message}`);
    throw err;
  }
  ctx.log(`ensemble of ${sources.length} models written to ${relative(process.cwd(), out) || '.'}`);
  return { modelDir: out, members: sources };
}

async function start(ctx: ActionContext<StartOpts>) {
  const { buildServer } = await import('./web/server.js');
  const classifier = await loadClassifier(ctx.opts.modelDir);
  const app = buildServer(classifier);
  const url = await app.listen({ host: ctx.opts.host, port: ctx.opts.port });
  ctx.log(`speech-cnn: open ${url}/ (model ${classifier.members.length > 1 ? `ensemble of ${classifier.members.length} ` : ''}${classifier.info.kind}, words ${classifier.info.labels.join(' ')}); Ctrl-C to stop`);
  await new Promise<void>((done) => {
    const stop = () => void app.close().then(() => done());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return { url };
}

export function buildProgram() {
  const program = createProgram('speech-cnn', 'A CNN that recognises spoken words from log-mel spectrograms (Sainath & Parada 2015)');
  withCommonOptions(
    program
      .command('train')
      .description('train a model on a folder of WAV files and save it')
      .option('--model <kind>', `network: ${MODEL_KINDS.join(' or ')} (freq: filters span all frames and slide along frequency)`, parseChoice(MODEL_KINDS), 'freq')
      .option('--split <split>', SPLIT_HELP, 'fsdd')
      .option('--test-fraction <f>', 'test share for --split random', parseNumberIn(0.01, 0.99), 0.2)
      .option('--lr <rate>', 'Adam learning rate (cosine-decayed to 1/20 of it)', parseNumberIn(1e-6, 1), 3e-3)
      .option('--no-augment', 'train on clean clips only (no speed change, time shift, gain, noise or masks)')
      .option('--norm <kind>', 'feature normalisation: peak ([0, 1] below the loudest cell), cmn (each band\'s mean over the word removed) or cmvn (and each band\'s spread)', parseChoice(NORMALISATIONS), 'peak')
      .option('--stretch', "stretch each word's frames in time to fill the input (speaking-rate normalisation)", false)
      .option('--stretch-keep <a>', 'with --stretch: the word fills frames x (its length / frames)^a rows instead of all (0: fill the input; 1: keep its length; stored in the model)', parseNumberIn(0, 1))
      .option('--length-cue', `add ${LENGTH_CUE_BANDS} bands above the mel bands holding the word's log length before any stretching (so --stretch keeps short and long words apart; stored in the model)`, false)
      .option('--speed <low,high>', 'speed perturbation range (1,1: none)', parseSpeedRange, [0.9, 1.1])
      .option('--tempo <low,high>', "tempo perturbation of augmented clips: the spectrogram's frames play at a rate drawn from this range, pitch kept (1,1: none)", parseSpeedRange, [1, 1])
      .option('--freq-mask <bands>', 'SpecAugment: mask up to this many adjacent mel bands in augmented clips (0: none)', parseIntIn(0, 40), 0)
      .option('--time-mask <frames>', 'SpecAugment: mask up to this many frames in augmented clips (0: none)', parseIntIn(0, 100), 0)
      .option('--vtlp <w>', 'VTLP: warp the mel filterbank of augmented clips by a factor drawn from [1-w, 1+w] (0: none; 0.1 is the paper\'s)', parseNumberIn(0, 0.3), 0)
      .option('--eq <db>', 'random equalisation of augmented clips (another microphone): a smooth per-band gain curve of up to about this many dB (0: none)', parseNumberIn(0, 30), 0)
      .option('--time-warp <frames>', "SpecAugment time warp of augmented clips: one point of the word moves by up to this many frames, the rows on either side follow linearly (0: none)", parseIntIn(0, 40), 0)
      .option('--trim-jitter <db>', 'augmented clips are trimmed afresh at a threshold drawn from --trim-db +- this many dB (0: none)', parseNumberIn(0, 60), 0)
      .option('--augment-prob <p>', 'share of training clips augmented afresh each epoch (the rest are seen clean)', parseNumberIn(0, 1), 0.5)
      .option('--mels <bands>', 'mel bands (fewer, wider bands smooth away pitch harmonics; stored in the model)', parseIntIn(8, 128), 40)
      .option('--range-db <db>', 'features span this many dB below the loudest cell; quieter cells (background noise, which differs between recordings) are clipped to silence (stored in the model)', parseNumberIn(10, 120), 80)
      .option('--trim-db <db>', 'leading and trailing frames this many dB below the loudest are trimmed, so the word starts the clip (0: no trimming; stored in the model)', parseNumberIn(0, 120), 40)
      .option('--lifter <k>', "keep this many cepstral coefficients of each frame: the spectral envelope stays, a voice's pitch harmonics are smoothed away (default: all; stored in the model)", parseIntIn(1, 128))
      .option('--hidden <units>', 'units of the hidden ReLU layer (default 128)', parseIntIn(1, 4096))
      .option('--dropout <rate>', 'dropout after the hidden layer (default 0.2)', parseNumberIn(0, 0.9))
      .option('--l2 <weight>', 'L2 weight decay on every kernel (default 0)', parseNumberIn(0, 1))
      .option('--time-context <frames>', 'freq: filters span this many (pooled) frames and slide along time too, max over time (default: all frames)', parseIntIn(1, 1000))
      .option('--workers <n>', 'gradient worker threads (default: one per core)', parseIntIn(1, 64))
      .option('--ensemble <n>', 'train this many models (seeds --seed, --seed + 1, ...) and save them as one ensemble that averages their softmax', parseIntIn(1, 16), 1)
      .option('--extra-train <dir>', 'more recordings for training only, added to every split and never tested on (e.g. the synthetic voices of scripts/synth-voices.sh)')
      .option('--resume', "continue from the model folder's checkpoint"),
    undefined,
    { epochs: 25, batchSize: 64 },
  ).action(runAction(train));
  withCommonOptions(
    program
      .command('eval')
      .description('score a model on a folder: accuracy, per-word report, confusion matrix')
      .option('--split <split>', `${SPLIT_HELP}; 'all' scores every file`, 'fsdd')
      .option('--test-fraction <f>', 'test share for --split random', parseNumberIn(0.01, 0.99), 0.2)
      .option('--plot <file.png>', 'where to draw the confusion matrix', 'confusion-matrix.png'),
    ['dataDir', 'modelDir', 'batchSize', 'seed', 'json', 'backend'],
  ).action(runAction(evaluate));
  withCommonOptions(
    program
      .command('predict')
      .description('say which word each WAV file holds')
      .argument('<files...>', 'WAV files (any sample rate, mono or stereo)')
      .option('--top <k>', 'probabilities to show per file', parseIntIn(1, 100), 3),
    ['modelDir', 'json', 'backend'],
  ).action(runAction(predict));
  withCommonOptions(
    program
      .command('ensemble')
      .description("combine trained models (or ensembles) into one ensemble folder (--model-dir) that averages their softmax; each member featurises as its own metadata says")
      .argument('<models...>', 'model folders to combine'),
    ['modelDir', 'json', 'backend'],
  ).action(runAction(combine));
  withCommonOptions(
    program
      .command('start')
      .description('serve a page that records a word (or takes a WAV) and shows its spectrogram and probabilities')
      .option('--port <n>', 'port', parseIntIn(0, 65535), 8080)
      .option('--host <addr>', 'address to listen on (keep 127.0.0.1 unless you mean to expose it)', '127.0.0.1'),
    ['modelDir', 'json', 'backend'],
  ).action(runAction(start));
  return program;
}

await runProgram(buildProgram());
