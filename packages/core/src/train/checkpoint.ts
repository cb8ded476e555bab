import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { DataError } from '../cli/errors.js';
import { loadTensorsInfo, loadWeights, saveWeights, weightsFileBytes, type BufferChoice } from '../io/weights.js';
import type { History } from './types.js';

export const CHECKPOINT_FILE = 'checkpoint.ckpt';
export const BEST_FILE = 'best.ckpt';

/** Everything besides weights and optimizer state that a resumed run needs to carry on exactly. */
export interface TrainingState {
  version: 1;
  seed: number;
  batchSize: number;
  /** The epoch in progress (0-based) and how many of its steps are done. */
  epoch: number;
  stepInEpoch: number;
  globalStep: number;
  /** Running sums of the epoch in progress, so its reported loss covers the steps before the resume. */
  partial: { lossSum: number; correct: number; count: number; seconds: number };
  history: History;
  best: { value: number; epoch: number } | null;
  badEpochs: number;
  baseLr: number;
  /** FitOptions.fingerprint of the run that wrote it (absent in older checkpoints and runs without one). */
  fingerprint?: Record<string, string | number>;
}

/** Writes weights, optimizer state and training state in one file, atomically (io's saveWeights). */
export async function saveCheckpoint(
  dir: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  state: TrainingState,
): Promise<void> {
  await saveWeights(model, join(dir, CHECKPOINT_FILE), { optimizer, info: { training: state } });
}

/**
 * The bytes saveCheckpoint writes, taken now (fit writes them behind training, on its WriteQueue), in `buffer`
 * (see encodeTensors).
 */
export async function checkpointBytes(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  state: TrainingState,
  buffer: BufferChoice = {},
): Promise<Uint8Array> {
  return weightsFileBytes(model, { optimizer, info: { training: state }, buffer });
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, CHECKPOINT_FILE));
}

/** The training state of the folder's checkpoint, read without its tensors; null when the folder has none yet. */
export async function readCheckpointState(dir: string): Promise<TrainingState | null> {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) return null;
  const state = (await loadTensorsInfo(path))['training'] as TrainingState | undefined;
  if (!state || state.version !== 1)
    throw new DataError(path, 'holds no training state this version of cnn-lab can resume');
  return state;
}

/** Restores a checkpoint into `model` and `optimizer`; null when the folder has none yet. */
export async function loadCheckpoint(
  dir: string,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): Promise<TrainingState | null> {
  const path = join(dir, CHECKPOINT_FILE);
  if (!existsSync(path)) return null;
  const info = await loadWeights(model, path, { optimizer });
  const state = info['training'] as TrainingState | undefined;
  if (!state || state.version !== 1)
    throw new DataError(path, 'holds no training state this version of cnn-lab can resume');
  return state;
}

export async function saveBest(dir: string, model: tf.LayersModel, epoch: number): Promise<void> {
  await saveWeights(model, join(dir, BEST_FILE), { info: { epoch } });
}

/** The bytes saveBest writes, taken now, in `buffer` (see encodeTensors). */
export async function bestBytes(model: tf.LayersModel, epoch: number, buffer: BufferChoice = {}): Promise<Uint8Array> {
  return weightsFileBytes(model, { info: { epoch }, buffer });
}

export async function loadBest(dir: string, model: tf.LayersModel): Promise<boolean> {
  const path = join(dir, BEST_FILE);
  if (!existsSync(path)) return false;
  await loadWeights(model, path);
  return true;
}
