import type { Rng } from '@cnn-lab/core';
import type { PreparedClip } from './pipeline.js';

/** Random changes to a training clip so the model does not learn one speaker's level, timing or quiet room. */
export interface AugmentOptions {
  /** The word starts up to this many seconds later. */
  maxShiftSeconds: number;
  /** White noise at an SNR drawn from this range (dB), or null for none. */
  snrDb: [number, number] | null;
  /** Gain drawn from this range (dB). */
  gainDb: [number, number];
  /** Fraction of clips that get noise (the rest stay clean, as the test recordings are). */
  noiseProbability: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = {
  maxShiftSeconds: 0.1,
  snrDb: [10, 30],
  gainDb: [-6, 6],
  noiseProbability: 0.5,
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

export function augment(clip: PreparedClip, o: AugmentOptions, sampleRate: number, rng: Rng): Float32Array {
  const maxShift = Math.round(o.maxShiftSeconds * sampleRate);
  const shift = maxShift > 0 ? rng.int(maxShift + 1) : 0;
  let out = timeShift(clip.signal, shift);
  out = applyGain(out, rng.uniform(o.gainDb[0], o.gainDb[1]));
  if (o.snrDb && rng.next() < o.noiseProbability) {
    out = addNoise(out, rng.uniform(o.snrDb[0], o.snrDb[1]), Math.min(out.length, clip.voiced + shift), rng);
  }
  return out;
}
