import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, initBackend } from '@cnn-lab/core';
import { padBatch, prepareSplit, type Example } from '../src/data/index.js';
import { Explainer } from '../src/explain/explainer.js';
import { KIM_DEFAULTS, buildKimCnn, convName, poolName, trainOnSplit } from '../src/model/index.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

const base = { ...KIM_DEFAULTS, vocabSize: 50, classes: 2, seed: 1 };

describe('Kim CNN', () => {
  it('has filters of 3, 4 and 5 words spanning the whole embedding width, 100 maps each, and a softmax', () => {
    const model = buildKimCnn({ ...base, variant: 'rand' });
    for (const h of [3, 4, 5]) expect(model.getLayer(convName(h)).getWeights()[0]?.shape).toEqual([h, 300, 100]);
    expect(model.getLayer('features').outputShape).toEqual([null, 300]);
    expect(model.outputs[0]?.shape).toEqual([null, 2]);
    model.dispose();
  });

  it('pools over time: each feature is the largest value of its feature map over all positions', () => {
    const model = buildKimCnn({ ...base, variant: 'rand' });
    const probe = tf.model({
      inputs: model.inputs,
      outputs: [model.getLayer(convName(4)).output, model.getLayer(poolName(4)).output] as tf.SymbolicTensor[],
    });
    const x = tf.tensor2d([[0, 0, 0, 0, 7, 3, 9, 12, 4, 0, 0, 0, 0, 0]], [1, 14], 'int32');
    const [conv, pooled] = probe.predict(x) as tf.Tensor[];
    expect(conv?.shape).toEqual([1, 14 - 4 + 1, 100]);
    const expected = tf.max(conv as tf.Tensor, 1);
    expect(Array.from(pooled!.dataSync())).toEqual(Array.from(expected.dataSync()));
    model.dispose();
  });

  it("a sentence's prediction does not depend on the length of its batch (padding gives every filter a pad window)", () => {
    const model = buildKimCnn({ ...base, variant: 'rand' });
    const short = Int32Array.from([5, 9, 11]);
    const long = Int32Array.from({ length: 30 }, (_, i) => 2 + (i % 40));
    const alone = padBatch([short], 5);
    const beside = padBatch([short, long], 5);
    const p1 = (model.predict(tf.tensor2d(alone.data, alone.shape, 'int32')) as tf.Tensor).dataSync();
    const p2 = (model.predict(tf.tensor2d(beside.data, beside.shape, 'int32')) as tf.Tensor).dataSync();
    expect(p2[0]).toBeCloseTo(p1[0] as number, 5);
    model.dispose();
  });

  it("starts as Kim's code does: zero padding vector, filters in U(-0.01, 0.01), zero softmax weights", () => {
    const model = buildKimCnn({ ...base, variant: 'rand' });
    const largestOf = (values: Float32Array) => values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const table = model.getLayer('embedding').getWeights()[0]!.dataSync() as Float32Array;
    expect(Array.from(table.subarray(0, 300)).every((v) => v === 0)).toBe(true);
    expect(largestOf(table.subarray(300))).toBeGreaterThan(0.2);
    for (const h of [3, 4, 5]) {
      const largest = largestOf(model.getLayer(convName(h)).getWeights()[0]!.dataSync() as Float32Array);
      expect(largest).toBeLessThanOrEqual(0.01);
      expect(largest).toBeGreaterThan(0.009);
    }
    expect(Array.from(model.getLayer('softmax').getWeights()[0]!.dataSync()).every((v) => v === 0)).toBe(true);
    model.dispose();
  });

  it("drops units as Kim's code does: kept units unscaled in training, the features times (1 - p) at test time", () => {
    const model = buildKimCnn({ ...base, variant: 'rand' });
    const x = tf.tensor2d([[0, 0, 0, 0, 7, 3, 9, 12, 4, 0, 0, 0, 0, 0]], [1, 14], 'int32');
    const probe = tf.model({
      inputs: model.inputs,
      outputs: [model.getLayer('features').output, model.getLayer('dropout_scale').output] as tf.SymbolicTensor[],
    });
    const [z, test] = probe.predict(x) as tf.Tensor[];
    const zv = z!.dataSync();
    expect(Array.from(test!.dataSync())).toEqual(Array.from(zv, (v) => Math.fround(v * 0.5)));
    const train = tf.tidy(() => {
      const dropped = model.getLayer('dropout').apply(tf.tensor2d(zv, [1, 300]), { training: true }) as tf.Tensor;
      return (model.getLayer('dropout_scale').apply(dropped) as tf.Tensor).dataSync();
    });
    // Every unit is either dropped or passed unchanged (tfjs's 1 / (1 - p) undone by the rescaling).
    train.forEach((v, i) => expect([0, zv[i]]).toContainEqual(expect.closeTo(v, 6)));
    expect(train.filter((v, i) => v === 0 && zv[i] !== 0).length).toBeGreaterThan(50);
    model.dispose();
  });

  it('static keeps pretrained vectors fixed; multichannel runs a fixed and a tuned channel through the same filters, summed', () => {
    const vectors = new Float32Array(50 * 8).map((_, i) => (i % 7) / 10);
    const cfg = { ...base, embeddingDim: 8, embeddings: vectors };
    const stat = buildKimCnn({ ...cfg, variant: 'static' });
    expect(stat.getLayer('embedding').trainable).toBe(false);
    // The pretrained rows as given, but the padding word's (row 0), which is zero.
    const table = stat.getLayer('embedding').getWeights()[0]!.dataSync();
    expect(Array.from(table.subarray(8))).toEqual(Array.from(vectors.subarray(8)));
    expect(Array.from(table.subarray(0, 8))).toEqual(new Array(8).fill(0));
    const multi = buildKimCnn({ ...cfg, variant: 'multichannel' });
    expect(multi.getLayer('embedding_static').trainable).toBe(false);
    expect(multi.getLayer('embedding_tuned').trainable).toBe(true);
    // One filter bank of width k for both channels (not 2k input channels with weights of their own).
    expect(multi.getLayer(convName(3)).getWeights()[0]?.shape).toEqual([3, 8, 100]);
    // With the tuned channel moved away from the fixed one, each filter's map is w . x_static + w . x_tuned + b.
    const tuned = multi.getLayer('embedding_tuned');
    const moved = tf.tensor2d(
      vectors.map((v, i) => (i < 8 ? 0 : v * -2 + 0.05 * (i % 3))),
      [50, 8],
    );
    tuned.setWeights([moved]);
    const ids = tf.tensor2d([[0, 0, 0, 0, 7, 3, 9, 12, 4, 0, 0, 0, 0, 0]], [1, 14], 'int32');
    const probe = tf.model({ inputs: multi.inputs, outputs: multi.getLayer(convName(3)).output });
    const got = (probe.predict(ids) as tf.Tensor).dataSync();
    const [kernel, bias] = multi.getLayer(convName(3)).getWeights() as [tf.Tensor3D, tf.Tensor1D];
    const mapOf = (t: tf.Tensor2D) =>
      tf.relu(
        tf.add(tf.conv1d(tf.expandDims<tf.Tensor3D>(tf.gather(t, ids.reshape([14])), 0), kernel, 1, 'valid'), bias),
      );
    const fixed = multi.getLayer('embedding_static').getWeights()[0] as tf.Tensor2D;
    const want = mapOf(tf.add<tf.Tensor2D>(fixed, moved)).dataSync();
    expect(Array.from(got).map((v) => Number(v.toFixed(4)))).toEqual(Array.from(want).map((v) => Number(v.toFixed(4))));
    expect(Array.from(got).some((v) => v > 0)).toBe(true);
    expect(() => buildKimCnn({ ...base, variant: 'non-static' })).toThrow(/--embeddings/);
    [stat, multi].forEach((m) => m.dispose());
  });
});

/** Class 1 sentences hold one of a few "cue" words among random filler; class 0 sentences never do. */
function syntheticSet(n: number, seed: number): Example[] {
  const rng = new Rng(seed);
  const filler = Array.from({ length: 30 }, (_, i) => `w${i}`);
  const cues = ['superb', 'wonderful', 'great'];
  return Array.from({ length: n }, (_, i) => {
    const words = Array.from({ length: 4 + rng.int(8) }, () => filler[rng.int(filler.length)] as string);
    const label = i % 2;
    if (label === 1) words.splice(rng.int(words.length + 1), 0, cues[rng.int(cues.length)] as string);
    return { label: String(label), text: words.join(' '), source: `synthetic:${i + 1}` };
  });
}

describe('training (core fit, Adadelta, max-norm)', () => {
  it('learns a separable synthetic set, keeps the max-norm, and the explanation points at the cue word', async () => {
    const data = prepareSplit(
      { train: syntheticSet(200, 1), dev: syntheticSet(40, 2), test: syntheticSet(60, 3) },
      { tokenizer: 'kim' },
    );
    const r = await trainOnSplit(data, {
      embeddingDim: 100,
      windows: [2, 3],
      featureMaps: 50,
      epochs: 8,
      batchSize: 20,
      seed: 1,
      quiet: true,
    });
    expect(r.testAccuracy).toBeGreaterThan(0.9);
    expect(r.bestEpoch).toBeGreaterThanOrEqual(1);
    const norms = tf.tidy(
      () => tf.norm(r.model.getLayer('softmax').getWeights()[0] as tf.Tensor, 'euclidean', 0).arraySync() as number[],
    );
    for (const n of norms) expect(n).toBeLessThanOrEqual(3 + 1e-4);
    // The padding word never moves from zero.
    expect(Array.from(r.model.getLayer('embedding').getWeights()[0]!.dataSync().subarray(0, 100))).toEqual(
      new Array(100).fill(0),
    );

    const tokens = ['w3', 'w17', 'wonderful', 'w8', 'w21'];
    const e = new Explainer(r.model, data.vocab, data.classes).explain(tokens, 3);
    expect(e.label).toBe('1');
    expect(e.ngrams.length).toBeGreaterThan(0);
    const sentence = ` ${tokens.join(' ')} `;
    for (const g of e.ngrams) expect(sentence).toContain(` ${g.ngram} `);
    expect(e.ngrams[0]?.ngram.split(' ')).toContain('wonderful');
    r.model.dispose();
  });
});
