// Turns the weights gpu/train.py wrote (weights.json + weights.f32) into the app's model folder: the
// network is built by the app's own buildPolicyNet, given those weights and saved by core's saveModel,
// so `eval`, `predict`, `gtp`, `match`, `bench` and `start` load it like a model `train` wrote.
// Weights are stored as float32, as saveModel writes them.
//
//   tsx gpu/export.ts --from runs/gpu --model-dir models/large [--results runs/gpu/results.json]
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { DataError, initBackend, loadModel, saveModel } from '@cnn-lab/core';
import { buildPolicyNet } from '../src/model/policy.js';

const APP = 'go-policy';

interface TorchWeights {
  format: 'go-policy-torch-weights-v1';
  weights: { name: string; shape: number[]; offset: number; bytes: number }[];
  featureSet: string;
  planes: number;
  filters: number;
  layers: number;
  splitSeed: number;
  training?: Record<string, unknown>;
}

export interface ExportOptions {
  /** Folder holding weights.json and weights.f32 from gpu/train.py. */
  from: string;
  /** The model folder to write (model.json, weights.bin, metadata.json). */
  modelDir: string;
  /** More metadata fields (e.g. the test score train.py measured). */
  extra?: Record<string, unknown>;
}

export interface ExportResult {
  modelDir: string;
  parameters: number;
  weightBytes: number;
}

/** Reads train.py's weights, checks them against the topology buildPolicyNet builds, and saves the model folder. */
export async function exportModel(opts: ExportOptions): Promise<ExportResult> {
  const from = resolve(opts.from);
  const specPath = join(from, 'weights.json');
  const binPath = join(from, 'weights.f32');
  const spec = parseSpec(await readJson(specPath), specPath);
  const bin = await readFile(binPath).catch(() => {
    throw new DataError(binPath, 'is missing (gpu/train.py writes it beside weights.json)');
  });
  const expected = spec.weights.reduce((n, w) => Math.max(n, w.offset + w.bytes), 0);
  if (bin.byteLength !== expected) {
    throw new DataError(binPath, `has ${bin.byteLength} bytes; weights.json describes ${expected}`);
  }
  const model = buildPolicyNet({ planes: spec.planes, filters: spec.filters, layers: spec.layers });
  const byName = new Map(spec.weights.map((w) => [w.name, w]));
  if (byName.size !== model.weights.length || spec.weights.length !== model.weights.length) {
    throw new DataError(
      specPath,
      `lists ${spec.weights.length} weights; a ${spec.filters}x${spec.layers} net has ${model.weights.length}`,
    );
  }
  const values = model.weights.map((v) => {
    const w = byName.get(v.originalName);
    if (!w) throw new DataError(specPath, `has no weight ${v.originalName}, which the network needs`);
    if (w.shape.join(',') !== v.shape.join(',')) {
      throw new DataError(
        specPath,
        `weight ${w.name} has shape [${w.shape.join(',')}]; the network's is [${v.shape.join(',')}]`,
      );
    }
    const count = w.shape.reduce((n, d) => n * d, 1);
    if (w.bytes !== count * 4)
      throw new DataError(
        specPath,
        `weight ${w.name} takes ${w.bytes} bytes; float32 [${w.shape.join(',')}] takes ${count * 4}`,
      );
    const data = new Float32Array(count);
    new Uint8Array(data.buffer).set(bin.subarray(w.offset, w.offset + w.bytes));
    for (const x of data) if (!Number.isFinite(x)) throw new DataError(binPath, `weight ${w.name} holds ${x}`);
    return tf.tensor(data, w.shape);
  });
  model.setWeights(values);
  tf.dispose(values);

  const modelDir = resolve(opts.modelDir);
  const version = (
    JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  ).version;
  const saved = await saveModel(model, modelDir, {
    app: APP,
    version,
    featureSet: spec.featureSet,
    planes: spec.planes,
    filters: spec.filters,
    layers: spec.layers,
    splitSeed: spec.splitSeed,
    ...(spec.training ? { training: spec.training } : {}),
    ...opts.extra,
  });
  const parameters = model.countParams();
  model.dispose();
  // Load it back the way the app does, so a folder that would not load is never left behind unnoticed.
  const check = await loadModel(modelDir);
  check.model.dispose();
  return { modelDir, parameters, weightBytes: saved.weightBytes };
}

function parseSpec(json: unknown, path: string): TorchWeights {
  const s = json as Partial<TorchWeights> | null;
  if (!s || s.format !== 'go-policy-torch-weights-v1')
    throw new DataError(path, 'is not weights.json from gpu/train.py (format go-policy-torch-weights-v1)');
  for (const k of ['planes', 'filters', 'layers', 'splitSeed'] as const) {
    if (!Number.isInteger(s[k])) throw new DataError(path, `${k} must be an integer, got ${JSON.stringify(s[k])}`);
  }
  if (typeof s.featureSet !== 'string') throw new DataError(path, 'has no featureSet');
  if (!Array.isArray(s.weights)) throw new DataError(path, 'has no weights list');
  return s as TorchWeights;
}

async function readJson(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new DataError(path, 'is missing');
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new DataError(path, `is not JSON: ${(err as Error).message}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      from: { type: 'string' },
      'model-dir': { type: 'string' },
      results: { type: 'string' },
    },
  });
  if (!values.from)
    throw new Error('--from is required (the folder gpu/train.py wrote weights.json and weights.f32 into)');
  if (!values['model-dir']) throw new Error('--model-dir is required (the model folder to write)');
  await initBackend({ quiet: true });
  let extra: Record<string, unknown> = {};
  if (values.results) {
    // train.py's own scores, kept with the model so the folder says what it measured.
    const r = (await readJson(resolve(values.results))) as { test?: object; validation?: object };
    extra = { gpuScores: { test: r.test ?? null, validation: r.validation ?? null } };
  }
  const r = await exportModel({ from: values.from, modelDir: values['model-dir'], extra });
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
