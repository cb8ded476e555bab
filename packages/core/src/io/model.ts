import { createHash } from 'node:crypto';
import { isAbsolute, join, normalize, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../cli/errors.js';
// Core's custom layers must be registered before any model.json naming them is rebuilt.
import '../layers/index.js';
import { writeFileAtomic } from './atomic.js';
import { readJsonFile, readOptionalFile } from './read.js';
import { groupByteLength, validateWeightSpecs } from './weight-specs.js';

/** File names of a saved model folder; the same names tfjs-node's `file://` handler uses. */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';
export const METADATA_JSON = 'metadata.json';

/** What metadata.json holds: who made the model, when, and whatever the app needs to use it again. */
export interface ModelMetadata {
  app: string | null;
  version: string | null;
  createdAt: string;
  /** sha256 of weights.bin, so metadata that belongs to other weights is caught. */
  weightsSha256: string;
  [field: string]: unknown;
}

/** Fields an app passes to saveModel: app, version, and any of its own (vocabulary, feature spec, metrics). */
export type MetadataFields = { app?: string; version?: string } & Record<string, unknown>;

export interface SaveModelOptions {
  /** Also store the optimizer state (Adam moments, step count) so training can resume exactly. */
  includeOptimizer?: boolean;
}

export interface SavedModelInfo {
  dir: string;
  files: string[];
  weightBytes: number;
  metadata: ModelMetadata;
}

export interface LoadModelOptions {
  /** Accept a folder without metadata.json (for example one written by tfjs-node or the Python converter). */
  allowMissingMetadata?: boolean;
}

export interface LoadedModel {
  model: tf.LayersModel;
  metadata: ModelMetadata | null;
}

/**
 * The model.json tfjs-node writes, plus one extra top-level key (readers ignore unknown keys): the
 * weights' hash, because model.json is written last and so vouches for the weights beside it.
 */
interface ModelJson {
  modelTopology: object;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
  format?: string;
  generatedBy?: string;
  convertedBy?: string | null;
  trainingConfig?: tf.io.TrainingConfig;
  signature?: object;
  userDefinedMetadata?: { [key: string]: object };
  cnnLab?: { weightsSha256?: string };
}

/**
 * Saves `model` to `dir` in the TensorFlow.js layers format (model.json + weights.bin), loadable by
 * tfjs-node's `file://` handler, `tf.loadLayersModel` and the Python tensorflowjs converter, plus
 * metadata.json. Weights are written first and model.json last, each atomically: a folder without
 * model.json is a save that did not finish, and a model.json always matches the weights beside it.
 */
export async function saveModel(
  model: tf.LayersModel,
  dir: string,
  metadata: MetadataFields = {},
  options: SaveModelOptions = {},
): Promise<SavedModelInfo> {
  const artifacts = await modelArtifacts(model, options.includeOptimizer ?? false);
  if (!artifacts.modelTopology || artifacts.modelTopology instanceof ArrayBuffer || !artifacts.weightSpecs) {
    throw new Error('saveModel: the model did not serialise to a JSON topology with weights');
  }
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
  const weightsSha256 = sha256(weights);
  const modelJson: ModelJson = {
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs }],
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
    ...(artifacts.signature ? { signature: artifacts.signature } : {}),
    ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
    cnnLab: { weightsSha256 },
  };
  const { app, version, ...fields } = metadata;
  const meta: ModelMetadata = {
    ...fields,
    app: app ?? null,
    version: version ?? null,
    createdAt: new Date().toISOString(),
    weightsSha256,
  };
  await writeFileAtomic(join(dir, WEIGHTS_BIN), weights);
  await writeFileAtomic(join(dir, METADATA_JSON), `${JSON.stringify(meta, null, 2)}\n`);
  await writeFileAtomic(join(dir, MODEL_JSON), JSON.stringify(modelJson));
  return { dir, files: [WEIGHTS_BIN, METADATA_JSON, MODEL_JSON], weightBytes: weights.byteLength, metadata: meta };
}

/**
 * Loads a folder written by saveModel (or by tfjs-node / the tensorflowjs converter, with
 * `allowMissingMetadata`). Every problem is a DataError naming the file and what is wrong with it.
 */
export async function loadModel(
  dir: string,
  options?: LoadModelOptions & { allowMissingMetadata?: false },
): Promise<LoadedModel & { metadata: ModelMetadata }>;
export async function loadModel(dir: string, options: LoadModelOptions): Promise<LoadedModel>;
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const modelPath = join(dir, MODEL_JSON);
  const modelJson = parseModelJson(
    await readJsonFile(modelPath, 'a saved model folder has model.json, written last; without it the save did not finish'),
    modelPath,
  );
  const { specs, data } = await readWeights(dir, modelJson);
  const weightsSha256 = modelJson.cnnLab?.weightsSha256;
  if (weightsSha256 !== undefined && sha256(data) !== weightsSha256) {
    throw new DataError(
      join(dir, WEIGHTS_BIN),
      `does not match ${MODEL_JSON} (sha256 differs): the weights were overwritten by a save that did not finish`,
    );
  }
  const metadata = await readMetadata(dir, options, weightsSha256);
  const model = await buildModel(modelJson, specs, data, dir);
  return { model, metadata };
}

async function modelArtifacts(model: tf.LayersModel, includeOptimizer: boolean): Promise<tf.io.ModelArtifacts> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
    { includeOptimizer },
  );
  if (!captured) throw new Error('saveModel: tf.LayersModel.save handed over no artifacts');
  return captured;
}

function parseModelJson(json: unknown, path: string): ModelJson {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new DataError(path, 'expected a JSON object with modelTopology and weightsManifest');
  }
  const obj = json as Record<string, unknown>;
  if (typeof obj.modelTopology !== 'object' || obj.modelTopology === null) {
    throw new DataError(path, 'has no modelTopology object (is this a graph model or not a TensorFlow.js model?)');
  }
  if (obj.format !== undefined && obj.format !== 'layers-model') {
    throw new DataError(path, `format is ${JSON.stringify(obj.format)}; expected "layers-model"`);
  }
  const manifest = obj.weightsManifest;
  if (!Array.isArray(manifest)) throw new DataError(path, 'weightsManifest is missing or not an array');
  manifest.forEach((group: unknown, g) => {
    const entry = group as { paths?: unknown; weights?: unknown } | null;
    if (!entry || !Array.isArray(entry.paths) || !entry.paths.every((p) => typeof p === 'string')) {
      throw new DataError(path, `weightsManifest[${g}].paths must be an array of file names`);
    }
    validateWeightSpecs(entry.weights, path, `weightsManifest[${g}].weights`);
  });
  return obj as unknown as ModelJson;
}

/** Reads every weight file in manifest order and checks its length against the specs it holds. */
async function readWeights(
  dir: string,
  modelJson: ModelJson,
): Promise<{ specs: tf.io.WeightsManifestEntry[]; data: Uint8Array }> {
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  for (const group of modelJson.weightsManifest) {
    const files: string[] = [];
    let actual = 0;
    for (const rel of group.paths) {
      const file = weightFilePath(dir, rel);
      const bytes = await readOptionalFile(file);
      if (bytes === null) throw new DataError(file, `is missing; ${MODEL_JSON} lists it in weightsManifest`);
      files.push(file);
      parts.push(bytes);
      actual += bytes.byteLength;
    }
    const expected = groupByteLength(group.weights);
    const where = files.length === 1 ? (files[0] as string) : files.join(' + ');
    if (actual < expected) {
      throw new DataError(
        where,
        `is truncated: ${actual} bytes, but ${MODEL_JSON} lists ${group.weights.length} weights needing ${expected} bytes`,
      );
    }
    if (actual > expected) {
      throw new DataError(
        where,
        `has ${actual - expected} bytes more than the ${expected} that ${MODEL_JSON}'s ${group.weights.length} weights need: it belongs to another model`,
      );
    }
    specs.push(...group.weights);
  }
  return { specs, data: concat(parts) };
}

/** Manifest paths are relative to the folder; one that leaves it is refused rather than read. */
function weightFilePath(dir: string, rel: string): string {
  const clean = normalize(rel);
  if (isAbsolute(rel) || clean === '..' || clean.startsWith(`..${sep}`)) {
    throw new DataError(join(dir, MODEL_JSON), `weightsManifest path ${JSON.stringify(rel)} leaves the model folder`);
  }
  return join(dir, clean);
}

async function readMetadata(
  dir: string,
  options: LoadModelOptions,
  weightsSha256: string | undefined,
): Promise<ModelMetadata | null> {
  const path = join(dir, METADATA_JSON);
  if (options.allowMissingMetadata && (await readOptionalFile(path)) === null) return null;
  const json = await readJsonFile(path, 'saveModel writes it beside model.json (pass allowMissingMetadata for foreign models)');
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new DataError(path, 'expected a JSON object (app, version, createdAt, ...)');
  }
  const meta = json as ModelMetadata;
  if (weightsSha256 !== undefined && meta.weightsSha256 !== undefined && meta.weightsSha256 !== weightsSha256) {
    throw new DataError(path, `belongs to other weights than ${MODEL_JSON} (weightsSha256 differs)`);
  }
  return meta;
}

async function buildModel(
  modelJson: ModelJson,
  specs: tf.io.WeightsManifestEntry[],
  data: Uint8Array,
  dir: string,
): Promise<tf.LayersModel> {
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: modelJson.modelTopology,
    weightSpecs: specs,
    weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy,
    ...(modelJson.trainingConfig ? { trainingConfig: modelJson.trainingConfig } : {}),
    ...(modelJson.userDefinedMetadata ? { userDefinedMetadata: modelJson.userDefinedMetadata } : {}),
  };
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (err) {
    throw await explainLoadFailure(err, modelJson, specs, dir);
  }
}

/**
 * tfjs reports a weight that does not fit the topology as a bare "Shape mismatch"; rebuild the bare
 * topology to say which weight, and what each file claims.
 */
async function explainLoadFailure(
  err: unknown,
  modelJson: ModelJson,
  specs: tf.io.WeightsManifestEntry[],
  dir: string,
): Promise<DataError> {
  const modelPath = join(dir, MODEL_JSON);
  const message = err instanceof Error ? err.message : String(err);
  let bare: tf.LayersModel;
  try {
    bare = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology }));
  } catch (topologyErr) {
    const why = topologyErr instanceof Error ? topologyErr.message : String(topologyErr);
    return new DataError(
      modelPath,
      `modelTopology cannot be built: ${why} (a custom layer must be registered first: import @cnn-lab/core)`,
    );
  }
  try {
    const bySpec = new Map(specs.filter((s) => s.group !== 'optimizer').map((s) => [s.name, s]));
    for (const w of bare.weights) {
      const spec = bySpec.get(w.originalName);
      if (!spec) return new DataError(modelPath, `weightsManifest has no weight ${w.originalName} that the topology needs`);
      if (spec.shape.join(',') !== w.shape.join(',')) {
        return new DataError(
          modelPath,
          `weight ${w.originalName} has shape [${spec.shape.join(',')}] in weightsManifest but [${w.shape.join(',')}] in modelTopology`,
        );
      }
      if (spec.dtype !== w.dtype) {
        return new DataError(
          modelPath,
          `weight ${w.originalName} is ${spec.dtype} in weightsManifest but ${w.dtype} in modelTopology`,
        );
      }
    }
  } finally {
    bare.dispose();
  }
  return new DataError(modelPath, `weights do not fit the model: ${message}`);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

