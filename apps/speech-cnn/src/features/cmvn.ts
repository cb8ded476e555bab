import type { Spectrogram } from './logmel.js';

/**
 * Per-utterance cepstral-style mean and variance normalisation of each mel band (CMVN). A speaker's vocal tract,
 * a microphone and a room each add a roughly constant dB offset per band; subtracting every band's mean over the
 * word removes it, and dividing by the band's spread removes differences in how much a speaker modulates it.
 */
export interface CmvnOptions {
  /** Cells are first clipped this many dB below the loudest cell, so padding silence is a bounded floor. */
  rangeDb: number;
  /** Statistics come from frames whose loudest band is within this many dB of the loudest cell (the word). */
  activeDb: number;
  /** Smallest spread divided by (dB), so a nearly constant band is not blown up into noise. */
  minStdDb: number;
  /**
   * Outputs are clamped this many spreads below the mean: anything lower is silence to the model, and unclamped
   * padding (80 dB below the word over a 3 dB spread) would reach -25 and swamp the first layer's activations.
   */
  floorSpreads: number;
  /**
   * true: each band is divided by its own spread (CMVN), which also scales a band holding only noise up to the
   * speech bands' size; false: one spread over all bands (CMN), so quiet bands stay quiet relative to the formants.
   */
  perBandVariance: boolean;
}

/** Which frames belong to the word: their loudest band is within `activeDb` of the clip's loudest cell. */
export function activeFrames(spec: Spectrogram, activeDb: number): boolean[] {
  let max = -Infinity;
  for (const v of spec.data) if (v > max) max = v;
  return Array.from({ length: spec.frames }, (_, t) => {
    let top = -Infinity;
    for (let b = 0; b < spec.bands; b++) top = Math.max(top, spec.data[t * spec.bands + b] as number);
    return top >= max - activeDb;
  });
}

/**
 * Returns (x - mean_b) / max(std, minStdDb) for every cell (std: the band's own, or pooled over bands), with each band's mean and spread taken over the
 * active frames only (padding would otherwise drag the mean towards silence by an amount that depends on the word's
 * length). Padding frames get the same transform, so silence stays below the word, down to -floorSpreads. A clip
 * with no energy gives 0s.
 */
export function cmvn(spec: Spectrogram, o: CmvnOptions, floorDb: number): Float32Array {
  const { frames, bands } = spec;
  const out = new Float32Array(spec.data.length);
  let max = -Infinity;
  for (const v of spec.data) if (v > max) max = v;
  if (!(max > floorDb + 1e-6)) return out;
  const low = max - o.rangeDb;
  for (let i = 0; i < out.length; i++) out[i] = Math.max(low, spec.data[i] as number);
  const active = activeFrames(spec, o.activeDb);
  const n = active.filter(Boolean).length;
  const means = new Float64Array(bands);
  const variances = new Float64Array(bands);
  for (let b = 0; b < bands; b++) {
    let sum = 0;
    let sq = 0;
    for (let t = 0; t < frames; t++) {
      if (!active[t]) continue;
      const v = out[t * bands + b] as number;
      sum += v;
      sq += v * v;
    }
    means[b] = sum / n;
    variances[b] = Math.max(0, sq / n - (sum / n) ** 2);
  }
  const pooled = Math.sqrt(variances.reduce((a, v) => a + v, 0) / bands);
  for (let b = 0; b < bands; b++) {
    const std = Math.max(o.minStdDb, o.perBandVariance ? Math.sqrt(variances[b] as number) : pooled);
    for (let t = 0; t < frames; t++) out[t * bands + b] = Math.max(-o.floorSpreads, ((out[t * bands + b] as number) - (means[b] as number)) / std);
  }
  return out;
}
