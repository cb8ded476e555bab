import { Rng } from '@cnn-lab/core';
import type { AugmentOptions, FeatureConfig, LogMel, PreparedClip } from '../features/index.js';
import { augment, drawEq, featuresOf, inputShape, maskSpectrogram } from '../features/index.js';
import type { LabelledClips } from './decode.js';

/** The shape core's `fit` reads batches in: inputs [n, frames, bands, 1] and one class index per example. */
export interface ArrayBatch {
  xs: { data: Float32Array; shape: number[] };
  ys: Int32Array;
}

export interface DataSource {
  size: number;
  batches(epoch: number, batchSize: number, seed: number): AsyncIterable<ArrayBatch>;
}

/** Featurises every clip once (for evaluation, where nothing changes between epochs). */
export function featuriseAll(clips: readonly PreparedClip[], cfg: FeatureConfig, logMel: LogMel): Float32Array[] {
  return clips.map((c) => featuresOf(c.signal, cfg, logMel));
}

function batchOf(
  features: Float32Array[],
  labels: Int32Array,
  order: readonly number[],
  cfg: FeatureConfig,
): ArrayBatch {
  const [frames, bands] = inputShape(cfg);
  const per = frames * bands;
  const data = new Float32Array(order.length * per);
  const ys = new Int32Array(order.length);
  order.forEach((i, k) => {
    data.set(features[i] as Float32Array, k * per);
    ys[k] = labels[i] as number;
  });
  return { xs: { data, shape: [order.length, frames, bands, 1] }, ys };
}

/**
 * A training source: shuffled each epoch (seeded); with augmentation, a random share of the clips is changed afresh
 * every epoch (speed, shift, gain, noise) before it is featurised (its bands equalised with `eqDb`), then masked
 * (SpecAugment); the rest come from a cache of clean features.
 */
export function clipSource(set: LabelledClips, cfg: FeatureConfig, logMel: LogMel, aug?: AugmentOptions): DataSource {
  const clean = featuriseAll(set.clips, cfg, logMel);
  const [frames, bands] = inputShape(cfg);
  const changed = (clip: PreparedClip, o: AugmentOptions, rng: Rng): Float32Array => {
    const signal = augment(clip, o, cfg.mel.sampleRate, rng);
    const feats = featuresOf(signal, cfg, logMel, drawEq(o.eqDb, bands, rng));
    return maskSpectrogram(feats, frames, bands, o, rng);
  };
  return {
    size: set.clips.length,
    async *batches(epoch: number, batchSize: number, seed: number) {
      const rng = new Rng(seed).fork(epoch);
      const order = rng.shuffle(Array.from({ length: set.clips.length }, (_, i) => i));
      for (let s = 0; s < order.length; s += batchSize) {
        const idx = order.slice(s, s + batchSize);
        const feats = idx.map((i) =>
          aug && rng.next() < aug.probability
            ? changed(set.clips[i] as PreparedClip, aug, rng)
            : (clean[i] as Float32Array),
        );
        yield batchOf(
          feats,
          Int32Array.from(idx, (i) => set.labels[i] as number),
          idx.map((_, k) => k),
          cfg,
        );
      }
    },
  };
}

/** A fixed source in file order (validation and evaluation). */
export function fixedSource(set: LabelledClips, cfg: FeatureConfig, logMel: LogMel): DataSource {
  const features = featuriseAll(set.clips, cfg, logMel);
  return {
    size: features.length,
    async *batches(_epoch: number, batchSize: number) {
      for (let s = 0; s < features.length; s += batchSize) {
        const idx = Array.from({ length: Math.min(batchSize, features.length - s) }, (_, k) => s + k);
        yield batchOf(features, set.labels, idx, cfg);
      }
    },
  };
}
