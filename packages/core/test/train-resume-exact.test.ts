// Resume must end with the very weights an uninterrupted run ends with, bit for bit, also after many Adam steps
// and with worker threads. tfjs's Adam.setWeights recomputes beta^t with pow() where a running optimizer multiplies
// by beta at every step; after ~100 steps the two differ in the last bit and the weights by ~1e-7, so checkpoints
// carry those two variables as they are. tfjs's model.setWeights also passes every value through the layer's
// constraint (a max-norm kernel shrinks by norm / (norm + 1e-7) each time), so restoring a checkpoint or the best
// epoch's weights moved them too: weights are assigned as they are.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.js';
import { loadWeights } from '../src/io/index.js';
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

function net(seed: number, constrained = false): tf.LayersModel {
  return withSeed(seed, () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ units: 8, activation: 'relu', inputShape: [4] }));
    // Kim's text CNN keeps its softmax kernel's columns under a max-norm of 3, as here.
    const kernelConstraint = constrained ? tf.constraints.maxNorm({ maxValue: 3, axis: 0 }) : undefined;
    m.add(tf.layers.dense({ units: 3, activation: 'softmax', ...(kernelConstraint ? { kernelConstraint } : {}) }));
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
  }, 240_000);
});

describe('resume with a max-norm constraint and the best epoch kept', () => {
  it('ends with the same weights as a run never stopped, and the kept weights are the best checkpoint', async () => {
    await initBackend({ backend: 'cpu', quiet: true });
    const validation = train;
    const options = (extra: Partial<FitOptions>): FitOptions => ({
      train,
      validation,
      epochs: 4,
      batchSize: 20,
      optimizer: { name: 'adam', learningRate: 0.01 },
      seed: 3,
      quiet: true,
      handleSigint: false,
      restoreBestWeights: true,
      ...extra,
    });
    const straightDir = join(dir, 'constrained-straight');
    const straight = net(1, true);
    await fit(straight, options({ checkpointDir: straightDir }));
    const ckpt = join(dir, 'constrained');
    await fit(net(1, true), options({ epochs: 2, checkpointDir: ckpt }));
    const resumed = net(5, true);
    await fit(resumed, options({ checkpointDir: ckpt, resume: true }));
    expect(weightsOf(resumed)).toEqual(weightsOf(straight));
    // The weights kept at the end are exactly those the best epoch wrote to best.ckpt.
    const fromBest = net(9, true);
    await loadWeights(fromBest, join(straightDir, 'best.ckpt'));
    expect(weightsOf(straight)).toEqual(weightsOf(fromBest));
  }, 60_000);
});
