import { activeFrames, cmvn } from './cmvn.js';
import { activeSpan, changeTempo, stretchRows, stretchedLength } from './stretch.js';
import { lifter } from './lifter.js';
import type { LogMel, MelOptions, Spectrogram } from './logmel.js';
import { frameCount, frameLength, hopLength } from './logmel.js';

/**
 * How dB become model inputs: `peak` scales to [0, 1] below the loudest cell (level-independent); `cmn` removes
 * each band's mean over the word and divides by one spread (a speaker's or microphone's spectral tilt goes);
 * `cmvn` divides each band by its own spread as well.
 */
export type Normalisation = 'peak' | 'cmn' | 'cmvn';
export const NORMALISATIONS: readonly Normalisation[] = ['peak', 'cmn', 'cmvn'];

/** Below this spread (dB) a band is treated as flat rather than scaled up into noise. */
const CMVN_MIN_STD_DB = 3;
/** Silence sits at most this many spreads below a band's mean (about the range a word's own cells span). */
const CMVN_FLOOR_SPREADS = 4;

/** Everything that fixes a model's input: the mel settings, the clip length, and how silence is trimmed. */
export interface FeatureConfig {
  mel: MelOptions;
  /** Every clip is padded with silence or cropped to this length, so all inputs have one shape. */
  seconds: number;
  /** Leading and trailing frames quieter than (loudest - trimDb) dB are dropped; 0 keeps everything. */
  trimDb: number;
  /** The normalised spectrogram spans this many dB below its loudest cell. */
  rangeDb: number;
  /** Absent in models saved before it existed, which all used `peak`. */
  norm?: Normalisation;
  /** Stretch the word's frames in time to fill the input (speaking-rate normalisation); absent: false. */
  stretch?: boolean;
  /**
   * With `stretch`: the share of the word's own length kept, 0 (absent) fills the input, 1 keeps the length; the
   * word fills frames x (its frames / frames)^stretchKeep rows (see stretchedLength), the rest is silence.
   */
  stretchKeep?: number;
  /** Keep only this many cepstral coefficients of each frame (pitch harmonics smoothed away, see lifter.ts); absent: all. */
  lifter?: number;
  /**
   * This many extra bands above the mel bands hold the word's length before any stretching, one constant over the
   * whole input (see lengthCue), so a stretched word still tells a short word from a long one; absent: none.
   */
  lengthCue?: number;
}

/** `--length-cue` adds this many bands: one freq filter (8 bands, stride 4) then sees the cue alone. */
export const LENGTH_CUE_BANDS = 8;
/** The cue spans this many octaves of length: a word filling the input is 1, one of 1/2^octaves of it or less is 0. */
const LENGTH_CUE_OCTAVES = 4;

/** The length cue of a word of `span` active frames in an input of `frames`: 1 + log2(span / frames) / 4 in [0, 1]; 0 without a word. */
export function lengthCue(span: number, frames: number): number {
  if (!(span > 0)) return 0;
  return Math.min(1, Math.max(0, 1 + Math.log2(span / frames) / LENGTH_CUE_OCTAVES));
}

export function clipSamples(cfg: FeatureConfig): number {
  return Math.round(cfg.seconds * cfg.mel.sampleRate);
}

/** The model's input shape [frames, bands]: time down the rows, frequency across. */
export function inputShape(cfg: FeatureConfig): [number, number] {
  return [frameCount(clipSamples(cfg), cfg.mel), cfg.mel.melBands + (cfg.lengthCue ?? 0)];
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
  /** The recording before trimming, kept so training can trim it again at another threshold (`trimJitterDb`). */
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
 * The model input for one clip of `clipSamples` samples: [frames x bands] row-major. Training augmentation only:
 * `warp` is VTLP's alpha, `tempo` plays the spectrogram's frames that many times faster (pitch kept), `eq` adds
 * per-band dB (a random equalisation).
 */
export function featuresOf(signal: Float32Array, cfg: FeatureConfig, logMel: LogMel, warp = 1, tempo = 1, eq: Float32Array | null = null): Float32Array {
  const raw = logMel.compute(signal, warp);
  const floorDb = 10 * Math.log10(cfg.mel.floor);
  if (eq) {
    // Equalisation moves what was heard, not the digital silence of the padding.
    for (let i = 0; i < raw.data.length; i++) {
      const v = raw.data[i] as number;
      if (v > floorDb + 1) raw.data[i] = v + (eq[i % raw.bands] as number);
    }
  }
  if (cfg.lifter) raw.data = lifter(raw.data, raw.frames, raw.bands, cfg.lifter);
  const spec = tempo === 1 ? raw : { ...raw, data: changeTempo(raw.data, raw.frames, raw.bands, tempo, floorDb) };
  const norm = cfg.norm ?? 'peak';
  // The word's frames are those the trimmer would keep, so statistics and stretching describe the span it does.
  const activeDb = cfg.trimDb > 0 ? cfg.trimDb : cfg.rangeDb;
  const out =
    norm === 'peak'
      ? normalise(spec, cfg.rangeDb, floorDb)
      : cmvn(spec, { rangeDb: cfg.rangeDb, activeDb, minStdDb: CMVN_MIN_STD_DB, floorSpreads: CMVN_FLOOR_SPREADS, perBandVariance: norm === 'cmvn' }, floorDb);
  const span = cfg.stretch || cfg.lengthCue ? activeSpan(activeFrames(spec, activeDb)) : null;
  const image = cfg.stretch && span ? stretched(out, spec, span, cfg, norm) : out;
  return cfg.lengthCue ? withLengthCue(image, spec.frames, spec.bands, cfg.lengthCue, lengthCue(span ? span[1] - span[0] : 0, spec.frames)) : image;
}

function stretched(out: Float32Array, spec: Spectrogram, span: [number, number], cfg: FeatureConfig, norm: Normalisation): Float32Array {
  const into = cfg.stretchKeep ? stretchedLength(span[1] - span[0], spec.frames, cfg.stretchKeep) : spec.frames;
  // What the rows after a shortened word hold: silence, as the normaliser writes it.
  const fill = into < spec.frames ? (norm === 'peak' ? 0 : out.reduce((m, v) => Math.min(m, v), Infinity)) : 0;
  return stretchRows(out, spec.frames, spec.bands, span[0], span[1], into, fill);
}

/** [frames x bands] row-major -> [frames x (bands + extra)]: every row gets `extra` more bands holding `value`. */
export function withLengthCue(data: Float32Array, frames: number, bands: number, extra: number, value: number): Float32Array {
  const width = bands + extra;
  const out = new Float32Array(frames * width);
  for (let t = 0; t < frames; t++) {
    out.set(data.subarray(t * bands, (t + 1) * bands), t * width);
    out.fill(value, t * width + bands, (t + 1) * width);
  }
  return out;
}
