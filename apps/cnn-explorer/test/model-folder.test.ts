// Where models are read from and written to, and the loader's checks of metadata.json.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { DataError, UsageError, findWorkspaceRoot, initBackend, isWithin, saveModel } from '@cnn-lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainSettings } from '../src/commands/train.js';
import { buildLectureModel } from '../src/model/lecture-cnn.js';
import { SHIPPED_MODEL_DIR, loadLectureModel, modelDirFor, runStamp, splitOf } from '../src/model/load.js';

const appDir = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'cnn-explorer-model-folder-'));

beforeAll(async () => {
  await initBackend({ backend: 'cpu', quiet: true });
});

describe('model folders', () => {
  it('reads the shipped model by default and writes a new runs folder, never the shipped one', () => {
    expect(modelDirFor(undefined, 'read')).toBe(SHIPPED_MODEL_DIR);
    expect(SHIPPED_MODEL_DIR).toBe(join(appDir, 'models', 'mnist'));
    const when = new Date('2026-03-04T05:06:07.891Z');
    const written = modelDirFor(undefined, 'write', when);
    expect(written).toBe(join(findWorkspaceRoot(appDir)!, 'runs', 'cnn-explorer', '2026-03-04T05-06-07'));
    expect(isWithin(join(appDir, 'models'), written)).toBe(false);
    expect(runStamp(when)).not.toContain(':');
    // A folder the user names is used as it is, for reading and for writing.
    expect(modelDirFor(join(work, 'mine'), 'write')).toBe(join(work, 'mine'));
    expect(modelDirFor(join(work, 'mine'), 'read')).toBe(join(work, 'mine'));
  });

  it('train without --model-dir writes a runs folder; --resume needs the run named', () => {
    const base = { learningRate: 1e-3, maxShift: 2 };
    const s = trainSettings(base, new Date('2026-03-04T05:06:07Z'));
    expect(s.modelDir.split(sep).slice(-3)).toEqual(['runs', 'cnn-explorer', '2026-03-04T05-06-07']);
    expect(s).toMatchObject({ epochs: 20, batchSize: 32, seed: 1, resume: false });
    expect(() => trainSettings({ ...base, resume: true })).toThrow(UsageError);
    expect(() => trainSettings({ ...base, resume: true })).toThrow(
      /--resume: name the run to continue with --model-dir/,
    );
    expect(trainSettings({ ...base, resume: true, modelDir: join(work, 'run') }).modelDir).toBe(join(work, 'run'));
  });
});

describe('metadata checks', () => {
  it('reads a good split and defaults a missing one to seed 1', () => {
    expect(splitOf({ seed: 3, testFraction: 0.2, validationFraction: 0.1 }, 'm.json')).toEqual({
      seed: 3,
      testFraction: 0.2,
      validationFraction: 0.1,
    });
    expect(splitOf(undefined, 'm.json')).toEqual({ seed: 1, testFraction: 0.2, validationFraction: 0.1 });
  });

  it.each([
    ['not an object', 'split', /"split" is not an object/],
    [
      'a negative seed',
      { seed: -1, testFraction: 0.2, validationFraction: 0.1 },
      /"split"\.seed is -1, expected an integer >= 0/,
    ],
    ['a fraction as text', { seed: 1, testFraction: '0.2', validationFraction: 0.1 }, /\.testFraction is "0\.2"/],
    ['fractions that leave no training digits', { seed: 1, testFraction: 0.6, validationFraction: 0.5 }, /sum to 1\.1/],
  ])('refuses a split that is %s, naming the file', (_, split, message) => {
    expect(() => splitOf(split, '/x/metadata.json')).toThrow(DataError);
    expect(() => splitOf(split, '/x/metadata.json')).toThrow(message);
    expect(() => splitOf(split, '/x/metadata.json')).toThrow(/^\/x\/metadata\.json: /);
  });

  it('loads a saved model with its split, and refuses one with a bad split or history, naming the file', async () => {
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
      /bad-history\/(model|metadata)\.json: "history" is not a training history/,
    );
    const badSplit = join(work, 'bad-split');
    await saveModel(buildLectureModel(1), badSplit, { app: 'cnn-explorer', split: { ...split, seed: 1.5 } });
    await expect(loadLectureModel(badSplit)).rejects.toThrow(
      /bad-split\/(model|metadata)\.json: "split"\.seed is 1\.5/,
    );
    await expect(loadLectureModel(join(work, 'empty'))).rejects.toThrow(/--model-dir: no model in .*empty/);
  });

  it('loads the shipped model with the split and history it was trained with', async () => {
    const shipped = await loadLectureModel(SHIPPED_MODEL_DIR);
    expect(shipped.split).toEqual({ seed: 1, testFraction: 0.2, validationFraction: 0.1 });
    expect(shipped.history?.bestEpoch).toBe(13);
  });
});
