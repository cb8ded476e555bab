import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, isAbsolute, join, normalize, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { DataError } from '../cli/errors.js';
import { nodeFileOps, removeStaleTempFiles, tempPathFor, type FileOps } from './atomic.js';
import { readJsonFile, readOptionalFile } from './read.js';
import { groupByteLength, validateWeightSpecs } from './weight-specs.js';

/** File names of a saved model folder. */
export const MODEL_JSON = 'model.json';
/** The weights file of folders saved before weights got content-addressed names (the shipped ones); still read. */
export const WEIGHTS_BIN = 'weights.bin';
/** A readable copy of the metadata, for people; loaders read the copy inside model.json when there is one. */
export const METADATA_JSON = 'metadata.json';

/** What a model's metadata holds: who made the model, when, and whatever the app needs to use it again. */
export interface ModelMetadata {
  app: string | null;
  version: string | null;
  createdAt: string;
  /** sha256 of the weights, so metadata that belongs to other weights is caught. */
  weightsSha256: string;
  [field: string]: unknown;
}

/** Fields an app passes to saveModel: app, version, and any of its own (vocabulary, feature spec, metrics). */
export type MetadataFields = { app?: string; version?: string } & Record<string, unknown>;

export interface SaveModelOptions {
  /** Also store the optimizer state (Adam moments, step count) so training can resume exactly. */
  includeOptimizer?: boolean;
  /**
   * Files that belong to this model and must change with it (a vocabulary, say), by logical name
   * (`vocab.json`). Each is stored under a content-addressed name (`vocab-<hash>.json`) listed in model.json,
   * so it is committed by the same rename as the weights; read them back through `LoadedModel.files`.
   */
  files?: Record<string, string | Uint8Array>;
  /** The file-system steps (tests inject failures here). */
  ops?: FileOps;
}

export interface SavedModelInfo {
  dir: string;
  /** The files this save wrote, model.json included (names inside `dir`). */
  files: string[];
  weightBytes: number;
  metadata: ModelMetadata;
}

export interface LoadModelOptions {
  /** Accept a folder without metadata (for example one written by tfjs-node or the Python converter). */
  allowMissingMetadata?: boolean;
}

export interface LoadedModel {
  model: tf.LayersModel;
  metadata: ModelMetadata | null;
  /** Where the metadata was read from: model.json (folders saved now) or metadata.json (older folders). */
  metadataPath: string;
  /** The model's attached files (SaveModelOptions.files) by logical name -> absolute path, checked against their hashes. */
  files: Record<string, string>;
}

interface AttachedFile {
  /** The stored name inside the folder (content-addressed). */
  path: string;
  sha256: string;
}

/**
 * The model.json tfjs-node writes, plus one extra top-level key (readers ignore unknown keys) holding what
 * makes model.json the folder's one commit point: the weights' hash, the metadata, and the attached files.
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
  cnnLab?: { weightsSha256?: string; metadata?: ModelMetadata; files?: Record<string, AttachedFile> };
}

/** `weights-<16 hex>.bin`, `vocab-<16 hex>.json`: a stored name that changes whenever the content does. */
function contentName(logical: string, sha: string): string {
  const ext = extname(logical);
  return `${basename(logical, ext)}-${sha.slice(0, 16)}${ext}`;
}
const HASHED_WEIGHTS = /^weights-[0-9a-f]{16}\.bin$/;

/**
 * Saves `model` to `dir` in the TensorFlow.js layers format, loadable by tfjs-node's `file://` handler,
 * `tf.loadLayersModel` and the Python tensorflowjs converter, with ONE commit point: the rename of model.json.
 *
 * 1. The weights (and attached files) go to content-addressed names (`weights-<hash>.bin`), each written to a
 *    temporary file, fsynced and renamed in; the model.json in the folder still names the old ones, untouched.
 * 2. The folder is fsynced, then model.json, holding the metadata and the hashes, is written the same way:
 *    its rename switches the folder from the old model to the new one in one step.
 * 3. Then a readable metadata.json copy is written and the old model's files are removed.
 *
 * A save killed at any instant leaves a folder that loads as the old model or the new one.
 */
export async function saveModel(
  model: tf.LayersModel,
  dir: string,
  metadata: MetadataFields = {},
  options: SaveModelOptions = {},
): Promise<SavedModelInfo> {
  return writeModel(await modelSnapshot(model, metadata, options), dir, options.ops);
}

/** A model as saveModel writes it, taken at one instant: its files' bytes and model.json. */
export interface ModelSnapshot {
  /** Content-addressed file name -> bytes (the weights and attached files). */
  toWrite: Array<[string, Uint8Array]>;
  attached: string[];
  modelJson: string;
  /** metadata.json's text, fixed now as model.json's is (the fields may hold objects the caller goes on changing). */
  metadataJson: string;
  metadata: ModelMetadata;
  weightBytes: number;
}

/**
 * Everything saveModel writes, read from the model now: write it later with writeModel (a training run queues
 * its per-epoch saves on fit's WriteQueue and goes on).
 */
export async function modelSnapshot(
  model: tf.LayersModel,
  metadata: MetadataFields = {},
  options: Omit<SaveModelOptions, 'ops'> = {},
): Promise<ModelSnapshot> {
  const artifacts = await modelArtifacts(model, options.includeOptimizer ?? false);
  if (!artifacts.modelTopology || artifacts.modelTopology instanceof ArrayBuffer || !artifacts.weightSpecs) {
    throw new Error('saveModel: the model did not serialise to a JSON topology with weights');
  }
  const weights = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
  const weightsSha256 = sha256(weights);
  const weightsName = contentName(WEIGHTS_BIN, weightsSha256);
  const { app, version, ...fields } = metadata;
  const meta: ModelMetadata = {
    ...fields,
    app: app ?? null,
    version: version ?? null,
    createdAt: new Date().toISOString(),
    weightsSha256,
  };
  const attached: Record<string, AttachedFile> = {};
  const toWrite: Array<[string, Uint8Array]> = [[weightsName, weights]];
  for (const [logical, content] of Object.entries(options.files ?? {})) {
    if (
      logical !== basename(logical) ||
      logical === MODEL_JSON ||
      logical === METADATA_JSON ||
      logical.startsWith('.')
    ) {
      throw new Error(
        `saveModel: attached file name ${JSON.stringify(logical)} must be a plain file name other than ${MODEL_JSON} and ${METADATA_JSON}`,
      );
    }
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    const sha = sha256(bytes);
    attached[logical] = { path: contentName(logical, sha), sha256: sha };
    toWrite.push([attached[logical].path, bytes]);
  }
  const modelJson: ModelJson = {
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [weightsName], weights: artifacts.weightSpecs }],
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
    ...(artifacts.signature ? { signature: artifacts.signature } : {}),
    ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
    cnnLab: { weightsSha256, metadata: meta, ...(Object.keys(attached).length > 0 ? { files: attached } : {}) },
  };
  return {
    toWrite,
    attached: Object.keys(attached),
    modelJson: JSON.stringify(modelJson),
    metadataJson: `${JSON.stringify(meta, null, 2)}\n`,
    metadata: meta,
    weightBytes: weights.byteLength,
  };
}

/** Writes a snapshot to `dir` as saveModel does: one commit point, the rename of model.json. */
export async function writeModel(
  snapshot: ModelSnapshot,
  dir: string,
  ops: FileOps = nodeFileOps,
): Promise<SavedModelInfo> {
  const { toWrite, metadata: meta } = snapshot;
  await ops.mkdir(dir);
  await removeStaleTempFiles(dir, ops);
  const before = await referencedFiles(dir);
  // 1. The new model's files, under names the old model.json does not use (or, for the same content, the same bytes).
  for (const [name, bytes] of toWrite) await renameIn(ops, join(dir, name), bytes);
  await ops.syncDir(dir);
  // 2. The commit point.
  await renameIn(ops, join(dir, MODEL_JSON), snapshot.modelJson);
  await ops.syncDir(dir);
  // 3. Afterwards: the readable copy, and the old model's files.
  await renameIn(ops, join(dir, METADATA_JSON), snapshot.metadataJson);
  const keep = new Set(toWrite.map(([name]) => name));
  const stale = new Set([...before, WEIGHTS_BIN, ...snapshot.attached]);
  for (const name of await readdir(dir).catch(() => [] as string[])) if (HASHED_WEIGHTS.test(name)) stale.add(name);
  for (const name of stale) if (!keep.has(name)) await ops.remove(join(dir, name));
  await ops.syncDir(dir);
  return { dir, files: [...keep, MODEL_JSON, METADATA_JSON], weightBytes: snapshot.weightBytes, metadata: meta };
}

/** Writes `data` to a temporary file beside `path`, fsyncs it and renames it over `path`. */
async function renameIn(ops: FileOps, path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPathFor(path);
  try {
    await ops.writeFile(tmp, data);
    await ops.rename(tmp, path);
  } catch (err) {
    await ops.remove(tmp).catch(() => undefined);
    throw err;
  }
}

/**
 * Removes the single model saved in `dir` (model.json first, so the folder never looks like a whole model with
 * files missing, then its weights, attached files and metadata.json); other files stay.
 */
export async function removeModel(dir: string, ops: FileOps = nodeFileOps): Promise<void> {
  const files = await referencedFiles(dir);
  await ops.remove(join(dir, MODEL_JSON));
  await ops.syncDir(dir);
  for (const name of [...files, METADATA_JSON]) await ops.remove(join(dir, name));
}

/**
 * The files that make up the model saved in `dir` (names inside it): what model.json references (weights and
 * attached files), metadata.json where present, and model.json last. Copy them in this order to copy a model.
 */
export async function modelFiles(dir: string): Promise<string[]> {
  const referenced = await referencedFiles(dir);
  const meta = (await readOptionalFile(join(dir, METADATA_JSON))) === null ? [] : [METADATA_JSON];
  return [...referenced, ...meta, MODEL_JSON];
}

/** The files the folder's current model.json names (weights and attached files); none when it has no readable one. */
async function referencedFiles(dir: string): Promise<string[]> {
  const bytes = await readFile(join(dir, MODEL_JSON)).catch(() => null);
  if (bytes === null) return [];
  try {
    const json = JSON.parse(bytes.toString('utf8')) as Partial<ModelJson>;
    const paths = (json.weightsManifest ?? []).flatMap((g) => g.paths ?? []);
    const files = Object.values(json.cnnLab?.files ?? {}).map((f) => f.path);
    // Only plain names inside the folder: a hand-edited model.json must not make a save delete elsewhere.
    return [...paths, ...files].filter(
      (p) => typeof p === 'string' && p === basename(p) && p !== MODEL_JSON && !p.startsWith('.'),
    );
  } catch {
    return [];
  }
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
    await readJsonFile(
      modelPath,
      'a saved model folder has model.json, written last; without it the save did not finish',
    ),
    modelPath,
  );
  const { specs, data, files: weightFiles } = await readWeights(dir, modelJson);
  const weightsSha256 = modelJson.cnnLab?.weightsSha256;
  if (weightsSha256 !== undefined && sha256(data) !== weightsSha256) {
    throw new DataError(
      weightFiles.length > 0 ? weightFiles.join(' + ') : modelPath,
      `does not match ${MODEL_JSON} (sha256 differs): the weights were overwritten by a save that did not finish`,
    );
  }
  const files = await checkAttachedFiles(dir, modelJson);
  const embedded = modelJson.cnnLab?.metadata;
  const metadata = embedded ?? (await readMetadata(dir, options, weightsSha256));
  const metadataPath = embedded ? modelPath : join(dir, METADATA_JSON);
  const model = await buildModel(modelJson, specs, data, dir);
  return { model, metadata, metadataPath, files };
}

async function checkAttachedFiles(dir: string, modelJson: ModelJson): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const [logical, entry] of Object.entries(modelJson.cnnLab?.files ?? {})) {
    const path = weightFilePath(dir, entry.path, 'cnnLab.files');
    const bytes = await readOptionalFile(path);
    if (bytes === null) throw new DataError(path, `is missing; ${MODEL_JSON} lists it as the model's ${logical}`);
    if (sha256(bytes) !== entry.sha256)
      throw new DataError(path, `does not match ${MODEL_JSON} (sha256 differs): it is not this model's ${logical}`);
    files[logical] = path;
  }
  return files;
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
  validateCnnLab(obj.cnnLab, path);
  return obj as unknown as ModelJson;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The cnnLab key, when present: a hash string, a metadata object, and attached files with a name and hash each. */
function validateCnnLab(value: unknown, path: string): void {
  if (value === undefined) return;
  if (!isObject(value)) throw new DataError(path, 'cnnLab must be an object');
  if (value.weightsSha256 !== undefined && typeof value.weightsSha256 !== 'string')
    throw new DataError(path, 'cnnLab.weightsSha256 must be a string');
  if (value.metadata !== undefined && !isObject(value.metadata))
    throw new DataError(path, 'cnnLab.metadata must be an object');
  if (value.files === undefined) return;
  if (!isObject(value.files))
    throw new DataError(path, 'cnnLab.files must be an object of file name -> { path, sha256 }');
  for (const [name, entry] of Object.entries(value.files)) {
    if (!isObject(entry) || typeof entry.path !== 'string' || typeof entry.sha256 !== 'string') {
      throw new DataError(path, `cnnLab.files[${JSON.stringify(name)}] must be { path, sha256 } strings`);
    }
  }
}

/** Reads every weight file in manifest order and checks its length against the specs it holds. */
async function readWeights(
  dir: string,
  modelJson: ModelJson,
): Promise<{ specs: tf.io.WeightsManifestEntry[]; data: Uint8Array; files: string[] }> {
  const specs: tf.io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  const all: string[] = [];
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
    if (files.length === 0 && expected > 0) {
      throw new DataError(
        join(dir, MODEL_JSON),
        `weightsManifest lists ${group.weights.length} weights needing ${expected} bytes but no file to read them from`,
      );
    }
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
    all.push(...files);
  }
  return { specs, data: concat(parts), files: all };
}

/** Manifest paths are relative to the folder; one that leaves it is refused rather than read. */
function weightFilePath(dir: string, rel: string, where = 'weightsManifest'): string {
  const clean = normalize(rel);
  if (isAbsolute(rel) || clean === '..' || clean.startsWith(`..${sep}`)) {
    throw new DataError(join(dir, MODEL_JSON), `${where} path ${JSON.stringify(rel)} leaves the model folder`);
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
  const json = await readJsonFile(
    path,
    'saveModel writes it beside model.json (pass allowMissingMetadata for foreign models)',
  );
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
      `modelTopology cannot be built: ${why} (a custom layer must be registered first: import the module that defines it)`,
    );
  }
  try {
    const bySpec = new Map(specs.filter((s) => s.group !== 'optimizer').map((s) => [s.name, s]));
    for (const w of bare.weights) {
      const spec = bySpec.get(w.originalName);
      if (!spec)
        return new DataError(modelPath, `weightsManifest has no weight ${w.originalName} that the topology needs`);
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
