import type * as FsPromises from 'node:fs/promises';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '../src/backend/index.js';
import { CHECKPOINT_FILE, arraySource, fit, withSeed, type FitOptions } from '../src/train/index.js';
import { loadTensors } from '../src/io/weights.js';
import { Rng } from '../src/util/random.js';

// A crash in the middle of writing a file: half the bytes reach the disk, then the process "dies".
const crash = vi.hoisted(() => ({ armed: false }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof FsPromises>();
  return {
    ...fs,
    // Core writes files through a handle (so it can fsync them): the handle of a checkpoint write gets a write
    // that stops half-way.
    open: async (path: string, ...rest: unknown[]) => {
      const handle = await (fs.open as (...a: unknown[]) => Promise<FsPromises.FileHandle>)(path, ...rest);
      if (!crash.armed || !String(path).includes(CHECKPOINT_FILE)) return handle;
      const write = handle.write.bind(handle) as (b: Uint8Array) => Promise<unknown>;
      handle.write = (async (data: Uint8Array, offset = 0, length = data.byteLength - offset) => {
        await write(data.subarray(offset, offset + (length >> 1)));
        throw new Error('simulated crash while writing');
      }) as unknown as FsPromises.FileHandle['write'];
      return handle;
    },
  };
});

function model(seed: number): tf.LayersModel {
  return withSeed(seed, () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ units: 6, activation: 'relu', inputShape: [3] }));
    m.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
    return m;
  });
}

const rng = new Rng(1);
const xs = new Float32Array(60 * 3).map(() => rng.normal());
const ys = new Int32Array(60).map((_, i) => ((xs[i * 3] as number) > 0 ? 1 : 0));
const options = (extra: Partial<FitOptions>): FitOptions => ({
  train: arraySource({ data: xs, shape: [60, 3] }, ys),
  epochs: 2,
  batchSize: 10,
  optimizer: { name: 'adam', learningRate: 0.02 },
  seed: 3,
  quiet: true,
  handleSigint: false,
  workers: 1,
  ...extra,
});

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  dir = await mkdtemp(join(tmpdir(), 'cnn-lab-ckpt-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('atomic checkpoints', () => {
  it('a crash while writing a checkpoint leaves the previous one loadable, and resume still ends where it should', async () => {
    const straight = model(1);
    await fit(straight, options({}));

    await fit(model(1), options({ epochs: 1, checkpointDir: dir }));
    crash.armed = true;
    await expect(fit(model(1), options({ checkpointDir: dir, resume: true }))).rejects.toThrow(
      'simulated crash while writing',
    );
    crash.armed = false;

    const { info } = await loadTensors(join(dir, CHECKPOINT_FILE));
    expect((info['training'] as { epoch: number }).epoch).toBe(1);
    // The half-written temporary file was cleaned up, not left beside the checkpoint.
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    const resumed = model(2);
    await fit(resumed, options({ checkpointDir: dir, resume: true }));
    expect(resumed.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(
      straight.getWeights().map((w) => Array.from(w.dataSync())),
    );
  });
});
