// The lecture model's folder: where it is read from and written to, and loading it with its metadata
// checked (the split decides which digits eval holds out, so a damaged one must not pass silently).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { DataError, UsageError, findWorkspaceRoot, loadModel, type History } from '@cnn-lab/core';
import type { SplitSpec } from '../mnist/digits.js';

export const APP = 'cnn-explorer';
const APP_DIR = resolve(import.meta.dirname, '..', '..');

/** The model that ships with the app, read when no --model-dir is given and never written unless named. */
export const SHIPPED_MODEL_DIR = join(APP_DIR, 'models', 'mnist');

/** This checkout's git-ignored runs folder for the app: `<repo>/runs/cnn-explorer/<name>`. */
export function runsDir(...names: string[]): string {
  return join(findWorkspaceRoot(APP_DIR) ?? APP_DIR, 'runs', APP, ...names);
}

/** A folder name for a new run, from the time it started: 2026-11-27T00-20-24. */
export function runStamp(now = new Date()): string {
  return now.toISOString().slice(0, 19).replace(/:/g, '-');
}

/**
 * The model folder a command uses: `--model-dir` when given; otherwise the shipped model for reading,
 * and a new `runs/cnn-explorer/<time>` folder for writing, so training never overwrites the shipped model
 * unless the user names its folder.
 */
export function modelDirFor(modelDir: string | undefined, mode: 'read' | 'write', now = new Date()): string {
  if (modelDir !== undefined) return modelDir;
  return mode === 'read' ? SHIPPED_MODEL_DIR : runsDir(runStamp(now));
}

export interface LectureModel {
  model: tf.LayersModel;
  dir: string;
  split: SplitSpec;
  history?: History;
}

/** Loads a lecture model folder saved by `train`; a missing model is a UsageError naming --model-dir. */
export async function loadLectureModel(dir: string): Promise<LectureModel> {
  if (!existsSync(join(dir, 'model.json'))) {
    throw new UsageError(
      `--model-dir: no model in ${dir} (expected model.json); train one with \`pnpm --filter cnn-explorer train --model-dir ${dir}\``,
    );
  }
  const { model, metadata } = await loadModel(dir);
  const file = join(dir, 'metadata.json');
  const split = splitOf(metadata.split, file);
  const history = historyOf(metadata.history, file);
  return { model, dir, split, ...(history ? { history } : {}) };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** metadata.json's split; a model saved before splits were stored used the default one (seed 1). */
export function splitOf(value: unknown, file: string): SplitSpec {
  if (value === undefined) return { seed: 1, testFraction: 0.2, validationFraction: 0.1 };
  const bad = (what: string) => new DataError(file, `"split"${what}`);
  if (!isRecord(value)) throw bad(' is not an object of seed, testFraction and validationFraction');
  const { seed, testFraction, validationFraction } = value;
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed) || seed < 0)
    throw bad(`.seed is ${JSON.stringify(seed)}, expected an integer >= 0`);
  for (const [name, f] of [
    ['testFraction', testFraction],
    ['validationFraction', validationFraction],
  ] as const) {
    if (typeof f !== 'number' || !(f >= 0 && f < 1))
      throw bad(`.${name} is ${JSON.stringify(f)}, expected a number in [0, 1)`);
  }
  const test = testFraction as number;
  const validation = validationFraction as number;
  if (test + validation >= 1) throw bad(` fractions sum to ${test + validation}, expected below 1`);
  return { seed, testFraction: test, validationFraction: validation };
}

/** metadata.json's training history, if it has one; only its shape is checked (it feeds the history plot). */
export function historyOf(value: unknown, file: string): History | undefined {
  if (value === undefined) return undefined;
  const ok =
    isRecord(value) &&
    Array.isArray(value.epochs) &&
    value.epochs.every((e) => isRecord(e) && typeof e.epoch === 'number' && typeof e.loss === 'number') &&
    (value.bestEpoch === null || typeof value.bestEpoch === 'number');
  if (!ok)
    throw new DataError(file, '"history" is not a training history (epochs of {epoch, loss, ...} and bestEpoch)');
  return value as unknown as History;
}
