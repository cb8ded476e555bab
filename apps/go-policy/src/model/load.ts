// The model loader: a folder written by `train` (or the shipped one) -> the network and the metadata
// needed to use it the same way it was trained (which feature planes, which split of the games).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { DataError, METADATA_JSON, MODEL_JSON, UsageError, loadModel } from '@cnn-lab/core';
import { FEATURE_SET_NAMES, isFeatureSetName, planeCount, type FeatureSetName } from '../features/index.js';

/** The shipped model, beside src/. Commands read it by default and never write it. */
export const SHIPPED_MODEL = resolve(import.meta.dirname, '..', '..', 'models', 'default');

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
 * The policy fields of a model's metadata.json, checked; a DataError naming the file and the field
 * otherwise. Fields this version does not know (older training switches, history, dataDir) are ignored.
 */
export function policyMetadata(raw: unknown, file: string): PolicyMetadata {
  const meta = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const { featureSet } = meta;
  if (typeof featureSet !== 'string' || !isFeatureSetName(featureSet)) {
    throw new DataError(file, `has no known featureSet (expected one of ${FEATURE_SET_NAMES.join(', ')})`);
  }
  const count = (field: string, min: number): number => {
    const v = meta[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      throw new DataError(file, `${field} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const planes = count('planes', 1);
  if (planes !== planeCount(featureSet)) {
    throw new DataError(file, `planes is ${planes}, but feature set '${featureSet}' has ${planeCount(featureSet)}`);
  }
  return { featureSet, planes, filters: count('filters', 1), layers: count('layers', 2), splitSeed: count('splitSeed', 0) };
}

/**
 * Loads the model in `modelDir` (default: the shipped model). A folder without model.json is a
 * UsageError that names the flag; a damaged model or metadata is a DataError naming the file.
 */
export async function loadPolicyModel(modelDir: string | undefined): Promise<LoadedPolicy> {
  const dir = resolve(modelDir ?? SHIPPED_MODEL);
  if (!existsSync(join(dir, MODEL_JSON))) {
    throw new UsageError(
      modelDir === undefined
        ? `the shipped model is missing (${dir}/${MODEL_JSON}); train one with 'train' and pass --model-dir`
        : `--model-dir: no ${MODEL_JSON} in '${modelDir}' (expected a folder written by 'go-policy train')`,
    );
  }
  const { model, metadata } = await loadModel(dir);
  const meta = policyMetadata(metadata, join(dir, METADATA_JSON));
  if (model.inputs[0]?.shape[3] !== meta.planes) {
    throw new DataError(join(dir, MODEL_JSON), `the network reads ${model.inputs[0]?.shape[3]} planes, but ${METADATA_JSON} says ${meta.planes}`);
  }
  return { model, meta, dir };
}
