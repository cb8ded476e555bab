// MNIST-style preparation of drawings and photos, and the geometry that lays Grad-CAM over the input.
import { initBackend } from '@cnn-lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyseDigit, mapOntoInput, receptiveGeometry, shownLayers } from '../src/explain/analyse.js';
import { INK_BOX, isLightPaper, mnistStyle, resizeArea } from '../src/mnist/center.js';
import { buildLectureModel } from '../src/model/lecture-cnn.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

/** A white page w x h with a black bar (a "1") from (x, y0) to (x, y1), `thick` pixels wide. */
function drawnOne(w: number, h: number, x: number, y0: number, y1: number, thick: number) {
  const data = new Float32Array(w * h).fill(1);
  for (let y = y0; y < y1; y++) for (let dx = 0; dx < thick; dx++) data[y * w + x + dx] = 0;
  return { width: w, height: h, data };
}

function bounds(image: Float32Array) {
  let [top, bottom, left, right] = [28, -1, 28, -1];
  let mass = 0;
  let cy = 0;
  let cx = 0;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const v = image[y * 28 + x]!;
      if (v > 0.2)
        [top, bottom, left, right] = [Math.min(top, y), Math.max(bottom, y), Math.min(left, x), Math.max(right, x)];
      mass += v;
      cy += v * y;
      cx += v * x;
    }
  }
  return { top, bottom, left, right, cy: cy / mass, cx: cx / mass };
}

describe('mnistStyle', () => {
  it('inverts a dark stroke on paper, scales it to 20 pixels and centres its mass', () => {
    // A small "1" in the top-left corner of a big page.
    const r = mnistStyle(drawnOne(400, 300, 30, 20, 120, 12));
    expect(r.inverted).toBe(true);
    expect(r.hasInk).toBe(true);
    const b = bounds(r.image);
    expect(b.bottom - b.top + 1).toBeGreaterThanOrEqual(INK_BOX - 1);
    expect(b.bottom - b.top + 1).toBeLessThanOrEqual(INK_BOX + 1);
    expect(Math.abs(b.cy - 13.5)).toBeLessThan(1);
    expect(Math.abs(b.cx - 13.5)).toBeLessThan(1);
  });

  it('keeps light-on-dark pictures as they are, and stretches a faint grey scan to full ink', () => {
    const dark = drawnOne(60, 60, 28, 10, 50, 4);
    dark.data.forEach((v, i) => (dark.data[i] = 0.3 + 0.3 * (1 - v))); // grey ink 0.6 on grey paper 0.3
    expect(isLightPaper(dark)).toBe(false);
    const r = mnistStyle(dark);
    expect(r.inverted).toBe(false);
    expect(Math.max(...r.image)).toBeCloseTo(1, 5);
    expect(Math.min(...r.image)).toBe(0);
  });

  it('area-resizing keeps the mean ink', () => {
    const img = drawnOne(90, 90, 40, 5, 85, 9);
    const small = resizeArea(img, 20, 20);
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(small.data)).toBeCloseTo(mean(img.data), 5);
  });

  it('refuses a picture whose values do not fill it', () => {
    expect(() => mnistStyle({ width: 4, height: 4, data: new Float32Array(3) })).toThrow(/3 values for a 4x4 picture/);
  });
});

describe('analysing one digit', () => {
  it("places conv2's units over the input from the kernels and strides", () => {
    const model = buildLectureModel(1);
    expect(receptiveGeometry(model, 'conv1')).toEqual({ start: 1, step: 1 });
    expect(receptiveGeometry(model, 'conv2')).toEqual({ start: 3.5, step: 2 });
    // A map lit in one unit lights the input around that unit's centre.
    const map = new Float32Array(121);
    map[5 * 11 + 5] = 1;
    const on = mapOntoInput(map, 11, 11, { start: 3.5, step: 2 });
    const peak = on.indexOf(Math.max(...on));
    expect([Math.floor(peak / 28), peak % 28]).toEqual([13, 13]);
  });

  it('returns every shown layer, the probabilities, SmoothGrad and Grad-CAM', async () => {
    const model = buildLectureModel(1);
    const image = new Float32Array(784);
    for (let y = 4; y < 24; y++) image[y * 28 + 14] = 1;
    const a = await analyseDigit(model, image, { target: 3 });
    expect(shownLayers(model).map((l) => l.name)).toEqual(['conv1', 'pool1', 'conv2', 'pool2', 'dense100', 'output']);
    expect(a.layers.map((l) => [l.height, l.width, l.channels])).toEqual([
      [26, 26, 25],
      [13, 13, 25],
      [11, 11, 50],
      [5, 5, 50],
      [1, 1, 100],
      [1, 1, 10],
    ]);
    expect(a.probabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 4);
    expect(a.target).toBe(3);
    expect(a.saliency).toHaveLength(784);
    expect(Math.max(...a.saliency)).toBeLessThanOrEqual(1);
    expect([a.gradCam.layer, a.gradCam.height, a.gradCam.width]).toEqual(['conv2', 11, 11]);
    expect(a.gradCam.onInput).toHaveLength(784);
    await expect(analyseDigit(model, image, { target: 10 })).rejects.toThrow(/target class 10/);
  });
});
