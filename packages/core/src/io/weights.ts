import { open } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { heapValues } from '../backend/heap.js';
import { DataError } from '../cli/errors.js';

/** A tensor with the name it is stored under (tfjs's own NamedTensor type is not exported). */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}
import { nodeFileOps, writeFileAtomic, type FileOps } from './atomic.js';
import { readOptionalFile } from './read.js';
import { groupByteLength, validateWeightSpecs } from './weight-specs.js';

/**
 * A checkpoint file: named tensors (model weights, optionally optimizer state) and a small JSON note,
 * in ONE file so that a single atomic rename publishes all of it. Layout: the 8 bytes `CNNLABW1`, a
 * little-endian uint32 header length, the UTF-8 JSON header `{ specs, info }` (tfjs weight specs),
 * then the tensors' bytes in spec order exactly as `tf.io.encodeWeights` lays them out.
 */
const MAGIC = 'CNNLABW1';
const MODEL_PREFIX = 'model/';
const OPTIMIZER_PREFIX = 'optimizer/';
/**
 * Optimizer variables that tfjs's getWeights leaves out and its setWeights recomputes: Adam's beta1^t and beta2^t,
 * rebuilt with pow() where a running optimizer multiplies by beta every step. The two differ in the last bits, so
 * a resumed run drifted from an uninterrupted one (1e-7 after a hundred steps); stored as they are, it does not.
 */
const EXACT_PREFIX = 'optimizer-exact/';
const EXACT_FIELDS = ['accBeta1', 'accBeta2'] as const;

function exactOptimizerState(
  optimizer: tf.Optimizer,
): Array<{ field: (typeof EXACT_FIELDS)[number]; variable: tf.Variable }> {
  const fields = optimizer as unknown as Record<string, unknown>;
  return EXACT_FIELDS.flatMap((field) => {
    const v = fields[field];
    return v instanceof tf.Variable ? [{ field, variable: v }] : [];
  });
}

export type CheckpointInfo = Record<string, unknown>;

export interface SaveWeightsOptions {
  /** Also store this optimizer's state (Adam moments, step count) under `optimizer/...`. */
  optimizer?: tf.Optimizer;
  /** Anything worth keeping with the weights: epoch, step, best loss, RNG state. */
  info?: CheckpointInfo;
  /** The file-system steps (tests inject failures here). */
  ops?: FileOps;
}

export interface LoadWeightsOptions {
  /** Restore this optimizer's state too; the file must hold one. */
  optimizer?: tf.Optimizer;
}

/** Writes `tensors` (a name -> tensor list) and `info` to `path` atomically (fsynced, one rename). */
export async function saveTensors(
  path: string,
  tensors: NamedTensor[],
  info: CheckpointInfo = {},
  ops: FileOps = nodeFileOps,
): Promise<void> {
  await writeFileAtomic(path, encodeTensors(tensors, info), ops);
}

/** Where encodeTensors writes: a buffer to reuse, or how much room to leave in a fresh one. */
export interface BufferChoice {
  reuse?: ArrayBuffer;
  room?: number;
}

/** The dtypes a checkpoint stores (encodeWeights' layout is their values' bytes as they are). */
const STORED = ['float32', 'int32', 'bool'] as const;

/**
 * The bytes of a saveTensors file, read from the tensors at once (so the caller may go on changing them while the
 * bytes are written). One buffer, each tensor's values copied straight into place from the backend's memory:
 * tf.io.encodeWeights took 300 ms of a 65 MB checkpoint's 790 ms save (Kim's CNN on MR with Adadelta's
 * accumulators), copying every tensor out first and then into one buffer. `buffer.reuse`: a buffer from an
 * earlier call, written into when large enough (a fresh one costs its page faults); `buffer.room`: bytes to leave
 * free at the end of a fresh one, so that it can be reused for a slightly larger file. The answer is a view of
 * the buffer. The layout of the values is encodeWeights' for these dtypes.
 */
export function encodeTensors(
  tensors: readonly NamedTensor[],
  info: CheckpointInfo = {},
  buffer: BufferChoice = {},
): Uint8Array {
  const specs: tf.io.WeightsManifestEntry[] = tensors.map(({ name, tensor }) => {
    if (!(STORED as readonly string[]).includes(tensor.dtype))
      throw new Error(`saveTensors: ${name} is ${tensor.dtype}; a checkpoint stores float32, int32 or bool`);
    return { name, shape: tensor.shape, dtype: tensor.dtype as (typeof STORED)[number] };
  });
  const header = new TextEncoder().encode(JSON.stringify({ specs, info }));
  const start = MAGIC.length + 4 + header.byteLength;
  const total = start + groupByteLength(specs);
  const { reuse, room = 0 } = buffer;
  const out = new Uint8Array(reuse && reuse.byteLength >= total ? reuse : new ArrayBuffer(total + room), 0, total);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer, out.byteOffset).setUint32(MAGIC.length, header.byteLength, true);
  out.set(header, MAGIC.length + 4);
  let at = start;
  for (const { tensor } of tensors) {
    const values = heapValues(tensor);
    out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), at);
    at += values.byteLength;
  }
  return out;
}

/** Reads a file written by saveTensors; the tensors keep their file order. The caller disposes them. */
export async function loadTensors(path: string): Promise<{ tensors: NamedTensor[]; info: CheckpointInfo }> {
  const bytes = await readOptionalFile(path);
  if (bytes === null) throw new DataError(path, 'is missing (no checkpoint saved here yet?)');
  const magic = new TextDecoder().decode(bytes.subarray(0, MAGIC.length));
  if (magic !== MAGIC || bytes.byteLength < MAGIC.length + 4) {
    throw new DataError(path, `is not a cnn-lab weights file (expected it to start with ${MAGIC})`);
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(MAGIC.length, true);
  const dataStart = MAGIC.length + 4 + headerLength;
  if (dataStart > bytes.byteLength) throw new DataError(path, 'is truncated inside its header');
  let header: { specs?: unknown; info?: unknown };
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, dataStart))) as typeof header;
  } catch {
    throw new DataError(path, 'has a header that is not valid JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new DataError(path, 'has a header that is not a JSON object');
  validateWeightSpecs(header.specs, path, 'header.specs');
  const specs = header.specs;
  const expected = groupByteLength(specs);
  const actual = bytes.byteLength - dataStart;
  if (actual !== expected) {
    throw new DataError(
      path,
      actual < expected
        ? `is truncated: ${actual} bytes of tensor data, but its header lists ${specs.length} tensors needing ${expected}`
        : `has ${actual - expected} bytes after the ${expected} its header accounts for`,
    );
  }
  const data = bytes.slice(dataStart).buffer;
  const byName = tf.io.decodeWeights(data, specs);
  const tensors = specs.map((s) => ({ name: s.name, tensor: byName[s.name] as tf.Tensor }));
  const info = typeof header.info === 'object' && header.info !== null ? (header.info as CheckpointInfo) : {};
  return { tensors, info };
}

/**
 * The `info` note of a file written by saveTensors, read from its header alone (the tensors are not read), so a
 * caller can check what a checkpoint was made from before loading it. A file that is not one is a DataError.
 */
export async function loadTensorsInfo(path: string): Promise<CheckpointInfo> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new DataError(
      path,
      code === 'ENOENT' ? 'is missing (no checkpoint saved here yet?)' : `cannot be read: ${code}`,
    );
  }
  try {
    const head = new Uint8Array(MAGIC.length + 4);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (bytesRead < head.length || new TextDecoder().decode(head.subarray(0, MAGIC.length)) !== MAGIC) {
      throw new DataError(path, `is not a cnn-lab weights file (expected it to start with ${MAGIC})`);
    }
    const headerLength = new DataView(head.buffer).getUint32(MAGIC.length, true);
    const { size } = await handle.stat();
    if (head.length + headerLength > size) throw new DataError(path, 'is truncated inside its header');
    const header = new Uint8Array(headerLength);
    await handle.read(header, 0, headerLength, head.length);
    let parsed: { info?: unknown };
    try {
      parsed = JSON.parse(new TextDecoder().decode(header)) as typeof parsed;
    } catch {
      throw new DataError(path, 'has a header that is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new DataError(path, 'has a header that is not a JSON object');
    return typeof parsed.info === 'object' && parsed.info !== null ? (parsed.info as CheckpointInfo) : {};
  } finally {
    await handle.close();
  }
}

/** Saves the model's weights (and optionally its optimizer's state) to one checkpoint file, atomically. */
export async function saveWeights(
  model: tf.LayersModel,
  path: string,
  options: SaveWeightsOptions = {},
): Promise<void> {
  await writeFileAtomic(path, await weightsFileBytes(model, options), options.ops);
}

/**
 * The bytes saveWeights writes, read from the model (and optimizer) now: write them later with writeFileAtomic
 * (fit queues them on a WriteQueue while training goes on).
 */
export async function weightsFileBytes(
  model: tf.LayersModel,
  options: Omit<SaveWeightsOptions, 'ops'> & { buffer?: BufferChoice } = {},
): Promise<Uint8Array> {
  const named: NamedTensor[] = model.weights.map((w) => ({ name: MODEL_PREFIX + w.originalName, tensor: w.read() }));
  const optimizerWeights = options.optimizer ? await options.optimizer.getWeights() : [];
  for (const w of optimizerWeights) named.push({ name: OPTIMIZER_PREFIX + w.name, tensor: w.tensor });
  if (options.optimizer) {
    for (const { field, variable } of exactOptimizerState(options.optimizer))
      named.push({ name: EXACT_PREFIX + field, tensor: variable });
  }
  try {
    return encodeTensors(named, options.info ?? {}, options.buffer);
  } finally {
    // getWeights builds a fresh step-count scalar; the moments are the optimizer's own variables.
    for (const w of optimizerWeights) if (!(w.tensor instanceof tf.Variable)) w.tensor.dispose();
  }
}

/**
 * Writes `values` into the model's weights as they are. tfjs's `model.setWeights` passes every value through the
 * layer's constraint (a max-norm kernel is rescaled by norm / (norm + 1e-7) each time), so a restore moved the
 * weights by ~1e-7 and a resumed run drifted from one never stopped. Shapes and dtypes must match (the callers check).
 */
export function assignWeights(model: tf.LayersModel, values: readonly tf.Tensor[]): void {
  if (values.length !== model.weights.length) {
    throw new Error(`assignWeights: ${values.length} values for ${model.weights.length} weights`);
  }
  tf.tidy(() => {
    model.weights.forEach((w, i) => (w.read() as tf.Variable).assign(values[i] as tf.Tensor));
  });
}

/**
 * Restores weights saved by saveWeights into a model of the same architecture (matched by position);
 * a different weight count or shape is a DataError naming the file and the weight. Returns the saved `info`.
 */
export async function loadWeights(
  model: tf.LayersModel,
  path: string,
  options: LoadWeightsOptions = {},
): Promise<CheckpointInfo> {
  const { tensors, info } = await loadTensors(path);
  try {
    // By position, not name: tfjs numbers layer names per process (dense_Dense3), so a rebuilt model's
    // names differ from the saved ones while its weight order is the same.
    const saved = tensors.filter((t) => t.name.startsWith(MODEL_PREFIX));
    if (saved.length !== model.weights.length) {
      throw new DataError(
        path,
        `holds ${saved.length} model weights but the model has ${model.weights.length} (saved from a different architecture?)`,
      );
    }
    const values = model.weights.map((w, i) => {
      const t = (saved[i] as NamedTensor).tensor;
      if (t.shape.join(',') !== w.shape.join(',') || t.dtype !== w.dtype) {
        const savedName = (saved[i] as NamedTensor).name.slice(MODEL_PREFIX.length);
        throw new DataError(
          path,
          `weight ${i} (${savedName}) is ${t.dtype}[${t.shape.join(',')}] in the file but ${w.originalName} is ${w.dtype}[${w.shape.join(',')}] in the model`,
        );
      }
      return t;
    });
    if (options.optimizer) {
      const state = tensors
        .filter((t) => t.name.startsWith(OPTIMIZER_PREFIX))
        .map((t) => ({ name: t.name.slice(OPTIMIZER_PREFIX.length), tensor: t.tensor }));
      if (state.length === 0) throw new DataError(path, 'holds no optimizer state to resume from');
      await options.optimizer.setWeights(state);
      // Checkpoints written before these were kept resume with tfjs's recomputed values.
      const exact = new Map(
        tensors
          .filter((t) => t.name.startsWith(EXACT_PREFIX))
          .map((t) => [t.name.slice(EXACT_PREFIX.length), t.tensor]),
      );
      for (const { field, variable } of exactOptimizerState(options.optimizer)) {
        const value = exact.get(field);
        if (value && value.shape.join(',') === variable.shape.join(',') && value.dtype === variable.dtype)
          variable.assign(value);
      }
    }
    assignWeights(model, values);
  } finally {
    // assign and the optimizer copy what they keep, so the decoded tensors can all go.
    for (const t of tensors) t.tensor.dispose();
  }
  return info;
}
