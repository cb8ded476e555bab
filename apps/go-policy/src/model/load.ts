// The model loader: a folder written by `train` (or the shipped one) -> the network and the metadata
// needed to use it the same way it was trained (which feature planes, which split of the games).
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import {
  DataError,
  MODEL_JSON,
  loadModelFolder,
  metadataFields,
  resolveModelDir,
  type ModelMetadata,
} from '@cnn-lab/core';
import { APP, APP_DIR } from '../app.js';
import { FEATURE_SET_NAMES, planeCount, type FeatureSetName } from '../features/index.js';
// Registers the policy head's layer class, which model.json names.
import './per-point-bias.js';

/**
 * The shipped model trained on two CPU cores (32 x 5), with the shipped rollout policy. `eval`, `predict` and
 * `train --resume` read it by default; no command writes it unless told to.
 */
export const SHIPPED_MODEL = join(APP_DIR, 'models', 'default');

/**
 * The shipped 12 x 128 net trained on a GPU (`gpu/`): the players (`gtp`, `match`, `start`, `bench`) read it
 * by default, as it plays far better (45 of 50 against GNU Go level 10 alone, where the small net wins none).
 */
export const PLAYING_MODEL_NAME = 'large';

/** What `train` stores beside the weights, and what eval, predict and play need to use them. */
export interface PolicyMetadata {
  featureSet: FeatureSetName;
  planes: number;
  filters: number;
  layers: number;
  /** Seed of the by-game split the model was trained on, so `eval` scores its own test games. */
  splitSeed: number;
}

export interface LoadedPolicy {
  model: tf.LayersModel;
  meta: PolicyMetadata;
  dir: string;
}

/**
 * The policy fields of a model's metadata, checked; a DataError naming the file and the field otherwise.
 * Fields this version does not know (older training switches, history, dataDir) are ignored.
 */
export function policyMetadata(raw: ModelMetadata | Record<string, unknown>, path: string): PolicyMetadata {
  const f = metadataFields(raw, path);
  const featureSet = f.choice('featureSet', FEATURE_SET_NAMES);
  const planes = f.int('planes', 1);
  if (planes !== planeCount(featureSet)) {
    throw new DataError(
      path,
      `field "planes" is ${planes}, but feature set '${featureSet}' has ${planeCount(featureSet)}`,
    );
  }
  return {
    featureSet,
    planes,
    filters: f.int('filters', 1),
    layers: f.int('layers', 2),
    splitSeed: f.int('splitSeed', 0),
  };
}

/**
 * Loads the model in `modelDir` (default: the shipped model `shippedName`). A folder without model.json is a
 * UsageError that names --model-dir; a damaged model or metadata is a DataError naming the file.
 */
export async function loadPolicyModel(
  modelDir: string | undefined,
  shippedName: 'default' | typeof PLAYING_MODEL_NAME = 'default',
): Promise<LoadedPolicy> {
  const target = resolveModelDir({ app: APP, appDir: APP_DIR, flag: modelDir, mode: 'read', shippedName });
  const { model, metadata, dir } = await loadModelFolder(target, { app: APP, validate: policyMetadata });
  const inputPlanes = model.inputs[0]?.shape[3];
  if (inputPlanes !== metadata.planes) {
    model.dispose();
    throw new DataError(
      join(dir, MODEL_JSON),
      `the network reads ${inputPlanes} planes, but its metadata says ${metadata.planes}`,
    );
  }
  return { model, meta: metadata, dir };
}
