import { initBackend } from '@cnn-lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLectureModel } from '../src/model/lecture-cnn.js';
import { digitsFromPackage } from '../src/mnist/mnist-package.js';
import { kernelGrid } from '../src/pictures/digit-grids.js';
import { saliencyGrid } from '../src/pictures/saliency-grid.js';
import { unitCount, visualiseLayer } from '../src/pictures/unit-pictures.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

describe('lecture pictures', () => {
  it('makes one picture per class with what the model calls it', async () => {
    const model = buildLectureModel(2);
    const v = await visualiseLayer(model, 'output', 'class', { steps: 5 });
    expect(v.pictures.map((p) => p.unit)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const p of v.pictures) {
      expect(p.image.length).toBe(784);
      expect(p.predicted).toBeGreaterThanOrEqual(0);
      expect(p.confidence).toBeGreaterThan(0);
      expect(p.confidence).toBeLessThanOrEqual(1);
    }
    // Five rows of 28*3 pixels with labels: the grid is laid out 5 by 2.
    expect(v.grid.width).toBeGreaterThan(5 * 84);
    expect(v.grid.width).toBeLessThan(6 * 84 + 60);
  });

  it("counts a layer's units and draws the first layer's kernels", () => {
    const model = buildLectureModel(1);
    expect(unitCount(model, 'conv2')).toBe(50);
    expect(unitCount(model, 'dense100')).toBe(100);
    const grid = kernelGrid(model, 'conv1');
    expect(grid.width).toBeGreaterThan(13 * 24);
    expect(() => kernelGrid(model, 'pool1')).toThrow(/no conv kernel/);
  });

  it('pairs each digit with its saliency map', async () => {
    const fake = Array.from({ length: 10 }, (_, d) => ({
      raw: Array.from({ length: 784 }, (_, i) => ((i * (d + 3)) % 17) / 17),
    }));
    const digits = digitsFromPackage(fake);
    const { predicted, grid } = await saliencyGrid(buildLectureModel(1), digits, 4);
    expect(predicted).toHaveLength(4);
    expect(grid.width).toBeGreaterThan(8 * 84);
  });
});
