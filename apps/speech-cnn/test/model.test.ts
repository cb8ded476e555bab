import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FEATURES, inputShape } from '../src/features/index.js';
import { FREQ_DEFAULTS, SpeechClassifier, build2dModel, buildFreqModel, buildModel, combineSpeechModels, loadSpeechClassifier, saveSpeechEnsemble, saveSpeechModel, speechModelInfo } from '../src/model/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu'); // shapes only: nothing is trained here
});

describe('freq model (cnn-one-fstride4)', () => {
  const input = inputShape(DEFAULT_FEATURES);

  it('has filters spanning every frame and 8 bands, sliding along frequency only with stride 4', () => {
    const model = buildFreqModel(input, 10);
    expect(model.getLayer('time_pool').outputShape).toEqual([null, 32, 40, 1]); // the paper's 32 x 40 input
    const conv = model.getLayer('freq_conv');
    const kernel = conv.getWeights()[0] as tf.Tensor;
    expect(kernel.shape).toEqual([32, 8, 1, 186]);
    // One position in time, (40 - 8) / 4 + 1 = 9 along frequency.
    expect(conv.outputShape).toEqual([null, 1, 9, 186]);
    expect(model.outputShape).toEqual([null, 10]);
  });

  it('frequency stride and time pooling are configurable', () => {
    const model = buildFreqModel(input, 10, { ...FREQ_DEFAULTS, freqStride: 1, timePool: 1 });
    expect(model.getLayer('freq_conv').outputShape).toEqual([null, 1, 33, 186]);
    expect((model.getLayer('freq_conv').getWeights()[0] as tf.Tensor).shape).toEqual([98, 8, 1, 186]);
  });

  it('with a short time context, filters slide along time too and each map keeps its maximum over time', () => {
    const model = buildModel('freq', input, 10, 1, { timeContext: 8 });
    expect((model.getLayer('freq_conv').getWeights()[0] as tf.Tensor).shape).toEqual([8, 8, 1, 186]);
    expect(model.getLayer('freq_conv').outputShape).toEqual([null, 25, 9, 186]);
    expect(model.getLayer('time_max').outputShape).toEqual([null, 1, 9, 186]);
    // The same pattern anywhere in time gives the same output: move a blob 6 (pooled) frames later (both stay far
    // enough from the edges that every filter position partly over them exists).
    const x = tf.buffer([2, ...input, 1]);
    for (let t = 0; t < 27; t++) for (let b = 10; b < 18; b++) x.set(Math.sin(t + b), 0, t + 24, b, 0);
    for (let t = 0; t < 27; t++) for (let b = 10; b < 18; b++) x.set(Math.sin(t + b), 1, t + 42, b, 0);
    const conv = tf.model({ inputs: model.inputs, outputs: model.getLayer('time_max').output as tf.SymbolicTensor });
    const [a, b] = tf.unstack(conv.predict(x.toTensor()) as tf.Tensor);
    expect(tf.max(tf.abs(tf.sub(a as tf.Tensor, b as tf.Tensor))).dataSync()[0]).toBeLessThan(1e-5);
    expect(() => buildModel('freq', input, 10, 1, { timeContext: 33 })).toThrow(/time context of 33 frames does not fit 32/);
    expect(() => buildModel('2d', input, 10, 1, { timeContext: 8 })).toThrow(/freq model only/);
  });

  it('outputs a probability distribution per example', () => {
    const model = buildFreqModel(input, 4);
    const p = model.predict(tf.randomUniform([3, ...input, 1])) as tf.Tensor;
    const sums = p.sum(1).arraySync() as number[];
    for (const s of sums) expect(s).toBeCloseTo(1, 5);
  });
});

describe('2d model (cnn-trad-fpool3)', () => {
  it('convolves 20x8 with 64 maps, pools 3 in frequency, then convolves 10x4 (on the 32 x 40 input)', () => {
    const model = build2dModel(inputShape(DEFAULT_FEATURES), 10);
    expect(model.getLayer('conv1').outputShape).toEqual([null, 13, 33, 64]);
    expect(model.getLayer('fpool').outputShape).toEqual([null, 13, 11, 64]);
    expect(model.getLayer('conv2').outputShape).toEqual([null, 4, 8, 64]);
    expect(model.outputShape).toEqual([null, 10]);
  });
});

describe('regularisation settings', () => {
  const input = inputShape(DEFAULT_FEATURES);

  it('weight decay adds one L2 penalty per kernel, equal to l2 * sum of its squared weights', () => {
    expect(buildFreqModel(input, 10).calculateLosses()).toHaveLength(0);
    const model = buildModel('freq', input, 10, 1, { l2: 1e-3, hidden: 48 });
    expect(model.getLayer('hidden').outputShape).toEqual([null, 48]);
    const penalties = model.calculateLosses();
    expect(penalties).toHaveLength(4); // freq_conv, linear, hidden, softmax
    const kernels = ['freq_conv', 'linear', 'hidden', 'softmax'].map((n) => model.getLayer(n).getWeights()[0] as tf.Tensor);
    const want = kernels.reduce((a, k) => a + 1e-3 * (k.square().sum().dataSync()[0] as number), 0);
    const got = penalties.reduce((a, p) => a + (p.dataSync()[0] as number), 0);
    expect(got).toBeCloseTo(want, 4);
    expect(buildModel('2d', input, 10, 1, { l2: 1e-3 }).calculateLosses()).toHaveLength(5);
  });
});

describe('model metadata', () => {
  const base = { kind: 'freq', labels: ['a', 'b'], features: DEFAULT_FEATURES };

  it('accepts metadata without a normalisation (older models: peak) and with cmvn', () => {
    expect(speechModelInfo(base, 'm.json').features.norm).toBeUndefined();
    expect(speechModelInfo({ ...base, features: { ...DEFAULT_FEATURES, norm: 'cmvn' } }, 'm.json').features.norm).toBe('cmvn');
  });

  it('rejects a stretch that is not a boolean, naming the file and field', () => {
    expect(() => speechModelInfo({ ...base, features: { ...DEFAULT_FEATURES, stretch: 'yes' } }, 'm.json')).toThrow(/m\.json.*features\.stretch.*true or false.*"yes"/);
  });

  it('accepts a whole-number lifter and rejects any other, naming the file and field', () => {
    expect(speechModelInfo({ ...base, features: { ...DEFAULT_FEATURES, lifter: 12 } }, 'm.json').features.lifter).toBe(12);
    expect(() => speechModelInfo({ ...base, features: { ...DEFAULT_FEATURES, lifter: 2.5 } }, 'm.json')).toThrow(/m\.json.*features\.lifter.*whole number.*2\.5/);
  });

  it('rejects a stretchKeep outside [0, 1], naming the file and field', () => {
    expect(speechModelInfo({ ...base, features: { ...DEFAULT_FEATURES, stretch: true, stretchKeep: 0.5 } }, 'm.json').features.stretchKeep).toBe(0.5);
    expect(() => speechModelInfo({ ...base, features: { ...DEFAULT_FEATURES, stretch: true, stretchKeep: 2 } }, 'm.json')).toThrow(/m\.json.*features\.stretchKeep.*\[0, 1\].*2/);
  });

  it('keeps a lengthCue and rejects one that is not a whole number of bands, naming the file and field', () => {
    expect(speechModelInfo({ ...base, features: { ...DEFAULT_FEATURES, lengthCue: 8 } }, 'm.json').features.lengthCue).toBe(8);
    expect(() => speechModelInfo({ ...base, features: { ...DEFAULT_FEATURES, lengthCue: 2.5 } }, 'm.json')).toThrow(/m\.json.*features\.lengthCue.*whole number.*2\.5/);
    expect(() => speechModelInfo({ ...base, features: { ...DEFAULT_FEATURES, lengthCue: true } }, 'm.json')).toThrow(/features\.lengthCue/);
  });

  it('rejects an unknown normalisation, naming the file and field', () => {
    expect(() => speechModelInfo({ ...base, features: { ...DEFAULT_FEATURES, norm: 'zscore' } }, 'm.json')).toThrow(/m\.json.*features\.norm.*peak, cmn, cmvn.*zscore/);
  });
});

describe('ensembles', () => {
  const features = { ...DEFAULT_FEATURES, seconds: 0.3 };
  const info = { kind: 'freq' as const, labels: ['a', 'b', 'c'], features };
  const tone = Float32Array.from({ length: 2000 }, (_, i) => 0.4 * Math.sin(i / 4));
  const noise = Float32Array.from({ length: 1500 }, (_, i) => 0.3 * Math.sin(i * i * 0.001));

  it("answers the mean of its members' softmax, each member featurising as its own metadata says", () => {
    const m1 = buildFreqModel(inputShape(features), 3, FREQ_DEFAULTS, 1);
    const trim10 = { ...info, features: { ...features, trimDb: 10, rangeDb: 40 } };
    const m2 = buildFreqModel(inputShape(trim10.features), 3, FREQ_DEFAULTS, 2);
    const alone1 = new SpeechClassifier(m1, info).probabilities([tone, noise]);
    const alone2 = new SpeechClassifier(m2, trim10).probabilities([tone, noise]);
    const both = new SpeechClassifier(m1, info, [{ model: m2, info: trim10 }]);
    const mean = both.probabilities([tone, noise]);
    expect(alone1.some((v, i) => Math.abs(v - (alone2[i] as number)) > 1e-3)).toBe(true);
    mean.forEach((v, i) => expect(v).toBeCloseTo(((alone1[i] as number) + (alone2[i] as number)) / 2, 5));
    // The drawn spectrogram is the first member's input.
    const r = both.classify({ samples: tone, sampleRate: features.mel.sampleRate });
    expect(Array.from(r.spectrogram.data)).toEqual(Array.from(both.features(tone, 0)));
    expect(r.ranked.reduce((s, p) => s + p.probability, 0)).toBeCloseTo(1, 5);
  });

  it('a model folder holds one kind at a time: each save removes what the other kind, or a larger ensemble, left, and keeps its members\' checkpoints', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'speech-ensemble-'));
    try {
      const meta = { app: 'speech-cnn', ...info };
      const net = (seed: number) => ({ model: buildFreqModel(inputShape(features), 3, FREQ_DEFAULTS, seed), metadata: meta });
      await saveSpeechModel(net(1).model, dir, meta);
      await saveSpeechEnsemble(dir, [net(1), net(2), net(3)], { app: 'speech-cnn' });
      expect(readdirSync(dir).sort()).toEqual(['ensemble.json', 'member-1', 'member-2', 'member-3']);
      // A training run writes its members' checkpoints before the save; they stay, the third member goes.
      mkdirSync(join(dir, 'member-1', 'checkpoints'));
      await saveSpeechEnsemble(dir, [net(4), net(5)], { app: 'speech-cnn' });
      expect(readdirSync(dir).sort()).toEqual(['ensemble.json', 'member-1', 'member-2']);
      expect(existsSync(join(dir, 'member-1', 'checkpoints'))).toBe(true);
      expect((await loadSpeechClassifier(dir)).members).toHaveLength(2);
      await saveSpeechModel(net(6).model, dir, meta);
      expect(existsSync(join(dir, 'ensemble.json'))).toBe(false);
      expect(readdirSync(dir).some((n) => n.startsWith('member-'))).toBe(false);
      expect((await loadSpeechClassifier(dir)).members).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('combining into a folder swaps the members in whole: old members and leftovers of a killed run go', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'speech-combine-'));
    try {
      const meta = { app: 'speech-cnn', ...info };
      for (const k of [1, 2, 3]) await saveSpeechModel(buildFreqModel(inputShape(features), 3, FREQ_DEFAULTS, k), join(dir, `m${k}`), meta);
      const out = join(dir, 'out');
      await combineSpeechModels([join(dir, 'm1'), join(dir, 'm2'), join(dir, 'm3')], out);
      // What a run killed while copying leaves: a half-copied member beside the (still whole) old ensemble.
      mkdirSync(join(out, 'member-5.partial'));
      expect((await loadSpeechClassifier(out)).members).toHaveLength(3);
      await combineSpeechModels([join(dir, 'm2'), join(dir, 'm3')], out);
      expect(readdirSync(out).sort()).toEqual(['ensemble.json', 'member-1', 'member-2']);
      expect(readdirSync(join(out, 'member-1')).sort()).toEqual(['metadata.json', 'model.json', 'weights.bin']);
      expect((await loadSpeechClassifier(out)).members).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses members that know other words or read another sample rate', () => {
    const m = buildFreqModel(inputShape(features), 3);
    const other = { ...info, labels: ['a', 'b', 'd'] };
    expect(() => new SpeechClassifier(m, info, [{ model: m, info: other }])).toThrow(/member 2 knows the words a, b, d/);
    const rate16k = { ...info, features: { ...features, mel: { ...features.mel, sampleRate: 16000 } } };
    expect(() => new SpeechClassifier(m, info, [{ model: m, info: rate16k }])).toThrow(/member 2 reads audio at 16000 Hz/);
  });
});
