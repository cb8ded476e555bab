import { beforeAll, describe, expect, it } from 'vitest';
import { Rng, initBackend } from '@cnn-lab/core';
import { DEFAULT_FEATURES, LogMel, inputShape, prepareClip, type FeatureConfig } from '../src/features/index.js';
import { featuriseAll, type LabelledClips } from '../src/data/index.js';
import { predictProbs, trainSpeechModel } from '../src/model/index.js';

// Three "words" that differ only in pitch: a model that learned anything separates them.
const cfg: FeatureConfig = { ...DEFAULT_FEATURES, seconds: 0.3 };
const pitches = [300, 900, 2200];

function makeSet(perClass: number, rng: Rng): LabelledClips {
  const clips = [];
  const labels: number[] = [];
  for (let c = 0; c < pitches.length; c++) {
    for (let k = 0; k < perClass; k++) {
      const hz = (pitches[c] as number) * rng.uniform(0.93, 1.07);
      const n = Math.round(cfg.mel.sampleRate * rng.uniform(0.12, 0.25));
      const phase = rng.uniform(0, 2 * Math.PI);
      const x = Float32Array.from({ length: n }, (_, i) => 0.3 * Math.sin(phase + (2 * Math.PI * hz * i) / cfg.mel.sampleRate) + 0.02 * rng.normal());
      clips.push(prepareClip(x, cfg));
      labels.push(c);
    }
  }
  return { clips, labels: Int32Array.from(labels) };
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

describe('training the freq model', () => {
  it('learns to tell synthetic tones apart (chance is 33%)', async () => {
    const rng = new Rng(5);
    const train = makeSet(20, rng);
    const test = makeSet(8, rng);
    const { model, history } = await trainSpeechModel({
      kind: 'freq',
      labels: ['low', 'mid', 'high'],
      features: cfg,
      train,
      epochs: 6,
      batchSize: 16,
      seed: 2,
      learningRate: 3e-3,
      augment: { probability: 0.5, speed: [0.95, 1.05], maxShiftSeconds: 0.03, snrDb: [15, 30], gainDb: [-3, 3], noiseProbability: 0.5 },
      workers: 1,
      quiet: true,
    });
    expect(history.epochs).toHaveLength(6);
    expect(history.epochs[5]?.loss).toBeLessThan(history.epochs[0]?.loss as number);
    const probs = predictProbs(model, featuriseAll(test.clips, cfg, new LogMel(cfg.mel)), inputShape(cfg));
    let hits = 0;
    for (let i = 0; i < test.labels.length; i++) {
      const row = Array.from(probs.subarray(i * 3, i * 3 + 3));
      if (row.indexOf(Math.max(...row)) === test.labels[i]) hits++;
    }
    expect(hits / test.labels.length).toBeGreaterThanOrEqual(0.9);
  });
});
