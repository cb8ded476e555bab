import type { Rng } from '@cnn-lab/core';
import type { PreparedClip } from './pipeline.js';

/** Random changes to a training clip so the model does not learn one speaker's pitch, level, timing or quiet room. */
export interface AugmentOptions {
  /** Fraction of clips changed each epoch; the rest are seen clean, as test recordings are. */
  probability: number;
  /**
   * Speed factor range: playing a word faster raises its pitch and formants like a shorter vocal tract (Ko et al.
   * 2015, speed perturbation), which is what differs most between speakers.
   */
  speed: [number, number];
  /** The word starts up to this many seconds later. */
  maxShiftSeconds: number;
  /** White noise at an SNR drawn from this range (dB), or null for none. */
  snrDb: [number, number] | null;
  /** Gain drawn from this range (dB). */
  gainDb: [number, number];
  /** Fraction of changed clips that also get noise. */
  noiseProbability: number;
  /**
   * SpecAugment (Park et al. 2019) on the changed clips' features: one band of up to this many adjacent mel bands
   * and one run of up to `timeMaskFrames` frames are set to 0, so no single formant region or instant can decide
   * the word. 0 turns each off.
   */
  freqMaskBands: number;
  timeMaskFrames: number;
  /**
   * Random equalisation of the changed clips, like another microphone or room: a smooth curve of per-band gains,
   * sum over k = 1..3 of a_k cos(pi k (b + 1/2) / bands) dB with a_k uniform in +-eqDb / k, added to the log-mel
   * spectrogram before normalisation. Absent or 0: off (and no random draw).
   */
  eqDb?: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = {
  probability: 0.5,
  speed: [0.9, 1.1],
  maxShiftSeconds: 0.03,
  snrDb: [10, 30],
  gainDb: [-6, 6],
  noiseProbability: 0.5,
  freqMaskBands: 0,
  timeMaskFrames: 0,
};

/** Delays the signal by `shift` samples (leading silence), dropping what falls off the end. */
export function timeShift(signal: Float32Array, shift: number): Float32Array {
  const out = new Float32Array(signal.length);
  if (shift >= 0) out.set(signal.subarray(0, Math.max(0, signal.length - shift)), shift);
  else out.set(signal.subarray(-shift));
  return out;
}

export function applyGain(signal: Float32Array, gainDb: number): Float32Array {
  const g = 10 ** (gainDb / 20);
  return signal.map((v) => v * g);
}

/** Mean power of the first `voiced` samples (the word, not its padding). */
export function power(signal: Float32Array, voiced = signal.length): number {
  let p = 0;
  for (let i = 0; i < voiced; i++) p += (signal[i] as number) ** 2;
  return voiced > 0 ? p / voiced : 0;
}

/** Adds white Gaussian noise over the whole clip so that word power / noise power = snrDb. */
export function addNoise(signal: Float32Array, snrDb: number, voiced: number, rng: Rng): Float32Array {
  const sigma = Math.sqrt(power(signal, voiced) / 10 ** (snrDb / 10));
  return signal.map((v) => v + sigma * rng.normal());
}

/**
 * Resamples the first `voiced` samples by linear interpolation so they play `factor` times faster, into a buffer
 * of the same length (the word gets shorter or longer; what does not fit is cut).
 */
export function changeSpeed(
  signal: Float32Array,
  voiced: number,
  factor: number,
): { signal: Float32Array; voiced: number } {
  const out = new Float32Array(signal.length);
  const n = Math.min(signal.length, Math.floor((voiced - 1) / factor) + 1);
  for (let i = 0; i < n; i++) {
    const t = i * factor;
    const k = Math.floor(t);
    const f = t - k;
    out[i] = (signal[k] as number) * (1 - f) + (k + 1 < voiced ? (signal[k + 1] as number) * f : 0);
  }
  return { signal: out, voiced: n };
}

export function augment(clip: PreparedClip, o: AugmentOptions, sampleRate: number, rng: Rng): Float32Array {
  const factor = rng.uniform(o.speed[0], o.speed[1]);
  const sped = factor === 1 ? clip : changeSpeed(clip.signal, clip.voiced, factor);
  const maxShift = Math.round(o.maxShiftSeconds * sampleRate);
  const shift = maxShift > 0 ? rng.int(maxShift + 1) : 0;
  let out = timeShift(sped.signal, shift);
  out = applyGain(out, rng.uniform(o.gainDb[0], o.gainDb[1]));
  if (o.snrDb && rng.next() < o.noiseProbability) {
    out = addNoise(out, rng.uniform(o.snrDb[0], o.snrDb[1]), Math.min(out.length, sped.voiced + shift), rng);
  }
  return out;
}

/** The per-band dB offsets of one random equalisation (see AugmentOptions.eqDb), or null without drawing when eqDb is 0. */
export function drawEq(eqDb: number | undefined, bands: number, rng: Rng): Float32Array | null {
  if (!eqDb) return null;
  const a = [1, 2, 3].map((k) => rng.uniform(-eqDb / k, eqDb / k));
  return Float32Array.from({ length: bands }, (_, b) =>
    a.reduce((sum, ak, i) => sum + ak * Math.cos((Math.PI * (i + 1) * (b + 0.5)) / bands), 0),
  );
}

/** Zeroes one random run of up to `maxWidth` indices in [0, size); returns [start, width]. */
function maskRange(size: number, maxWidth: number, rng: Rng): [number, number] {
  const width = rng.int(Math.min(maxWidth, size) + 1);
  return [rng.int(size - width + 1), width];
}

/** SpecAugment's frequency and time masks on a [frames x bands] row-major spectrogram (a new array). */
export function maskSpectrogram(
  features: Float32Array,
  frames: number,
  bands: number,
  o: Pick<AugmentOptions, 'freqMaskBands' | 'timeMaskFrames'>,
  rng: Rng,
): Float32Array {
  const out = features.slice();
  if (o.freqMaskBands > 0) {
    const [from, width] = maskRange(bands, o.freqMaskBands, rng);
    for (let t = 0; t < frames; t++) out.fill(0, t * bands + from, t * bands + from + width);
  }
  if (o.timeMaskFrames > 0) {
    const [from, width] = maskRange(frames, o.timeMaskFrames, rng);
    for (let t = from; t < from + width; t++) out.fill(0, t * bands, (t + 1) * bands);
  }
  return out;
}
