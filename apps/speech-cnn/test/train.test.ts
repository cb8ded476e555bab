import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, accuracy, initBackend } from '@cnn-lab/core';
import {
  DEFAULT_FEATURES,
  DEFAULT_AUGMENT,
  LogMel,
  inputShape,
  prepareClip,
  type AugmentOptions,
  type FeatureConfig,
} from '../src/features/index.js';
import { featuriseAll, type LabelledClips } from '../src/data/index.js';
import { predictProbs, trainSpeechModel } from '../src/model/index.js';

const base: FeatureConfig = { ...DEFAULT_FEATURES, seconds: 0.3 };

/** A pitch track over the word, t in [0, 1] -> Hz. */
type Contour = (t: number) => number;

// Tones: three "words" that differ only in pitch. Glides: three that cover the same pitches and differ only in how
// the pitch moves, so the net must read the order of sounds in time.
const tones: Contour[] = [() => 300, () => 900, () => 2200];
const glides: Contour[] = [(t) => 500 + 1000 * t, (t) => 1500 - 1000 * t, (t) => 500 + 1000 * Math.sin(Math.PI * t)];

function makeSet(contours: readonly Contour[], perClass: number, cfg: FeatureConfig, rng: Rng): LabelledClips {
  const clips: LabelledClips['clips'] = [];
  const labels: number[] = [];
  const rate = cfg.mel.sampleRate;
  contours.forEach((contour, c) => {
    for (let k = 0; k < perClass; k++) {
      const scale = rng.uniform(0.93, 1.07);
      const n = Math.round(rate * rng.uniform(0.12, 0.25));
      let phase = rng.uniform(0, 2 * Math.PI);
      // A rise-and-fall envelope, as a spoken word has.
      const x = Float32Array.from({ length: n }, (_, i) => {
        phase += (2 * Math.PI * scale * contour(i / n)) / rate;
        return 0.3 * Math.sin((Math.PI * i) / n) * Math.sin(phase) + 0.02 * rng.normal();
      });
      clips.push(prepareClip(x, cfg));
      labels.push(c);
    }
  });
  return { clips, labels: Int32Array.from(labels) };
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

const gentle: AugmentOptions = { ...DEFAULT_AUGMENT, speed: [0.95, 1.05], snrDb: [15, 30], gainDb: [-3, 3] };

interface Case {
  name: string;
  contours: Contour[];
  features: FeatureConfig;
  augment: AugmentOptions;
}

const cases: Case[] = [
  {
    name: 'tones, peak features, speed/shift/gain/noise augmentation',
    contours: tones,
    features: base,
    augment: gentle,
  },
  // Every switch the shipped recipe uses, at once: trimming, a 40 dB range, stretching, SpecAugment masks, random EQ.
  {
    name: 'glides, trimmed, 40 dB range, stretched, SpecAugment masks and random EQ',
    contours: glides,
    features: { ...base, trimDb: 20, rangeDb: 40, stretch: true },
    augment: { ...gentle, freqMaskBands: 4, timeMaskFrames: 5, eqDb: 6 },
  },
];

describe('training the freq model', () => {
  it.each(cases)(
    'learns to tell synthetic words apart (chance is 33%): $name',
    async ({ contours, features, augment }) => {
      const rng = new Rng(5);
      const train = makeSet(contours, 20, features, rng);
      const test = makeSet(contours, 8, features, rng);
      const { model, history } = await trainSpeechModel({
        kind: 'freq',
        labels: ['a', 'b', 'c'],
        features,
        train,
        epochs: 15,
        batchSize: 16,
        seed: 2,
        learningRate: 3e-3,
        augment,
        workers: 1,
        quiet: true,
      });
      expect(history.epochs).toHaveLength(15);
      expect(history.epochs[14]?.loss).toBeLessThan(history.epochs[0]?.loss as number);
      const probs = predictProbs(
        model,
        featuriseAll(test.clips, features, new LogMel(features.mel)),
        inputShape(features),
      );
      expect(accuracy(probs, test.labels)).toBeGreaterThanOrEqual(0.9);
    },
  );
});
