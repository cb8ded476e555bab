import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@cnn-lab/core';
import { padBatch } from '../src/data/index.js';
import { keepFirstRows, kimConfigOf, variantOf } from '../src/experiments/shrink.js';
import { buildKimCnn } from '../src/model/index.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

const config = {
  vocabSize: 40,
  classes: 3,
  variant: 'rand' as const,
  embeddingDim: 8,
  windows: [2, 3],
  featureMaps: 4,
  dropout: 0.5,
  maxNorm: 3,
  seed: 2,
};

function expectClose(a: number[], b: number[]): void {
  expect(a.length).toBe(b.length);
  a.forEach((x, i) => expect(x).toBeCloseTo(b[i] as number, 6));
}

function probabilities(model: tf.LayersModel, sentences: number[][]): number[] {
  const { data, shape } = padBatch(
    sentences.map((s) => Int32Array.from(s)),
    3,
  );
  return tf.tidy(() => Array.from((model.predict(tf.tensor2d(data, shape, 'int32')) as tf.Tensor).dataSync()));
}

/** A fresh net's softmax weights are zero (Kim's start): give them values, as training would, so answers differ. */
function asTrained(model: tf.LayersModel): tf.LayersModel {
  const out = model.getLayer('softmax');
  const [kernel, bias] = out.getWeights() as [tf.Tensor, tf.Tensor];
  const values = tf.tidy(() => [tf.randomUniform(kernel.shape, -1, 1, 'float32', 7), bias.clone()]);
  out.setWeights(values);
  values.forEach((t) => t.dispose());
  return model;
}

describe('keepFirstRows', () => {
  it('reads the shape of a trained net off its layers', () => {
    const model = buildKimCnn(config);
    expect(kimConfigOf(model)).toMatchObject({
      vocabSize: 40,
      classes: 3,
      embeddingDim: 8,
      windows: [2, 3],
      featureMaps: 4,
    });
    model.dispose();
  });

  it("tells Kim's variants apart by their word-vector layers", () => {
    const vectors = new Float32Array(config.vocabSize * config.embeddingDim).fill(0.1);
    for (const variant of ['static', 'multichannel'] as const) {
      const model = buildKimCnn({ ...config, variant, embeddings: vectors });
      expect(variantOf(model)).toBe(variant);
      model.dispose();
    }
    const rand = buildKimCnn(config);
    expect(variantOf(rand)).toBe('rand');
    rand.dispose();
  });

  it('answers as the full model on sentences of kept words, and as if the others were <unk>', () => {
    const model = asTrained(buildKimCnn(config));
    const small = keepFirstRows(model, 12);
    expect(small.getLayer('embedding').getWeights()[0]?.shape).toEqual([12, 8]);
    const kept = [
      [2, 5, 11, 7],
      [3, 3, 9],
    ];
    expectClose(probabilities(small, kept), probabilities(model, kept));
    // Word 30 is gone: the small model reads it as <unk> (id 1), as the cut vocabulary will encode it.
    expectClose(probabilities(small, [[2, 1, 11]]), probabilities(model, [[2, 1, 11]]));
    expect(probabilities(model, [[2, 30, 11]])).not.toEqual(probabilities(model, [[2, 1, 11]]));
    model.dispose();
    small.dispose();
  });

  it('refuses to keep as many words as the model has, or fewer than pad and unknown', () => {
    const model = buildKimCnn(config);
    expect(() => keepFirstRows(model, 40)).toThrow(/has 40 words; asked to keep 40/);
    expect(() => keepFirstRows(model, 1)).toThrow(/>= 2/);
    model.dispose();
  });
});
