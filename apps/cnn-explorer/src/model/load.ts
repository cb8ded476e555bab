// The lecture model's folder: which one a command reads or writes (core's model-folder rules: the shipped
// model for reading, a new runs/cnn-explorer/<time> for writing), and loading it with its metadata checked
// (the split decides which digits eval holds out, so a damaged one must not pass silently).
import { join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import {
  DataError,
  loadModelFolder,
  metadataFields,
  resolveModelDir,
  runsRoot,
  type History,
  type ModelMetadata,
  type ResolvedModelDir,
} from '@cnn-lab/core';
import type { SplitSpec } from '../mnist/digits.js';

export const APP = 'cnn-explorer';
export const APP_DIR = resolve(import.meta.dirname, '..', '..');
/** The shipped model's folder name under models/. */
const SHIPPED_NAME = 'mnist';

/** The model that ships with the app, read when no --model-dir is given and never written unless named. */
export const SHIPPED_MODEL_DIR = join(APP_DIR, 'models', SHIPPED_NAME);

/** The app's git-ignored runs folder (`<repo>/runs/cnn-explorer`, or under $CNN_LAB_RUNS), and names inside it. */
export function runsDir(...names: string[]): string {
  return join(runsRoot(APP_DIR), APP, ...names);
}

/**
 * The model folder a command uses: `--model-dir` when given; otherwise the shipped model for reading and a
 * new `runs/cnn-explorer/<time>` folder for writing (with `resume`, the newest run holding checkpoints), so a
 * default never writes over the shipped model.
 */
export function modelDirFor(
  modelDir: string | undefined,
  mode: 'read' | 'write',
  options: { resume?: boolean; now?: Date } = {},
): ResolvedModelDir {
  return resolveModelDir({ app: APP, appDir: APP_DIR, flag: modelDir, mode, shippedName: SHIPPED_NAME, ...options });
}

/** What cnn-explorer keeps in a model's metadata. */
export interface LectureMetadata {
  split: SplitSpec;
  history?: History;
}

export interface LectureModel extends LectureMetadata {
  model: tf.LayersModel;
  dir: string;
}

/** Loads a lecture model folder saved by `train`; a missing model is a UsageError naming --model-dir. */
export async function loadLectureModel(target: string | ResolvedModelDir): Promise<LectureModel> {
  const { model, dir, metadata } = await loadModelFolder(target, { app: APP, validate: lectureMetadata });
  return { model, dir, ...metadata };
}

/** The checked metadata; a model saved before splits were stored used the default split (seed 1). */
export function lectureMetadata(raw: ModelMetadata, path: string): LectureMetadata {
  const fields = metadataFields(raw, path);
  let split: SplitSpec = { seed: 1, testFraction: 0.2, validationFraction: 0.1 };
  if (fields.has('split')) {
    const s = fields.object('split');
    split = {
      seed: s.int('seed', 0),
      testFraction: s.number('testFraction', 0, 0.99),
      validationFraction: s.number('validationFraction', 0, 0.99),
    };
    if (split.testFraction + split.validationFraction >= 1) {
      throw new DataError(
        path,
        `field "split": testFraction + validationFraction is ${split.testFraction + split.validationFraction}; expected below 1`,
      );
    }
  }
  const history = historyOf(raw.history, path);
  return { split, ...(history ? { history } : {}) };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The training history, if the metadata has one; only its shape is checked (it feeds the history plot). */
function historyOf(value: unknown, path: string): History | undefined {
  if (value === undefined) return undefined;
  const ok =
    isRecord(value) &&
    Array.isArray(value.epochs) &&
    value.epochs.every((e) => isRecord(e) && typeof e.epoch === 'number' && typeof e.loss === 'number') &&
    (value.bestEpoch === null || typeof value.bestEpoch === 'number');
  if (!ok)
    throw new DataError(path, 'field "history" is not a training history (epochs of {epoch, loss, ...} and bestEpoch)');
  return value as unknown as History;
}
