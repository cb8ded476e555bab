import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLectureModel, describeLayers, formatLayerTable } from '../src/model/lecture-cnn.js';

beforeAll(async () => {
  await tf.setBackend('cpu'); // shapes and counts only: no training here
});

describe('the lecture model', () => {
  it('has the lecture shapes after each layer', () => {
    const rows = describeLayers(buildLectureModel());
    expect(rows.map((r) => [r.name, r.shape])).toEqual([
      ['conv1', [26, 26, 25]],
      ['pool1', [13, 13, 25]],
      ['conv2', [11, 11, 50]],
      ['pool2', [5, 5, 50]],
      ['flatten', [1250]],
      ['dense100', [100]],
      ['output', [10]],
    ]);
  });

  it('counts parameters, far fewer than a fully connected net of the same widths', () => {
    const rows = describeLayers(buildLectureModel());
    const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
    // 3*3*1*25 + 25, 3*3*25*50 + 50, 1250*100 + 100, 100*10 + 10
    expect(byName.conv1!.params).toBe(250);
    expect(byName.conv2!.params).toBe(11_300);
    expect(byName.dense100!.params).toBe(125_100);
    expect(byName.output!.params).toBe(1_010);
    // A dense layer from 28*28 inputs to 26*26*25 outputs.
    expect(byName.conv1!.denseParams).toBe(784 * 16_900 + 16_900);
    expect(byName.conv2!.denseParams).toBe(13 * 13 * 25 * 6_050 + 6_050);
    const table = formatLayerTable(rows);
    expect(table).toMatch(/^total\s+137,660\s+38,959,910$/m);
  });

  it('gives the same starting weights for the same seed, and others for another seed', () => {
    const w = (seed: number) =>
      (buildLectureModel(seed).getLayer('conv1').getWeights()[0]!.dataSync() as Float32Array).slice(0, 8);
    expect(Array.from(w(3))).toEqual(Array.from(w(3)));
    expect(Array.from(w(3))).not.toEqual(Array.from(w(4)));
  });
});
