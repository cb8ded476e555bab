import { activeFrames, activeSpan, stretchRows } from './stretch.js';
import type { LogMel, MelOptions, Spectrogram } from './logmel.js';
import { frameCount, frameLength, hopLength } from './logmel.js';

/** Everything that fixes a model's input: the mel settings, the clip length, and how silence is trimmed. */
export interface FeatureConfig {
  mel: MelOptions;
  /** Every clip is padded with silence or cropped to this length, so all inputs have one shape. */
  seconds: number;
  /** Leading and trailing frames quieter than (loudest - trimDb) dB are dropped; 0 keeps everything. */
  trimDb: number;
  /** The normalised spectrogram spans this many dB below its loudest cell. */
  rangeDb: number;
  /** Stretch the word's frames in time to fill the input (speaking-rate normalisation); absent: false. */
  stretch?: boolean;
}

export function clipSamples(cfg: FeatureConfig): number {
  return Math.round(cfg.seconds * cfg.mel.sampleRate);
}

/** The model's input shape [frames, bands]: time down the rows, frequency across. */
export function inputShape(cfg: FeatureConfig): [number, number] {
  return [frameCount(clipSamples(cfg), cfg.mel), cfg.mel.melBands];
}

/**
 * Cuts leading and trailing silence, so a word recorded from a microphone starts where the trimmed training
 * words start (FSDD files are already cut to the word). Returns [start, end) sample indices.
 */
export function voicedRange(samples: Float32Array, cfg: FeatureConfig): [number, number] {
  if (cfg.trimDb <= 0 || samples.length === 0) return [0, samples.length];
  const len = frameLength(cfg.mel);
  const hop = hopLength(cfg.mel);
  const energies: number[] = [];
  for (let s = 0; s + len <= Math.max(samples.length, len); s += hop) {
    let e = 0;
    for (let i = s; i < Math.min(s + len, samples.length); i++) e += (samples[i] as number) ** 2;
    energies.push(10 * Math.log10(e / len + 1e-12));
  }
  const loudest = Math.max(...energies);
  const threshold = loudest - cfg.trimDb;
  const first = energies.findIndex((e) => e >= threshold);
  let last = energies.length - 1;
  while (last > first && (energies[last] as number) < threshold) last--;
  return [first * hop, Math.min(samples.length, last * hop + len)];
}

/** A clip ready for augmentation and featurising: exactly clipSamples long, the word at the start. */
export interface PreparedClip {
  signal: Float32Array;
  /** Samples of the word inside `signal` (the rest is padding). */
  voiced: number;
  /** The recording before trimming: each member of an ensemble trims it as its own settings say. */
  source?: Float32Array;
}

export function prepareClip(samples: Float32Array, cfg: FeatureConfig): PreparedClip {
  const [start, end] = voicedRange(samples, cfg);
  const n = clipSamples(cfg);
  const signal = new Float32Array(n);
  const word = samples.subarray(start, Math.min(end, start + n));
  signal.set(word);
  return { signal, voiced: word.length, source: samples };
}

/**
 * Log-mel dB relative to the loudest cell, clipped `rangeDb` below it and scaled to [0, 1]: the input no longer
 * depends on recording level, and silence (or a clip with no energy at all) is 0.
 */
export function normalise(spec: Spectrogram, rangeDb: number, floorDb: number): Float32Array {
  const out = new Float32Array(spec.data.length);
  let max = -Infinity;
  for (const v of spec.data) if (v > max) max = v;
  if (!(max > floorDb + 1e-6)) return out;
  for (let i = 0; i < out.length; i++) out[i] = Math.max(0, 1 + ((spec.data[i] as number) - max) / rangeDb);
  return out;
}

/**
 * The model input for one clip of `clipSamples` samples: [frames x bands] row-major. `eq` (training augmentation
 * only) adds per-band dB, a random equalisation.
 */
export function featuresOf(
  signal: Float32Array,
  cfg: FeatureConfig,
  logMel: LogMel,
  eq: Float32Array | null = null,
): Float32Array {
  const spec = logMel.compute(signal);
  const floorDb = 10 * Math.log10(cfg.mel.floor);
  if (eq) {
    // Equalisation moves what was heard, not the digital silence of the padding.
    for (let i = 0; i < spec.data.length; i++) {
      const v = spec.data[i] as number;
      if (v > floorDb + 1) spec.data[i] = v + (eq[i % spec.bands] as number);
    }
  }
  const out = normalise(spec, cfg.rangeDb, floorDb);
  if (!cfg.stretch) return out;
  // The word's frames are those the trimmer would keep, so stretching covers the span it does.
  const span = activeSpan(activeFrames(spec, cfg.trimDb > 0 ? cfg.trimDb : cfg.rangeDb));
  return span ? stretchRows(out, spec.frames, spec.bands, span[0], span[1]) : out;
}
