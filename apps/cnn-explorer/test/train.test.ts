// The train verb's work on a few digits: core's recipe fills the model folder, and the folder loads back with
// the split, history and held-out scores the run measured.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '@cnn-lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { trainModel, trainSettings } from '../src/commands/train.js';
import { splitDigits } from '../src/mnist/digits.js';
import { digitsFromPackage } from '../src/mnist/mnist-package.js';
import { loadLectureModel } from '../src/model/load.js';

const work = mkdtempSync(join(tmpdir(), 'cnn-explorer-train-'));

/** 20 digits of each class, each class a different bar, so that even one epoch learns something. */
function fewDigits() {
  const pkg = Array.from({ length: 10 }, (_, d) => ({
    raw: Array.from({ length: 20 * 784 }, (_, i) => {
      const [y, x] = [Math.floor((i % 784) / 28), (i % 784) % 28];
      return y >= 4 + 2 * d && y < 6 + 2 * d && x > 3 && x < 24 ? 1 : 0;
    }),
  }));
  return splitDigits(digitsFromPackage(pkg), { seed: 1, testFraction: 0.2, validationFraction: 0.1 });
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

describe('train', () => {
  it('saves model, metadata and learning curves into the named folder, and they load back', async () => {
    const dir = join(work, 'run');
    const settings = trainSettings({
      modelDir: dir,
      epochs: 2,
      batchSize: 16,
      workers: 1,
      learningRate: 1e-2,
      maxShift: 1,
    });
    const lines: string[] = [];
    const r = await trainModel(settings, (l) => lines.push(l), fewDigits());
    expect(r.dir).toBe(dir);
    expect(r.summary).toMatchObject({ modelDir: dir, epochs: 2, testCount: 40, historyPlot: join(dir, 'history.png') });
    expect(r.summary.testAccuracy).toBeGreaterThan(0.2); // ten bars: chance is 0.1
    expect(existsSync(join(dir, 'history.png'))).toBe(true);
    expect(existsSync(join(dir, 'checkpoints'))).toBe(true);
    expect(lines.at(-1)).toMatch(/^test accuracy \d+\.\d\d% on 40 held-out digits/);

    const loaded = await loadLectureModel(dir);
    expect(loaded.split).toEqual({ seed: 1, testFraction: 0.2, validationFraction: 0.1 });
    expect(loaded.history?.epochs).toHaveLength(2);
    const meta = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8')) as Record<string, unknown>;
    expect(meta).toMatchObject({
      app: 'cnn-explorer',
      maxShift: 1,
      testAccuracy: r.summary.testAccuracy,
      testCount: 40,
    });
  });
});
