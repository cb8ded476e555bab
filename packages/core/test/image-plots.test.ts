import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cellColor,
  decodeImagePixels,
  niceTicks,
  plotConfusionMatrix,
  plotHistory,
  renderConfusionMatrix,
  renderHistoryPlot,
  type Raster,
} from '../src/viz/index.js';
import type { History } from '../src/train/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cnn-lab-plots-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const key = (c: readonly number[]) => c.slice(0, 3).join(',');
function colours(r: Raster): Map<string, number> {
  const seen = new Map<string, number>();
  for (let i = 0; i < r.data.length; i += 4) {
    const k = key(Array.from(r.data.subarray(i, i + 3)));
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return seen;
}

describe('axis ticks', () => {
  it('are round numbers covering the range', () => {
    expect(niceTicks(0.13, 0.97, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(1, 20, 5)).toEqual([0, 5, 10, 15, 20]);
    expect(niceTicks(3, 3, 4)).toEqual([2.6, 2.8, 3, 3.2, 3.4]);
  });
});

describe('learning curves', () => {
  const history = {
    epochs: [1, 2, 3, 4].map((epoch) => ({
      epoch,
      loss: 1 / epoch,
      accuracy: 1 - 0.5 / epoch,
      valLoss: 1.2 / epoch,
      valAccuracy: 0.9 - 0.5 / epoch,
    })),
    bestEpoch: 3,
  };

  it('draw train and validation curves in both panels', () => {
    const r = renderHistoryPlot(history, { width: 800, height: 300 });
    expect([r.width, r.height]).toEqual([800, 300]);
    const seen = colours(r);
    expect(seen.get('31,119,180') ?? 0).toBeGreaterThan(400); // train, solid, two panels
    expect(seen.get('255,127,14') ?? 0).toBeGreaterThan(300); // validation, dashed
  });

  it('draw only the loss panel when there is no accuracy, and only train when no validation', () => {
    const r = renderHistoryPlot(
      {
        epochs: [
          { epoch: 1, loss: 2 },
          { epoch: 2, loss: 1 },
        ],
      },
      { width: 400, height: 300 },
    );
    const seen = colours(r);
    expect(seen.get('31,119,180') ?? 0).toBeGreaterThan(100);
    expect(seen.has('255,127,14')).toBe(false);
    expect(() => renderHistoryPlot({ epochs: [] })).toThrow('the history has no epochs');
  });

  it("take fit's History as it is: null bestEpoch draws no marker, a number draws one", () => {
    const fromFit: History = {
      epochs: history.epochs.map((e) => ({ ...e, seconds: 1, examplesPerSecond: 10, lr: 0.1 })),
      bestEpoch: null,
      stoppedEarly: false,
      interrupted: false,
    };
    const grey = (h: History) => colours(renderHistoryPlot(h, { width: 400, height: 300 })).get('120,120,120') ?? 0;
    expect(grey(fromFit)).toBe(0);
    expect(grey({ ...fromFit, bestEpoch: 3 })).toBeGreaterThan(20);
  });

  it('write a PNG that decodes to the same picture', async () => {
    const path = join(dir, 'history.png');
    await plotHistory(history, path, { width: 640, height: 320, title: 'run 1' });
    const img = decodeImagePixels(new Uint8Array(await readFile(path)), { source: path });
    expect([img.width, img.height]).toEqual([640, 320]);
    const expected = renderHistoryPlot(history, { width: 640, height: 320, title: 'run 1' });
    expect(Math.round((img.data[(100 * 640 + 100) * 3] as number) * 255)).toBe(expected.data[(100 * 640 + 100) * 4]);
  });
});

describe('confusion matrix picture', () => {
  const matrix = [
    [8, 2, 0],
    [0, 5, 5],
    [0, 0, 0],
  ];

  it('shades each cell by its share of the row and labels it with the count', () => {
    const r = renderConfusionMatrix(matrix, { labels: ['cat', 'dog', 'eel'], cellSize: 30 });
    const seen = colours(r);
    // 8/10 and 2/10 and 5/10 of their rows; an empty row stays white.
    expect(seen.get(key(cellColor(0.8))) ?? 0).toBeGreaterThan(30 * 30 * 0.7);
    expect(seen.get(key(cellColor(0.2))) ?? 0).toBeGreaterThan(30 * 30 * 0.7);
    expect(seen.get(key(cellColor(0.5))) ?? 0).toBeGreaterThan(2 * 30 * 30 * 0.7);
    expect(seen.has(key(cellColor(1)))).toBe(false);
    // White count text on the dark 8/10 cell.
    expect(seen.get('255,255,255') ?? 0).toBeGreaterThan(0);
  });

  it('grows cells to fit large counts and refuses a ragged matrix or wrong label count', () => {
    const small = renderConfusionMatrix([
      [1, 0],
      [0, 1],
    ]);
    const big = renderConfusionMatrix([
      [123456, 0],
      [0, 1],
    ]);
    expect(big.height).toBeGreaterThan(small.height);
    expect(() => renderConfusionMatrix([[1, 2], [3]])).toThrow('matrix must be square');
    expect(() => renderConfusionMatrix(matrix, { labels: ['a'] })).toThrow(
      'labels has 1 names but the matrix has 3 classes',
    );
  });

  it('writes a PNG file', async () => {
    const path = join(dir, 'cm.png');
    await plotConfusionMatrix(matrix, path, { labels: ['cat', 'dog', 'eel'], title: 'test set' });
    const img = decodeImagePixels(new Uint8Array(await readFile(path)), { source: path });
    const expected = renderConfusionMatrix(matrix, { labels: ['cat', 'dog', 'eel'], title: 'test set' });
    expect([img.width, img.height]).toEqual([expected.width, expected.height]);
  });
});
