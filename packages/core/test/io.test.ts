import { createRequire } from 'node:module';
import { copyFile, mkdtemp, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../src/cli/errors.js';
import { shift } from './fixtures/shift-layer.js';
import {
  encodeTensors,
  loadModel,
  loadTensors,
  loadWeights,
  modelSnapshot,
  saveModel,
  saveTensors,
  saveWeights,
  writeModel,
} from '../src/io/index.js';

let root: string;

/**
 * tfjs-node's own file:// IOHandler. Its JS loads without the native binding, so it is usable wherever
 * the optional package is installed at all; on a fresh machine without it those checks are skipped and
 * the handler re-implemented below (nodeFileHandler) still checks the format.
 */
type FileSystemModule = { fileSystem: (path: string) => tf.io.IOHandler };
const tfjsNodeFileSystem: FileSystemModule | null = (() => {
  try {
    return createRequire(import.meta.url)('@tensorflow/tfjs-node/dist/io/file_system.js') as FileSystemModule;
  } catch {
    return null;
  }
})();

beforeAll(async () => {
  // Forward passes only: the cpu backend is fine here and needs no wasm binary.
  await tf.setBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'cnn-lab-io-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A tiny conv net with every kind of weight the apps use (conv kernel+bias, dense), seeded. */
function tinyNet(seed: number): tf.LayersModel {
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      inputShape: [6, 6, 2],
      filters: 3,
      kernelSize: 3,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
      biasInitializer: tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: seed + 1 }),
    }),
  );
  model.add(tf.layers.flatten());
  model.add(
    tf.layers.dense({
      units: 4,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 2 }),
    }),
  );
  return model;
}

function input(): tf.Tensor {
  return tf.randomUniform([5, 6, 6, 2], 0, 1, 'float32', 7);
}

async function predictions(model: tf.LayersModel): Promise<Float32Array> {
  const x = input();
  const y = model.predict(x) as tf.Tensor;
  const out = (await y.data()) as Float32Array;
  x.dispose();
  y.dispose();
  return out;
}

/** The content-addressed weights file saveModel wrote. */
async function weightsFile(dir: string): Promise<string> {
  const names = (await readdir(dir)).filter((n) => /^weights-[0-9a-f]{16}\.bin$/.test(n));
  expect(names).toHaveLength(1);
  return names[0] as string;
}

/** Makes a folder look like one saved before model.json carried the metadata. */
async function stripEmbeddedMetadata(dir: string): Promise<void> {
  const path = join(dir, 'model.json');
  const json = JSON.parse(await readFile(path, 'utf8')) as { cnnLab: Record<string, unknown> };
  delete json.cnnLab.metadata;
  await writeFile(path, JSON.stringify(json));
}

async function newDir(name: string): Promise<string> {
  return mkdtemp(join(root, `${name}-`));
}

/** Loads the folder exactly as tfjs-node's file:// handler does (NodeFileSystem.loadJSONModel). */
function nodeFileHandler(modelJsonPath: string): tf.io.IOHandler {
  return {
    load: async () => {
      const modelJSON = JSON.parse(await readFile(modelJsonPath, 'utf8')) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJSON, async (manifest) => {
        const buffers: Buffer[] = [];
        const specs: tf.io.WeightsManifestEntry[] = [];
        for (const group of manifest) {
          for (const p of group.paths) buffers.push(await readFile(join(dirname(modelJsonPath), p)));
          specs.push(...group.weights);
        }
        const all = Buffer.concat(buffers);
        return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)];
      });
    },
  };
}

describe('saveModel / loadModel', () => {
  it('round-trips a model: same predictions and the metadata the app gave', async () => {
    const dir = await newDir('roundtrip');
    const model = tinyNet(1);
    const info = await saveModel(model, dir, {
      app: 'speech-cnn',
      version: '1.2.0',
      labels: ['yes', 'no'],
      metrics: { accuracy: 0.9 },
    });
    const weights = await weightsFile(dir);
    expect(weights).toMatch(/^weights-[0-9a-f]{16}\.bin$/);
    expect(info.files.sort()).toEqual(['metadata.json', 'model.json', weights]);
    expect((await readdir(dir)).sort()).toEqual(['metadata.json', 'model.json', weights]);

    const { model: loaded, metadata } = await loadModel(dir);
    expect(Array.from(await predictions(loaded))).toEqual(Array.from(await predictions(model)));
    expect(metadata).toMatchObject({
      app: 'speech-cnn',
      version: '1.2.0',
      labels: ['yes', 'no'],
      metrics: { accuracy: 0.9 },
    });
    expect(Date.parse(metadata?.createdAt ?? '')).not.toBeNaN();
  });

  it('writes the standard layers format that a tfjs-node style file handler loads', async () => {
    const dir = await newDir('format');
    const model = tinyNet(2);
    await saveModel(model, dir, { app: 'test' });

    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest).toHaveLength(1);
    const group = json.weightsManifest[0] as tf.io.WeightsManifestConfig[number];
    const weights = await weightsFile(dir);
    expect(group.paths).toEqual([weights]);
    // Manifest order is the model's weight order, and the file is exactly those weights back to back.
    expect(group.weights.map((w) => w.name)).toEqual(model.weights.map((w) => w.originalName));
    expect(group.weights.map((w) => w.shape)).toEqual(model.weights.map((w) => w.shape));
    const expectedBytes = group.weights.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
    expect((await stat(join(dir, weights))).size).toBe(expectedBytes);
    const firstKernel = (await model.weights[0]?.read().data()) as Float32Array;
    const fileStart = new Float32Array((await readFile(join(dir, weights))).buffer.slice(0, firstKernel.byteLength));
    expect(Array.from(fileStart)).toEqual(Array.from(firstKernel));

    const viaNode = await tf.loadLayersModel(nodeFileHandler(join(dir, 'model.json')));
    expect(Array.from(await predictions(viaNode))).toEqual(Array.from(await predictions(model)));
  });

  it.skipIf(tfjsNodeFileSystem === null)(
    "loads with tfjs-node's own file:// handler, and loads what that handler saves",
    async () => {
      const fileSystem = (tfjsNodeFileSystem as FileSystemModule).fileSystem;
      const dir = await newDir('tfjs-node');
      const model = tinyNet(20);
      await saveModel(model, dir, { app: 'test' });
      const viaNode = await tf.loadLayersModel(fileSystem(join(dir, 'model.json')));
      expect(Array.from(await predictions(viaNode))).toEqual(Array.from(await predictions(model)));

      const nodeDir = await newDir('saved-by-tfjs-node');
      await model.save(fileSystem(nodeDir));
      expect((await readdir(nodeDir)).sort()).toEqual(['model.json', 'weights.bin']);
      const ours = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as Record<string, unknown>;
      const theirs = JSON.parse(await readFile(join(nodeDir, 'model.json'), 'utf8')) as Record<string, unknown>;
      // The same manifest but for the weights file's name, which ours takes from the content.
      const [ourGroup] = ours.weightsManifest as tf.io.WeightsManifestConfig;
      const [theirGroup] = theirs.weightsManifest as tf.io.WeightsManifestConfig;
      expect(ourGroup?.weights).toEqual(theirGroup?.weights);
      expect(Object.keys(ours).filter((k) => k !== 'cnnLab')).toEqual(Object.keys(theirs));
      expect(await readFile(join(dir, await weightsFile(dir)))).toEqual(await readFile(join(nodeDir, 'weights.bin')));
      const { model: loaded, metadata } = await loadModel(nodeDir, { allowMissingMetadata: true });
      expect(metadata).toBeNull();
      expect(Array.from(await predictions(loaded))).toEqual(Array.from(await predictions(model)));
    },
  );

  it('round-trips a registered custom layer', async () => {
    const dir = await newDir('custom');
    const model = tf.sequential({
      layers: [tf.layers.flatten({ inputShape: [3, 3, 1] }), shift(), tf.layers.softmax()],
    });
    const bias = model.layers[1]?.weights[0];
    bias?.write(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7, 8]));
    await saveModel(model, dir);
    const { model: loaded } = await loadModel(dir);
    expect(loaded.layers[1]?.getClassName()).toBe('CnnLabTestShift');
    const x = tf.zeros([1, 3, 3, 1]);
    const got = await (loaded.predict(x) as tf.Tensor).data();
    const want = await (model.predict(x) as tf.Tensor).data();
    expect(Array.from(got)).toEqual(Array.from(want));
    expect(got[8]).toBeGreaterThan(got[0] as number);
  });

  it('saves the optimizer state when asked, so a compiled model comes back compiled', async () => {
    const dir = await newDir('optimizer');
    const model = tinyNet(3);
    model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    await saveModel(model, dir, {}, { includeOptimizer: true });
    const { model: loaded } = await loadModel(dir);
    expect(loaded.optimizer).toBeDefined();
    expect(Array.from(await predictions(loaded))).toEqual(Array.from(await predictions(model)));
  });

  it('names model.json when the save never finished', async () => {
    const dir = await newDir('unfinished');
    await saveModel(tinyNet(4), dir);
    await rm(join(dir, 'model.json'));
    await expect(loadModel(dir)).rejects.toThrow(`${join(dir, 'model.json')}: is missing`);
  });

  it('names weights.bin and both lengths when the weights are truncated', async () => {
    const dir = await newDir('truncated');
    const { weightBytes } = await saveModel(tinyNet(5), dir);
    const weights = join(dir, await weightsFile(dir));
    await truncate(weights, weightBytes - 8);
    const err = await loadModel(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as DataError).file).toBe(weights);
    expect((err as Error).message).toContain(`truncated: ${weightBytes - 8} bytes`);
    expect((err as Error).message).toContain(`needing ${weightBytes} bytes`);
  });

  it('names a missing weights file', async () => {
    const dir = await newDir('noweights');
    await saveModel(tinyNet(6), dir);
    const weights = join(dir, await weightsFile(dir));
    await rm(weights);
    await expect(loadModel(dir)).rejects.toThrow(`${weights}: is missing`);
  });

  it('catches weights overwritten by an unfinished save of another model of the same shape', async () => {
    const a = await newDir('a');
    const b = await newDir('b');
    await saveModel(tinyNet(7), a);
    await saveModel(tinyNet(8), b);
    const target = join(a, await weightsFile(a));
    await copyFile(join(b, await weightsFile(b)), target);
    await expect(loadModel(a)).rejects.toThrow(`${target}: does not match model.json`);
  });

  it('names the weight whose shape disagrees with the topology', async () => {
    const dir = await newDir('shape');
    await saveModel(tinyNet(9), dir);
    const path = join(dir, 'model.json');
    const json = JSON.parse(await readFile(path, 'utf8')) as tf.io.ModelJSON;
    const spec = json.weightsManifest[0]?.weights[2] as tf.io.WeightsManifestEntry; // dense kernel [108, 4]
    expect(spec.shape).toEqual([108, 4]);
    spec.shape = [4, 108];
    await writeFile(path, JSON.stringify(json));
    const err = await loadModel(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(
      /model\.json: weight .*kernel has shape \[4,108\] in weightsManifest but \[108,4\] in modelTopology/,
    );
  });

  it('refuses a manifest path that leaves the folder, and bad JSON, naming model.json', async () => {
    const dir = await newDir('badjson');
    await saveModel(tinyNet(10), dir);
    const path = join(dir, 'model.json');
    const json = JSON.parse(await readFile(path, 'utf8')) as tf.io.ModelJSON;
    (json.weightsManifest[0] as tf.io.WeightsManifestConfig[number]).paths = ['../elsewhere.bin'];
    await writeFile(path, JSON.stringify(json));
    await expect(loadModel(dir)).rejects.toThrow(
      `${path}: weightsManifest path "../elsewhere.bin" leaves the model folder`,
    );
    await writeFile(path, '{"modelTopology": ');
    await expect(loadModel(dir)).rejects.toThrow(`${path}: is not valid JSON`);
  });

  it('needs metadata.json in a folder whose model.json holds none, unless told a foreign folder lacks it', async () => {
    const dir = await newDir('nometa');
    await saveModel(tinyNet(11), dir);
    await rm(join(dir, 'metadata.json'));
    // model.json holds the metadata: the readable copy is not needed.
    expect((await loadModel(dir)).metadata.app).toBeNull();
    await stripEmbeddedMetadata(dir);
    await expect(loadModel(dir)).rejects.toThrow(`${join(dir, 'metadata.json')}: is missing`);
    const { metadata } = await loadModel(dir, { allowMissingMetadata: true });
    expect(metadata).toBeNull();
  });
});

describe('checkpoint weights files', () => {
  it('restore weights into a fresh model of the same architecture', async () => {
    const path = join(await newDir('ckpt'), 'last.weights');
    const trained = tinyNet(12);
    await saveWeights(trained, path, { info: { epoch: 3, step: 120 } });
    const fresh = tinyNet(13);
    expect(Array.from(await predictions(fresh))).not.toEqual(Array.from(await predictions(trained)));
    const info = await loadWeights(fresh, path);
    expect(info).toEqual({ epoch: 3, step: 120 });
    expect(Array.from(await predictions(fresh))).toEqual(Array.from(await predictions(trained)));
  });

  it('carry the optimizer state (Adam moments and step count)', async () => {
    const path = join(await newDir('adam'), 'opt.weights');
    const model = tinyNet(14);
    const adam = tf.train.adam(0.01);
    const x = input();
    const target = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 0], 'int32'), 4);
    const step = (opt: tf.Optimizer, m: tf.LayersModel) =>
      opt.minimize(() => tf.losses.softmaxCrossEntropy(target, m.predict(x) as tf.Tensor) as tf.Scalar);
    step(adam, model);
    step(adam, model);
    await saveWeights(model, path, { optimizer: adam });

    const copy = tinyNet(15);
    const adam2 = tf.train.adam(0.01);
    await loadWeights(copy, path, { optimizer: adam2 });
    const noState = tinyNet(16);
    await loadWeights(noState, path);
    const adam3 = tf.train.adam(0.01);
    // One more step from the same state lands on the same weights only if the moments came back
    // (tfjs recomputes beta^t with pow on restore, hence closeness rather than bit equality).
    step(adam, model);
    step(adam2, copy);
    step(adam3, noState);
    const want = await predictions(model);
    const maxDiff = async (m: tf.LayersModel) => {
      const got = await predictions(m);
      return Math.max(...Array.from(got, (v, i) => Math.abs(v - (want[i] as number))));
    };
    expect(await maxDiff(copy)).toBeLessThan(1e-5);
    expect(await maxDiff(noState)).toBeGreaterThan(1e-3);
  });

  it('name the file and the weight when the architecture differs, and the file when truncated', async () => {
    const dir = await newDir('ckpt-bad');
    const path = join(dir, 'w.weights');
    await saveWeights(tinyNet(16), path);
    const other = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
    await expect(loadWeights(other, path)).rejects.toThrow(`${path}: holds 4 model weights but the model has 2`);
    const sameCount = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [3], units: 2 }), tf.layers.dense({ units: 2 })],
    });
    await expect(loadWeights(sameCount, path)).rejects.toThrow(
      new RegExp(
        `^${path}: weight 0 \\(conv2d_Conv2D\\d+/kernel\\) is float32\\[3,3,2,3\\] in the file but dense_Dense\\d+/kernel is float32\\[3,2\\]`,
      ),
    );
    const { size } = await stat(path);
    await truncate(path, size - 4);
    await expect(loadTensors(path)).rejects.toThrow(`${path}: is truncated`);
    await writeFile(path, 'not a checkpoint at all');
    await expect(loadTensors(path)).rejects.toThrow(`${path}: is not a cnn-lab weights file`);
  });

  it('keep tensor order, dtypes and values', async () => {
    const path = join(await newDir('tensors'), 't.bin');
    const a = tf.tensor2d([1.5, -2, 3, 4], [2, 2]);
    const b = tf.tensor1d([7, 8, 9], 'int32');
    await saveTensors(
      path,
      [
        { name: 'z/a', tensor: a },
        { name: 'b', tensor: b },
      ],
      { note: 'x' },
    );
    const { tensors, info } = await loadTensors(path);
    expect(info).toEqual({ note: 'x' });
    expect(tensors.map((t) => [t.name, t.tensor.dtype, t.tensor.shape])).toEqual([
      ['z/a', 'float32', [2, 2]],
      ['b', 'int32', [3]],
    ]);
    expect(Array.from(await tensors[1]!.tensor.data())).toEqual([7, 8, 9]);
  });

  it('lay the values out as tf.io.encodeWeights does, and take them when encoded, not when written', async () => {
    const named = [
      { name: 'f', tensor: tf.tensor2d([1.5, -2, 3, 4, 5, 6], [3, 2]) },
      { name: 'i', tensor: tf.tensor1d([7, -8, 9], 'int32') },
      { name: 'b', tensor: tf.tensor1d([true, false, true], 'bool') },
    ];
    const bytes = encodeTensors(named, { note: 1 });
    const stock = await tf.io.encodeWeights(named);
    expect(Array.from(bytes.subarray(bytes.byteLength - stock.data.byteLength))).toEqual(
      Array.from(new Uint8Array(stock.data)),
    );
    // Into a buffer kept from before: the same bytes, in that buffer; a fresh one leaves the room asked for.
    const fresh = encodeTensors(named, { note: 1 }, { room: 100 });
    expect(fresh.buffer.byteLength).toBe(bytes.byteLength + 100);
    const again = encodeTensors(named, { note: 1 }, { reuse: fresh.buffer as ArrayBuffer });
    expect(again.buffer).toBe(fresh.buffer);
    expect(Array.from(again)).toEqual(Array.from(bytes));
    const small = new ArrayBuffer(8);
    expect(encodeTensors(named, { note: 1 }, { reuse: small }).buffer).not.toBe(small);
    expect(() => encodeTensors([{ name: 's', tensor: tf.tensor1d(['a']) }])).toThrow(
      's is string; a checkpoint stores float32, int32 or bool',
    );

    // A model snapshot keeps the weights it was taken with, whatever happens to the model before it is written.
    const m = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    const before = m.getWeights().map((w) => Array.from(w.dataSync()));
    const snapshot = await modelSnapshot(m, { app: 'test' });
    m.setWeights(m.getWeights().map((w) => tf.add(w, 1)));
    const dir = await newDir('snapshot');
    await writeModel(snapshot, dir);
    const { model: loaded } = await loadModel(dir);
    expect(loaded.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(before);
  });
});
