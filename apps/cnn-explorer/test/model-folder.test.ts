// Where models are read from and written to, and the loader's checks of the metadata.
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DataError,
  UsageError,
  findWorkspaceRoot,
  initBackend,
  isWithin,
  saveModel,
  type ModelMetadata,
} from '@cnn-lab/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { trainSettings } from '../src/commands/train.js';
import { buildLectureModel } from '../src/model/lecture-cnn.js';
import { SHIPPED_MODEL_DIR, lectureMetadata, loadLectureModel, modelDirFor, runsDir } from '../src/model/load.js';

const appDir = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'cnn-explorer-model-folder-'));
const runsBefore = process.env.CNN_LAB_RUNS;

beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
});

afterEach(() => {
  if (runsBefore === undefined) delete process.env.CNN_LAB_RUNS;
  else process.env.CNN_LAB_RUNS = runsBefore;
});

describe('model folders', () => {
  it('reads the shipped model by default and writes a new runs folder, never the shipped one', () => {
    delete process.env.CNN_LAB_RUNS;
    const read = modelDirFor(undefined, 'read');
    expect(read).toMatchObject({ dir: SHIPPED_MODEL_DIR, shipped: true, named: false });
    expect(SHIPPED_MODEL_DIR).toBe(join(appDir, 'models', 'mnist'));
    const now = new Date('2026-03-04T05:06:07.891Z');
    const written = modelDirFor(undefined, 'write', { now });
    expect(written.dir).toBe(join(findWorkspaceRoot(appDir)!, 'runs', 'cnn-explorer', '2026-03-04T05-06-07'));
    expect(written.shipped).toBe(false);
    expect(isWithin(join(appDir, 'models'), written.dir)).toBe(false);
    // A folder the user names is used as it is, for reading and for writing, the shipped one included.
    expect(modelDirFor(join(work, 'mine'), 'write').dir).toBe(join(work, 'mine'));
    expect(modelDirFor(SHIPPED_MODEL_DIR, 'write')).toMatchObject({
      dir: SHIPPED_MODEL_DIR,
      shipped: true,
      named: true,
    });
  });

  it('puts runs and pictures under CNN_LAB_RUNS when it is set', () => {
    process.env.CNN_LAB_RUNS = join(work, 'runs');
    expect(runsDir('report')).toBe(join(work, 'runs', 'cnn-explorer', 'report'));
    const now = new Date('2026-03-04T05:06:07Z');
    expect(trainSettings({ learningRate: 1e-3, maxShift: 2 }, now).modelDir.dir).toBe(
      join(work, 'runs', 'cnn-explorer', '2026-03-04T05-06-07'),
    );
  });

  it('train --resume continues the newest run with checkpoints, and says so when there is none', () => {
    process.env.CNN_LAB_RUNS = join(work, 'resume-runs');
    const base = { learningRate: 1e-3, maxShift: 2 };
    expect(() => trainSettings({ ...base, resume: true })).toThrow(UsageError);
    expect(() => trainSettings({ ...base, resume: true })).toThrow(/--resume: no run of cnn-explorer with checkpoints/);
    const runs = join(work, 'resume-runs', 'cnn-explorer');
    mkdirSync(join(runs, '2026-01-01T00-00-00', 'checkpoints'), { recursive: true });
    mkdirSync(join(runs, '2026-02-01T00-00-00', 'checkpoints'), { recursive: true });
    mkdirSync(join(runs, '2026-03-01T00-00-00'), { recursive: true }); // no checkpoint: not resumable
    const s = trainSettings({ ...base, resume: true });
    expect(s.modelDir.dir).toBe(join(runs, '2026-02-01T00-00-00'));
    expect(s).toMatchObject({ epochs: 20, batchSize: 32, seed: 1, resume: true });
    expect(trainSettings({ ...base, resume: true, modelDir: join(work, 'run') }).modelDir.dir).toBe(join(work, 'run'));
  });
});

describe('metadata checks', () => {
  const raw = (fields: Record<string, unknown>): ModelMetadata => ({
    app: 'cnn-explorer',
    version: null,
    createdAt: '2026-01-01T00:00:00Z',
    weightsSha256: '0',
    ...fields,
  });

  it('reads a good split and defaults a missing one to seed 1', () => {
    const split = { seed: 3, testFraction: 0.2, validationFraction: 0.1 };
    expect(lectureMetadata(raw({ split }), 'm.json')).toEqual({ split });
    expect(lectureMetadata(raw({}), 'm.json').split).toEqual({ seed: 1, testFraction: 0.2, validationFraction: 0.1 });
  });

  it.each([
    ['not an object', 'split', /field "split" is "split"; expected an object/],
    [
      'a negative seed',
      { seed: -1, testFraction: 0.2, validationFraction: 0.1 },
      /field "split\.seed" is -1; expected an integer/,
    ],
    [
      'a fraction as text',
      { seed: 1, testFraction: '0.2', validationFraction: 0.1 },
      /field "split\.testFraction" is "0\.2"/,
    ],
    [
      'fractions that leave no training digits',
      { seed: 1, testFraction: 0.6, validationFraction: 0.5 },
      /is 1\.1; expected below 1/,
    ],
  ])('refuses a split that is %s, naming the file and field', (_, split, message) => {
    const check = () => lectureMetadata(raw({ split }), '/x/model.json');
    expect(check).toThrow(DataError);
    expect(check).toThrow(message);
    expect(check).toThrow(/^\/x\/model\.json: /);
  });

  it('loads a saved model with its split, and refuses one with a bad history or of another app', async () => {
    const dir = join(work, 'saved');
    const split = { seed: 4, testFraction: 0.2, validationFraction: 0.1 };
    await saveModel(buildLectureModel(1), dir, { app: 'cnn-explorer', split });
    const loaded = await loadLectureModel(dir);
    expect(loaded.split.seed).toBe(4);
    expect(loaded.history).toBeUndefined();
    const badHistory = join(work, 'bad-history');
    await saveModel(buildLectureModel(1), badHistory, { app: 'cnn-explorer', split, history: { epochs: 'many' } });
    await expect(loadLectureModel(badHistory)).rejects.toThrow(DataError);
    await expect(loadLectureModel(badHistory)).rejects.toThrow(
      /bad-history\/model\.json: field "history" is not a training history/,
    );
    const other = join(work, 'other-app');
    await saveModel(buildLectureModel(1), other, { app: 'text-cnn', split });
    await expect(loadLectureModel(other)).rejects.toThrow(/is a model of "text-cnn", not of cnn-explorer/);
    await expect(loadLectureModel(modelDirFor(join(work, 'empty'), 'read'))).rejects.toThrow(
      /--model-dir: no model in .*empty/,
    );
  });

  it('loads the shipped model with the split and history it was trained with', async () => {
    const shipped = await loadLectureModel(modelDirFor(undefined, 'read'));
    expect(shipped.split).toEqual({ seed: 1, testFraction: 0.2, validationFraction: 0.1 });
    expect(shipped.history?.bestEpoch).toBe(13);
  });
});
