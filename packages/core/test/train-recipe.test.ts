import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.js';
import { UsageError } from '../src/cli/errors.js';
import { loadModel, resolveModelDir } from '../src/io/index.js';
import { arraySource, evaluate, trainRecipe, withSeed, type FitOptions } from '../src/train/index.js';
import { Rng } from '../src/util/random.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
let root: string;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  root = await mkdtemp(join(tmpdir(), 'cnn-lab-recipe-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function blobs(n: number, seed: number) {
  const rng = new Rng(seed);
  const data = new Float32Array(n * 4);
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    ys[i] = i % 3;
    for (let d = 0; d < 4; d++) data[i * 4 + d] = (d === i % 3 ? 2 : 0) + 0.7 * rng.normal();
  }
  return arraySource({ data, shape: [n, 4] }, ys, { shuffle: seed === 1 });
}

const net = () =>
  withSeed(3, () =>
    tf.sequential({
      layers: [
        tf.layers.dense({ units: 8, activation: 'relu', inputShape: [4] }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    }),
  );

const fitOptions = (epochs: number): Omit<FitOptions, 'checkpointDir' | 'resume' | 'historyPath'> => ({
  train: blobs(96, 1),
  validation: blobs(48, 2),
  epochs,
  batchSize: 16,
  optimizer: { name: 'adam', learningRate: 0.05 },
  seed: 7,
  quiet: true,
  handleSigint: false,
  workers: 1,
  restoreBestWeights: true,
});

describe('trainRecipe', () => {
  it('trains, checkpoints, saves the model with its metadata and score, plots, and sums up', async () => {
    const dir = join(root, 'run');
    const test = blobs(30, 3);
    const finals: boolean[] = [];
    const lines: string[] = [];
    const result = await trainRecipe({
      model: net(),
      modelDir: dir,
      fit: fitOptions(3),
      metadata: ({ history, final, score }) => {
        finals.push(final);
        return { app: 'demo', epochsSoFar: history.epochs.length, ...(score ?? {}) };
      },
      files: { 'labels.json': '["a","b","c"]' },
      score: async (model) => ({ testAccuracy: (await evaluate(model, test, 10)).accuracy }),
      historyJson: true,
      plot: { title: 'blobs' },
      log: (l) => lines.push(l),
    });
    expect(finals).toEqual([false, false, false, true]);
    const { summary } = result;
    expect(summary).toMatchObject({
      modelDir: dir,
      epochs: 3,
      interrupted: false,
      stoppedEarly: false,
      historyPlot: join(dir, 'history.png'),
    });
    expect(summary.bestEpoch).toBe(result.history.bestEpoch);
    expect(summary.valAccuracy).toBe(result.history.epochs.find((e) => e.epoch === summary.bestEpoch)?.valAccuracy);
    expect(summary.testAccuracy).toBeGreaterThan(0.8);
    expect(existsSync(join(dir, 'checkpoints', 'checkpoint.ckpt'))).toBe(true);
    expect(existsSync(join(dir, 'history.png'))).toBe(true);
    expect(
      (JSON.parse(await readFile(join(dir, 'history.json'), 'utf8')) as { epochs: unknown[] }).epochs,
    ).toHaveLength(3);
    const loaded = await loadModel(dir);
    expect(loaded.metadata).toMatchObject({ app: 'demo', epochsSoFar: 3, testAccuracy: summary.testAccuracy });
    expect(await readFile(loaded.files['labels.json'] as string, 'utf8')).toBe('["a","b","c"]');
    expect(lines.at(-1)).toContain(`saved ${dir} (best epoch ${summary.bestEpoch})`);
  });

  it('resumes from the folder it wrote and ends with the same model as a run never stopped', async () => {
    const straight = await trainRecipe({
      model: net(),
      modelDir: join(root, 'straight'),
      fit: fitOptions(3),
      metadata: { app: 'demo' },
      plot: false,
    });
    const dir = join(root, 'resumed');
    await trainRecipe({ model: net(), modelDir: dir, fit: fitOptions(2), metadata: { app: 'demo' }, plot: false });
    const resumed = await trainRecipe({
      model: net(),
      modelDir: dir,
      fit: fitOptions(3),
      resume: true,
      metadata: { app: 'demo' },
      plot: false,
    });
    expect(resumed.history.epochs.map((e) => e.loss)).toEqual(straight.history.epochs.map((e) => e.loss));
    const weights = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    expect(weights(resumed.model)).toEqual(weights(straight.model));
    expect(weights((await loadModel(dir)).model)).toEqual(weights(straight.model));
  });

  it('refuses a default folder that is a shipped model before training', async () => {
    const shipped = resolveModelDir({ app: 'go-policy', appDir: join(REPO, 'apps', 'go-policy'), mode: 'read' });
    await expect(trainRecipe({ model: net(), modelDir: shipped, fit: fitOptions(1), metadata: {} })).rejects.toThrow(
      UsageError,
    );
  });
});
