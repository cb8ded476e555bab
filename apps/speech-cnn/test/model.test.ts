import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { saveModel } from '@cnn-lab/core';
import { DEFAULT_FEATURES, inputShape } from '../src/features/index.js';
import {
  FREQ_DEFAULTS,
  SpeechClassifier,
  build2dModel,
  buildFreqModel,
  combineSpeechModels,
  loadSpeechClassifier,
  memberFolders,
  speechModelInfo,
} from '../src/model/index.js';

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

describe('model metadata', () => {
  const base = { kind: 'freq', labels: ['a', 'b'], features: DEFAULT_FEATURES };

  it('returns the features this version reads, accepting the "off" values older models wrote (norm peak, stretchKeep 0)', () => {
    const old = { ...base, features: { ...DEFAULT_FEATURES, norm: 'peak', stretch: true, stretchKeep: 0 } };
    expect(speechModelInfo(old, 'm.json').features).toEqual({ ...DEFAULT_FEATURES, stretch: true });
    expect(speechModelInfo({ ...base, features: { ...DEFAULT_FEATURES, stretch: false } }, 'm.json').features).toEqual(
      DEFAULT_FEATURES,
    );
  });

  it('rejects a stretch that is not a boolean, naming the file and field', () => {
    expect(() => speechModelInfo({ ...base, features: { ...DEFAULT_FEATURES, stretch: 'yes' } }, 'm.json')).toThrow(
      /m\.json: field "features\.stretch" is "yes"; expected true or false/,
    );
  });

  it.each([
    ['norm', 'cmvn', '--norm cmn/cmvn'],
    ['lifter', 12, '--lifter'],
    ['stretchKeep', 0.5, '--stretch-keep'],
    ['lengthCue', 8, '--length-cue'],
  ])(
    'refuses a model trained with a retired switch (features.%s = %s), naming the file, field and switch',
    (field, value, flag) => {
      const meta = { ...base, features: { ...DEFAULT_FEATURES, [field]: value } };
      expect(() => speechModelInfo(meta, 'm.json')).toThrow(
        new RegExp(`m\\.json.*"features\\.${field}".*trained with ${flag}, which this version no longer has`),
      );
    },
  );

  it('rejects missing or impossible settings, naming the file and field', () => {
    expect(() => speechModelInfo(null, 'm.json')).toThrow(/m\.json.*missing/);
    expect(() => speechModelInfo({ ...base, kind: 'rnn' }, 'm.json')).toThrow(
      /m\.json: field "kind" is "rnn"; expected one of freq, 2d/,
    );
    expect(() => speechModelInfo({ ...base, labels: ['a'] }, 'm.json')).toThrow(
      /field "labels" is \["a"\]; expected a list of at least 2 strings/,
    );
    expect(() => speechModelInfo({ ...base, features: { ...DEFAULT_FEATURES, trimDb: -1 } }, 'm.json')).toThrow(
      /field "features\.trimDb" is -1/,
    );
    expect(() => speechModelInfo({ ...base, features: { ...DEFAULT_FEATURES, rangeDb: '40' } }, 'm.json')).toThrow(
      /field "features\.rangeDb" is "40"/,
    );
    expect(() => speechModelInfo({ ...base, features: { ...DEFAULT_FEATURES, seconds: 0 } }, 'm.json')).toThrow(
      /field "features\.seconds" is 0/,
    );
    expect(() =>
      speechModelInfo(
        { ...base, features: { ...DEFAULT_FEATURES, mel: { ...DEFAULT_FEATURES.mel, window: 'boxcar' } } },
        'm.json',
      ),
    ).toThrow(/field "features\.mel\.window" is "boxcar"; expected one of hann, hamming/);
    expect(() =>
      speechModelInfo(
        { ...base, features: { ...DEFAULT_FEATURES, mel: { ...DEFAULT_FEATURES.mel, fftSize: 128 } } },
        'm.json',
      ),
    ).toThrow(/m\.json: field "features\.mel": fftSize must be a power of two/);
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

  /** The folder's entries, member folders shown as `member-<k>` (their names carry a token). */
  const entries = (dir: string) =>
    readdirSync(dir)
      .map((n) => n.replace(/^(member-\d+)-[0-9a-f]{8}$/, '$1'))
      .sort();

  it('combining into a folder that holds a single model turns it into an ensemble folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'speech-ensemble-'));
    try {
      const meta = { app: 'speech-cnn', ...info };
      const net = (seed: number) => buildFreqModel(inputShape(features), 3, FREQ_DEFAULTS, seed);
      for (const k of [1, 2]) await saveModel(net(k), join(dir, `m${k}`), meta);
      const out = join(dir, 'out');
      await saveModel(net(3), out, meta);
      expect((await loadSpeechClassifier(out)).members).toHaveLength(1);
      await combineSpeechModels([join(dir, 'm1'), join(dir, 'm2')], out);
      expect(entries(out)).toEqual(['ensemble.json', 'member-1', 'member-2']);
      expect((await loadSpeechClassifier(out)).members).toHaveLength(2);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("combining into a folder replaces its members whole, keeps each member's metadata and learning curves, and names the sources", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'speech-combine-'));
    try {
      const trim10 = { ...info, features: { ...features, trimDb: 10 } };
      for (const k of [1, 2, 3])
        await saveModel(buildFreqModel(inputShape(features), 3, FREQ_DEFAULTS, k), join(dir, `m${k}`), {
          app: 'speech-cnn',
          ...(k === 3 ? trim10 : info),
          training: { seed: k },
        });
      writeFileSync(join(dir, 'm3', 'history.png'), 'curves');
      const out = join(dir, 'out');
      await combineSpeechModels([join(dir, 'm1'), join(dir, 'm2'), join(dir, 'm3')], out);
      expect((await loadSpeechClassifier(out)).members).toHaveLength(3);
      await combineSpeechModels([join(dir, 'm2'), join(dir, 'm3')], out);
      expect(entries(out)).toEqual(['ensemble.json', 'member-1', 'member-2']);
      const loaded = await loadSpeechClassifier(out);
      expect(loaded.members.map((m) => m.info.features.trimDb)).toEqual([features.trimDb, 10]);
      const [, second] = await memberFolders(out);
      expect(JSON.parse(readFileSync(join(second as string, 'metadata.json'), 'utf8'))).toMatchObject({
        app: 'speech-cnn',
        training: { seed: 3 },
      });
      expect(readFileSync(join(second as string, 'history.png'), 'utf8')).toBe('curves');
      expect(JSON.parse(readFileSync(join(out, 'ensemble.json'), 'utf8'))).toMatchObject({
        app: 'speech-cnn',
        kind: 'freq',
        from: [join(dir, 'm2'), join(dir, 'm3')],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses members that know other words or read another sample rate', () => {
    const m = buildFreqModel(inputShape(features), 3);
    const other = { ...info, labels: ['a', 'b', 'd'] };
    expect(() => new SpeechClassifier(m, info, [{ model: m, info: other }])).toThrow(
      /member 2 knows the words a, b, d/,
    );
    const rate16k = { ...info, features: { ...features, mel: { ...features.mel, sampleRate: 16000 } } };
    expect(() => new SpeechClassifier(m, info, [{ model: m, info: rate16k }])).toThrow(
      /member 2 reads audio at 16000 Hz/,
    );
  });
});
