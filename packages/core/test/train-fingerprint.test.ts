// A checkpoint remembers what it was trained on (FitOptions.fingerprint); resuming it on other data is refused by
// name instead of carrying on silently with other word ids or classes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '../src/cli/errors.js';
import { arraySource, fit, withSeed, type FitOptions } from '../src/train/index.js';

let dir: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = await mkdtemp(join(tmpdir(), 'cnn-lab-fingerprint-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const train = arraySource(
  { data: Float32Array.from({ length: 64 }, (_, i) => (i % 7) / 7), shape: [16, 4] },
  Int32Array.from({ length: 16 }, (_, i) => i % 2),
);

const net = () =>
  withSeed(1, () => tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2, activation: 'softmax' })] }));

const options = (extra: Partial<FitOptions>): FitOptions => ({
  train,
  epochs: 2,
  batchSize: 4,
  optimizer: { name: 'adam', learningRate: 0.01 },
  seed: 3,
  quiet: true,
  handleSigint: false,
  workers: 1,
  ...extra,
});

describe('resume and the data fingerprint', () => {
  it('resumes when the fingerprint matches, and refuses other data naming what differs', async () => {
    const ckpt = join(dir, 'a');
    const fingerprint = { vocabulary: 'sha256:aaaa', classes: '0,1' };
    await fit(net(), options({ epochs: 1, checkpointDir: ckpt, fingerprint }));
    const same = await fit(net(), options({ checkpointDir: ckpt, resume: true, fingerprint }));
    expect(same.epochs.map((e) => e.epoch)).toEqual([1, 2]);

    const other = { vocabulary: 'sha256:bbbb', classes: '0,1' };
    const err = await fit(net(), options({ checkpointDir: ckpt, resume: true, epochs: 3, fingerprint: other })).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toBe(
      `${join(ckpt, 'checkpoint.ckpt')}: was made on other data: vocabulary "sha256:aaaa" there, "sha256:bbbb" now. Resume with the same data, or train into a new folder`,
    );
    const fewer = await fit(
      net(),
      options({ checkpointDir: ckpt, resume: true, epochs: 3, fingerprint: { classes: '0,1' } }),
    ).catch((e: unknown) => e);
    expect((fewer as Error).message).toMatch(/vocabulary "sha256:aaaa" there, nothing now/);
  });

  it('other data with another vocabulary size is named as other data, not as a weight of another shape', async () => {
    const ckpt = join(dir, 'c');
    const wide = () =>
      withSeed(1, () =>
        tf.sequential({ layers: [tf.layers.dense({ inputShape: [5], units: 2, activation: 'softmax' })] }),
      );
    const wider = arraySource(
      { data: Float32Array.from({ length: 80 }, (_, i) => (i % 7) / 7), shape: [16, 5] },
      Int32Array.from({ length: 16 }, (_, i) => i % 2),
    );
    await fit(
      wide(),
      options({ train: wider, epochs: 1, checkpointDir: ckpt, fingerprint: { vocabulary: '5 words' } }),
    );
    const err = await fit(
      net(),
      options({ checkpointDir: ckpt, resume: true, fingerprint: { vocabulary: '4 words' }, restoreBestWeights: true }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/was made on other data: vocabulary "5 words" there, "4 words" now/);
  });

  it('a checkpoint from before fingerprints resumes with a notice', async () => {
    const ckpt = join(dir, 'b');
    await fit(net(), options({ epochs: 1, checkpointDir: ckpt }));
    const lines: string[] = [];
    await fit(
      net(),
      options({ checkpointDir: ckpt, resume: true, fingerprint: { data: 'x' }, log: (l) => lines.push(l) }),
    );
    expect(lines.join('\n')).toMatch(/recorded no fingerprint of its data; resuming without checking it/);
  });
});
