// Resume must end with the very weights an uninterrupted run ends with, bit for bit, also after many Adam steps
// and with worker threads. tfjs's Adam.setWeights recomputes beta^t with pow() where a running optimizer multiplies
// by beta at every step; after ~100 steps the two differ in the last bit and the weights by ~1e-7, so checkpoints
// carry those two variables as they are.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.js';
import { arraySource, fit, withSeed, type FitOptions } from '../src/train/index.js';
import { Rng } from '../src/util/random.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cnn-lab-resume-exact-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const train = (() => {
  const rng = new Rng(1);
  const n = 200;
  const data = new Float32Array(n * 4);
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    ys[i] = i % 3;
    for (let d = 0; d < 4; d++) data[i * 4 + d] = (d === i % 3 ? 2 : 0) + 0.7 * rng.normal();
  }
  return arraySource({ data, shape: [n, 4] }, ys);
})();

function net(seed: number): tf.LayersModel {
  return withSeed(seed, () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ units: 8, activation: 'relu', inputShape: [4] }));
    m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
    return m;
  });
}

function weightsOf(model: tf.LayersModel): number[] {
  return model.getWeights().flatMap((w) => Array.from(w.dataSync()));
}

describe.each([
  { backend: 'cpu' as const, workers: 1 },
  { backend: 'wasm' as const, workers: 2 },
])('resume after 100 Adam steps ($backend, $workers worker(s))', ({ backend, workers }) => {
  it('ends with the same weights as a run never stopped, bit for bit', async () => {
    await initBackend({ backend, quiet: true });
    const options = (extra: Partial<FitOptions>): FitOptions => ({
      train,
      epochs: 4,
      batchSize: 4,
      optimizer: { name: 'adam', learningRate: 0.01 },
      seed: 7,
      quiet: true,
      handleSigint: false,
      workers,
      ...extra,
    });
    const straight = net(1);
    await fit(straight, options({}));
    const ckpt = join(dir, `${backend}-${workers}`);
    await fit(net(1), options({ epochs: 2, checkpointDir: ckpt }));
    const resumed = net(5);
    await fit(resumed, options({ checkpointDir: ckpt, resume: true }));
    const a = weightsOf(straight);
    const b = weightsOf(resumed);
    expect(Math.max(...a.map((v, i) => Math.abs(v - (b[i] as number))))).toBe(0);
    expect(b).toEqual(a);
  }, 60_000);
});
