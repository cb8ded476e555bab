// The tail every app's `train` verb shares: checkpoints and resume in the model folder, fit, the model saved
// after every epoch and at the end, the learning curves as history.png, and one typed result for --json.
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { assertWritable, type ResolvedModelDir } from '../io/model-folder.js';
import { modelSnapshot, saveModel, writeModel, type MetadataFields } from '../io/model.js';
import { WriteQueue } from '../io/write-queue.js';
import { plotHistory } from '../viz/plot-history.js';
import { fit, type FitOptions } from './fit.js';
import type { History } from './types.js';

/** What the recipe passes to `metadata`: the history so far, whether this is the final save, and the score. */
export interface RecipeMetadataContext {
  history: History;
  /** False for the saves after each epoch, true for the one at the end. */
  final: boolean;
  /** What `score` returned (final save only). */
  score?: Readonly<Record<string, unknown>>;
  seconds: number;
}

export interface TrainRecipeOptions<S extends object = Record<never, never>> {
  /** The built (and seeded) model; it is trained in place. */
  model: tf.LayersModel;
  /** The model folder (resolveModelDir's answer, checked with assertWritable; or a path the caller checked). */
  modelDir: string | ResolvedModelDir;
  /** Everything fit takes but the folder-related options, which the recipe sets. */
  fit: Omit<FitOptions, 'checkpointDir' | 'resume' | 'historyPath'>;
  /** Continue from `<modelDir>/checkpoints` when it has a checkpoint. */
  resume?: boolean;
  /** The metadata saved with the model (app, version and the app's fields); a function to include history or score. */
  metadata: MetadataFields | ((ctx: RecipeMetadataContext) => MetadataFields);
  /** Files that belong to the model (a vocabulary); committed with it (see saveModel). */
  files?: Record<string, string | Uint8Array>;
  /** Save the model after every epoch too, so the folder always holds the latest finished epoch. Default true. */
  saveEachEpoch?: boolean;
  /** Also keep the history as `<modelDir>/history.json`, rewritten after every epoch. Default false. */
  historyJson?: boolean;
  /** After training, before the final save: score the model (a test set, say); the fields join the result. */
  score?: (model: tf.LayersModel, history: History) => Promise<S>;
  /** Title of history.png; false: no plot. */
  plot?: { title?: string } | false;
  log?: (line: string) => void;
}

/** The JSON-able summary a `train --json` prints. */
export interface TrainSummary {
  modelDir: string;
  epochs: number;
  bestEpoch: number | null;
  loss: number | null;
  accuracy: number | null;
  /** At the best epoch (the weights kept with restoreBestWeights), else the last. */
  valLoss: number | null;
  valAccuracy: number | null;
  examplesPerSecond: number | null;
  interrupted: boolean;
  stoppedEarly: boolean;
  seconds: number;
  /** The learning curves, or null when not plotted (no finished epoch, or plot: false). */
  historyPlot: string | null;
}

export interface TrainRecipeResult<S> {
  model: tf.LayersModel;
  history: History;
  modelDir: string;
  /** The summary with the score's fields merged in: what `train --json` prints. */
  summary: TrainSummary & S;
  score: S | undefined;
}

export const CHECKPOINTS_DIR = 'checkpoints';
export const HISTORY_PNG = 'history.png';
export const HISTORY_JSON = 'history.json';

/**
 * Trains `model` into a model folder: checkpoints in `<dir>/checkpoints` (resume picks them up), fit, the model
 * saved after every epoch and at the end (atomically, see saveModel), history.png, and a typed summary.
 */
export async function trainRecipe<S extends object = Record<never, never>>(
  options: TrainRecipeOptions<S>,
): Promise<TrainRecipeResult<S>> {
  const target = options.modelDir;
  if (typeof target !== 'string') assertWritable(target);
  const dir = typeof target === 'string' ? target : target.dir;
  const log = options.log ?? options.fit.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  const metadataFor = (ctx: RecipeMetadataContext): MetadataFields =>
    typeof options.metadata === 'function' ? options.metadata(ctx) : options.metadata;
  const filesOption = options.files ? { files: options.files } : {};
  const save = (ctx: RecipeMetadataContext) => saveModel(options.model, dir, metadataFor(ctx), filesOption);
  const userOnEpochEnd = options.fit.onEpochEnd;
  // The saves after each epoch are written behind training, in order with fit's checkpoints.
  const writes = options.fit.writes ?? new WriteQueue();
  const history = await fit(options.model, {
    ...options.fit,
    checkpointDir: join(dir, CHECKPOINTS_DIR),
    resume: options.resume ?? false,
    ...(options.historyJson ? { historyPath: join(dir, HISTORY_JSON) } : {}),
    writes,
    onEpochEnd: async (record, h) => {
      if (options.saveEachEpoch ?? true) {
        const ctx = { history: h, final: false, seconds: seconds() };
        const snapshot = await modelSnapshot(options.model, metadataFor(ctx), filesOption);
        await writes.add(async () => void (await writeModel(snapshot, dir)));
      }
      return userOnEpochEnd?.(record, h);
    },
  });
  const trainSeconds = seconds();
  const score = options.score ? await options.score(options.model, history) : undefined;
  await save({
    history,
    final: true,
    ...(score !== undefined ? { score: score as Readonly<Record<string, unknown>> } : {}),
    seconds: trainSeconds,
  });
  let historyPlot: string | null = null;
  if (options.plot !== false && history.epochs.length > 0) {
    historyPlot = join(dir, HISTORY_PNG);
    await plotHistory(history, historyPlot, options.plot?.title !== undefined ? { title: options.plot.title } : {});
  }
  const last = history.epochs[history.epochs.length - 1];
  const best = history.epochs.find((e) => e.epoch === history.bestEpoch) ?? last;
  const summary: TrainSummary = {
    modelDir: dir,
    epochs: history.epochs.length,
    bestEpoch: history.bestEpoch,
    loss: last?.loss ?? null,
    accuracy: last?.accuracy ?? null,
    valLoss: best?.valLoss ?? null,
    valAccuracy: best?.valAccuracy ?? null,
    examplesPerSecond: last?.examplesPerSecond ?? null,
    interrupted: history.interrupted,
    stoppedEarly: history.stoppedEarly,
    seconds: Number(trainSeconds.toFixed(1)),
    historyPlot,
  };
  log(
    `saved ${dir}${history.bestEpoch !== null ? ` (best epoch ${history.bestEpoch})` : ''}` +
      (historyPlot ? `; learning curves in ${historyPlot}` : ''),
  );
  return { model: options.model, history, modelDir: dir, summary: { ...summary, ...(score ?? ({} as S)) }, score };
}
