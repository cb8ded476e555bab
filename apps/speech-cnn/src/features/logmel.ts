import FFT from 'fft.js';

/** How a waveform becomes a log-mel spectrogram. Times in milliseconds, frequencies in Hz. */
export interface MelOptions {
  sampleRate: number;
  frameMs: number;
  hopMs: number;
  /** Power of two >= the frame length; the frame is zero-padded to it. */
  fftSize: number;
  melBands: number;
  fMin: number;
  fMax: number;
  window: 'hann' | 'hamming';
  /** Power added before the log, so silence maps to a finite floor: 10*log10(floor) dB. */
  floor: number;
}

/** Speech defaults (25 ms frames every 10 ms, 40 bands), at FSDD's 8 kHz. */
export const SPEECH_MEL: MelOptions = {
  sampleRate: 8000,
  frameMs: 25,
  hopMs: 10,
  fftSize: 256,
  melBands: 40,
  fMin: 20,
  fMax: 4000,
  window: 'hann',
  floor: 1e-10,
};

/** A spectrogram as rows of frames (time) by columns of bands (frequency). */
export interface Spectrogram {
  data: Float32Array;
  frames: number;
  bands: number;
}

// HTK's mel scale.
export const hzToMel = (hz: number): number => 2595 * Math.log10(1 + hz / 700);
export const melToHz = (mel: number): number => 700 * (10 ** (mel / 2595) - 1);

export function frameLength(o: MelOptions): number {
  return Math.round((o.sampleRate * o.frameMs) / 1000);
}

export function hopLength(o: MelOptions): number {
  return Math.round((o.sampleRate * o.hopMs) / 1000);
}

/** Frames for `n` samples: only whole frames, but at least one (a short clip is zero-padded to one frame). */
export function frameCount(n: number, o: MelOptions): number {
  const len = frameLength(o);
  return n <= len ? 1 : 1 + Math.floor((n - len) / hopLength(o));
}

/** Periodic window (the FFT convention), so overlapping Hann frames sum to a constant. */
export function makeWindow(kind: MelOptions['window'], n: number): Float32Array {
  const w = new Float32Array(n);
  const a0 = kind === 'hann' ? 0.5 : 0.54;
  for (let i = 0; i < n; i++) w[i] = a0 - (1 - a0) * Math.cos((2 * Math.PI * i) / n);
  return w;
}

/**
 * Triangular mel filters over the FFT bins (one row of fftSize/2+1 weights per band), peak 1, centred on
 * points equally spaced in mel between fMin and fMax.
 */
export function melFilterbank(o: MelOptions): Float32Array[] {
  const bins = o.fftSize / 2 + 1;
  const lo = hzToMel(o.fMin);
  const hi = hzToMel(o.fMax);
  const edges = Array.from({ length: o.melBands + 2 }, (_, i) => melToHz(lo + ((hi - lo) * i) / (o.melBands + 1)));
  const filters: Float32Array[] = [];
  for (let b = 0; b < o.melBands; b++) {
    const [left, centre, right] = [edges[b] as number, edges[b + 1] as number, edges[b + 2] as number];
    const row = new Float32Array(bins);
    for (let k = 0; k < bins; k++) {
      const f = (k * o.sampleRate) / o.fftSize;
      const up = (f - left) / (centre - left);
      const down = (right - f) / (right - centre);
      row[k] = Math.max(0, Math.min(up, down));
    }
    filters.push(row);
  }
  return filters;
}

export function validateMelOptions(o: MelOptions): void {
  const len = frameLength(o);
  if (!(o.sampleRate > 0)) throw new RangeError(`sampleRate must be > 0, got ${o.sampleRate}`);
  if (len < 2 || hopLength(o) < 1)
    throw new RangeError(`frame (${o.frameMs} ms) and hop (${o.hopMs} ms) are too short at ${o.sampleRate} Hz`);
  if (o.fftSize < len || (o.fftSize & (o.fftSize - 1)) !== 0) {
    throw new RangeError(`fftSize must be a power of two >= the frame length (${len} samples), got ${o.fftSize}`);
  }
  if (!(o.fMin >= 0 && o.fMin < o.fMax && o.fMax <= o.sampleRate / 2)) {
    throw new RangeError(`need 0 <= fMin < fMax <= sampleRate/2, got ${o.fMin}..${o.fMax} at ${o.sampleRate} Hz`);
  }
  if (!(Number.isInteger(o.melBands) && o.melBands >= 1))
    throw new RangeError(`melBands must be a positive integer, got ${o.melBands}`);
  if (o.window !== 'hann' && o.window !== 'hamming')
    throw new RangeError(`window must be hann or hamming, got ${JSON.stringify(o.window)}`);
  if (!(o.floor > 0 && Number.isFinite(o.floor))) throw new RangeError(`floor must be a power > 0, got ${o.floor}`);
}

/** Computes log-mel spectrograms (10*log10 of mel-band power, in dB); holds the FFT plan, window and filters. */
export class LogMel {
  readonly options: MelOptions;
  private readonly fft: FFT;
  private readonly window: Float32Array;
  private readonly filters: Float32Array[];
  /** Each filter's non-zero bins [from, to): the triangles are narrow, so the rest is skipped. */
  private readonly support: Array<[number, number]>;
  private readonly frame: Float64Array;
  private readonly spectrum: Float64Array;
  private readonly power: Float64Array;

  constructor(options: MelOptions = SPEECH_MEL) {
    validateMelOptions(options);
    this.options = options;
    this.fft = new FFT(options.fftSize);
    this.window = makeWindow(options.window, frameLength(options));
    this.filters = melFilterbank(options);
    this.support = this.filters.map((w): [number, number] => {
      const from = w.findIndex((v) => v > 0);
      return from < 0 ? [0, 0] : [from, w.length - [...w].reverse().findIndex((v) => v > 0)];
    });
    this.frame = new Float64Array(options.fftSize);
    this.spectrum = new Float64Array(options.fftSize * 2);
    this.power = new Float64Array(options.fftSize / 2 + 1);
  }

  compute(samples: Float32Array): Spectrogram {
    const { filters, support } = this;
    const o = this.options;
    const len = frameLength(o);
    const hop = hopLength(o);
    const frames = frameCount(samples.length, o);
    const bands = o.melBands;
    const data = new Float32Array(frames * bands);
    for (let t = 0; t < frames; t++) {
      this.frame.fill(0);
      const start = t * hop;
      for (let i = 0; i < len && start + i < samples.length; i++)
        this.frame[i] = (samples[start + i] as number) * (this.window[i] as number);
      this.fft.realTransform(this.spectrum, this.frame);
      for (let k = 0; k < this.power.length; k++) {
        const re = this.spectrum[2 * k] as number;
        const im = this.spectrum[2 * k + 1] as number;
        this.power[k] = re * re + im * im;
      }
      for (let b = 0; b < bands; b++) {
        const w = filters[b] as Float32Array;
        const [from, to] = support[b] as [number, number];
        let e = 0;
        for (let k = from; k < to; k++) e += (w[k] as number) * (this.power[k] as number);
        data[t * bands + b] = 10 * Math.log10(e + o.floor);
      }
    }
    return { data, frames, bands };
  }
}
