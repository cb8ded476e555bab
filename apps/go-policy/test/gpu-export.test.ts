// The GPU path's exporter: a net trained a few steps by gpu/train.py (PyTorch, on the CPU), exported by
// gpu/export.ts and loaded the way the app loads models, gives PyTorch's probabilities on 100 positions.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, loadModel } from '@cnn-lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeFolder, unpackPlanes } from '../gpu/encode.js';
import { exportModel } from '../gpu/export.js';
import { buildPolicyNet } from '../src/model/policy.js';
import { randomGameFolder } from './gpu-fixtures.js';

const APP = resolve(import.meta.dirname, '..');
const PYTHON = '/usr/bin/python3';
const N = 100;

/** Why the parity test cannot run here, or null when /usr/bin/python3 has torch and numpy. */
function noTorch(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'pipe' });
  if (r.error) return `${PYTHON} is missing`;
  if (r.status !== 0) return `${PYTHON} has no torch/numpy (apt-get install python3-torch)`;
  return null;
}
const skip = noTorch();
if (skip) console.warn(`gpu-export parity test skipped: ${skip}`);

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

describe.skipIf(skip !== null)('gpu/train.py -> gpu/export.ts -> the app', () => {
  it('gives PyTorch probabilities within 1e-4 on 100 positions', { timeout: 300_000 }, async () => {
    const data = randomGameFolder(30, 120);
    const work = mkdtempSync(join(tmpdir(), 'go-policy-parity-'));
    const manifest = await encodeFolder({ dataDir: data, outDir: join(work, 'enc'), workers: 2, splits: ['train'] });
    const torchOut = join(work, 'torch');
    // Flags as a user would pass them on a CPU; the few steps move the weights off their initial values.
    execFileSync(
      PYTHON,
      [
        'gpu/train.py',
        ...['--data', join(work, 'enc'), '--out', torchOut, '--device', 'cpu', '--max-positions', '5000'],
        ...['--filters', '8', '--layers', '4', '--batch-size', '32', '--max-steps', '40', '--lr', '0.03'],
        ...['--dump-probs', String(N), '--dump-split', 'train'],
      ],
      { cwd: APP, stdio: 'pipe', env: { ...process.env, OMP_NUM_THREADS: '1' } },
    );
    const results = JSON.parse(readFileSync(join(torchOut, 'results.json'), 'utf8')) as {
      training: { steps: number };
    };
    expect(results.training.steps).toBe(40);

    // The first N train positions, as the tfjs net reads them (NHWC).
    const part = manifest.splits.train?.parts[0];
    if (!part || part.positions < N) throw new Error('the fixture has too few positions in its first part');
    const bits = readFileSync(join(work, 'enc', part.bits)).subarray(0, N * manifest.bytesPerPosition);
    const x = tf.tensor4d(unpackPlanes(bits, N, 48), [N, 19, 19, 48], 'float32');

    const dir = join(work, 'model');
    const r = await exportModel({ from: torchOut, modelDir: dir });
    expect(r.parameters).toBe(buildPolicyNet({ filters: 8, layers: 4 }).countParams());
    expect(r.weightBytes).toBe(r.parameters * 4);
    const { model, metadata } = await loadModel(dir);
    expect(metadata).toMatchObject({
      app: 'go-policy',
      featureSet: 'alphago',
      planes: 48,
      filters: 8,
      layers: 4,
      splitSeed: 1,
    });
    const got = (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
    model.dispose();
    x.dispose();
    const ref = new Float32Array(new Uint8Array(readFileSync(join(torchOut, 'probs.f32'))).buffer);
    expect(ref.length).toBe(N * 361);
    let maxDiff = 0;
    let maxLogDiff = 0;
    for (let i = 0; i < ref.length; i++) {
      const a = got[i] as number;
      const b = ref[i] as number;
      maxDiff = Math.max(maxDiff, Math.abs(a - b));
      // Relative too: near-uniform rows would pass an absolute bound with wrong weights.
      if (b > 1e-7) maxLogDiff = Math.max(maxLogDiff, Math.abs(Math.log(a) - Math.log(b)));
    }
    expect(maxDiff).toBeLessThan(1e-4);
    expect(maxLogDiff).toBeLessThan(1e-3);
    // Not a vacuous match: the rows differ from each other and are far from uniform.
    const argmax = new Set(Array.from({ length: N }, (_, n) => argMax(ref.subarray(n * 361, (n + 1) * 361))));
    expect(argmax.size).toBeGreaterThan(5);
    expect(Math.max(...ref) / Math.min(...ref)).toBeGreaterThan(10);
  });
});

function argMax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if ((row[i] as number) > (row[best] as number)) best = i;
  return best;
}

describe('exportModel', () => {
  const write = (dir: string, weights: { name: string; shape: number[] }[]): void => {
    let offset = 0;
    const entries = weights.map((w) => {
      const bytes = 4 * w.shape.reduce((n, d) => n * d, 1);
      const e = { ...w, offset, bytes };
      offset += bytes;
      return e;
    });
    const doc = {
      format: 'go-policy-torch-weights-v1',
      weights: entries,
      featureSet: 'alphago',
      planes: 48,
      filters: 2,
      layers: 2,
      splitSeed: 1,
    };
    writeFileSync(join(dir, 'weights.json'), JSON.stringify(doc));
    writeFileSync(join(dir, 'weights.f32'), new Uint8Array(offset));
  };
  const good = [
    { name: 'conv5x5/kernel', shape: [5, 5, 48, 2] },
    { name: 'conv5x5/bias', shape: [2] },
    { name: 'conv1x1/kernel', shape: [1, 1, 2, 1] },
    { name: 'per_point_bias/bias', shape: [361] },
  ];

  it('writes a folder the app loads from weights written by hand', async () => {
    const work = mkdtempSync(join(tmpdir(), 'go-policy-export-'));
    write(work, good);
    const r = await exportModel({ from: work, modelDir: join(work, 'm') });
    expect(r.parameters).toBe(5 * 5 * 48 * 2 + 2 + 2 + 361);
    const { model } = await loadModel(join(work, 'm'));
    expect(model.outputs[0]?.shape).toEqual([null, 361]);
    model.dispose();
  });

  it('names the file and the weight when weights.json does not fit the network', async () => {
    const work = mkdtempSync(join(tmpdir(), 'go-policy-badexport-'));
    await expect(exportModel({ from: work, modelDir: join(work, 'm') })).rejects.toThrow(/weights\.json.*is missing/);
    write(
      work,
      good.map((w) => (w.name === 'conv1x1/kernel' ? { ...w, shape: [1, 1, 3, 1] } : w)),
    );
    await expect(exportModel({ from: work, modelDir: join(work, 'm') })).rejects.toThrow(
      /weights\.json.*conv1x1\/kernel has shape \[1,1,3,1\]; the network's is \[1,1,2,1\]/,
    );
    write(
      work,
      good.filter((w) => w.name !== 'conv5x5/bias'),
    );
    await expect(exportModel({ from: work, modelDir: join(work, 'm') })).rejects.toThrow(
      /lists 3 weights; a 2x2 net has 4/,
    );
  });
});
