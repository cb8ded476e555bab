import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '@cnn-lab/core';
import {
  DEFAULT_FEATURES,
  LogMel,
  SPEECH_MEL,
  activeFrames,
  activeSpan,
  addNoise,
  cmvn,
  featuresOf,
  maskSpectrogram,
  melFilterbank,
  vtlpWarp,
  stretchRows,
  changeTempo,
  drawEq,
  hzToMel,
  inputShape,
  melToHz,
  power,
  prepareClip,
  timeShift,
  timeWarp,
  warpRows,
  drawTrim,
  lifter,
  stretchedLength,
  lengthCue,
  withLengthCue,
  type MelOptions,
} from '../src/features/index.js';

const rate = SPEECH_MEL.sampleRate;

function sine(hz: number, seconds: number, amp = 0.5, n = Math.round(rate * seconds)): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate));
}

/** The band whose centre frequency is nearest `hz`, from the mel spacing alone. */
function bandHolding(hz: number, o: MelOptions): number {
  const lo = hzToMel(o.fMin);
  const step = (hzToMel(o.fMax) - lo) / (o.melBands + 1);
  return Math.round((hzToMel(hz) - lo) / step) - 1;
}

describe('log-mel spectrogram', () => {
  const logMel = new LogMel(SPEECH_MEL);

  it('has 98 frames of 40 bands for 1 s at 8 kHz (25 ms frames, 10 ms hop)', () => {
    const spec = logMel.compute(new Float32Array(8000));
    expect([spec.frames, spec.bands]).toEqual([98, 40]);
    expect(inputShape(DEFAULT_FEATURES)).toEqual([98, 40]);
  });

  it.each([300, 1000, 2500])('a %i Hz sine peaks in the band holding that frequency', (hz) => {
    const spec = logMel.compute(sine(hz, 0.5));
    const want = bandHolding(hz, SPEECH_MEL);
    for (let t = 0; t < spec.frames; t++) {
      const row = Array.from(spec.data.subarray(t * spec.bands, (t + 1) * spec.bands));
      expect(row.indexOf(Math.max(...row))).toBe(want);
    }
    expect(melToHz(hzToMel(hz))).toBeCloseTo(hz, 6);
  });

  it('silence gives the floor, 10*log10(floor) dB, in every cell', () => {
    const spec = logMel.compute(new Float32Array(4000));
    for (const v of spec.data) expect(v).toBeCloseTo(10 * Math.log10(SPEECH_MEL.floor), 4);
  });

  it('doubling the amplitude adds 6.02 dB to every band of a tone', () => {
    const a = logMel.compute(sine(1000, 0.3, 0.25));
    const b = logMel.compute(sine(1000, 0.3, 0.5));
    const band = bandHolding(1000, SPEECH_MEL);
    expect((b.data[5 * 40 + band] as number) - (a.data[5 * 40 + band] as number)).toBeCloseTo(20 * Math.log10(2), 3);
  });

  it('rejects an FFT smaller than the frame, naming the option', () => {
    expect(() => new LogMel({ ...SPEECH_MEL, fftSize: 128 })).toThrow(/fftSize must be a power of two >= the frame length \(200 samples\)/);
  });

  // An independent implementation (numpy's rfft, its own filterbank code) on the same signal.
  const python = '/usr/bin/python3';
  const hasNumpy = existsSync(python) && (() => {
    try {
      execFileSync(python, ['-c', 'import numpy'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();
  if (!hasNumpy) console.warn('skipping the numpy reference comparison: /usr/bin/python3 with numpy is not available');

  it.skipIf(!hasNumpy)('matches a numpy reference to within 0.01 dB on a chirp with noise', () => {
    const rng = new Rng(3);
    const n = 6000;
    const x = Float32Array.from({ length: n }, (_, i) => 0.4 * Math.sin(2 * Math.PI * (100 + 1.2 * i) * (i / rate)) + 0.01 * rng.normal());
    const dir = mkdtempSync(join(tmpdir(), 'speech-ref-'));
    try {
      writeFileSync(join(dir, 'x.f32'), x);
      const script = `
import numpy as np, sys
d = sys.argv[1]
x = np.fromfile(d + '/x.f32', dtype=np.float32).astype(np.float64)
sr, flen, hop, nfft, nb, fmin, fmax, floor = 8000, 200, 80, 256, 40, 20.0, 4000.0, 1e-10
win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(flen) / flen)
mel = lambda f: 2595 * np.log10(1 + f / 700)
imel = lambda m: 700 * (10 ** (m / 2595) - 1)
edges = imel(np.linspace(mel(fmin), mel(fmax), nb + 2))
freqs = np.arange(nfft // 2 + 1) * sr / nfft
fb = np.zeros((nb, freqs.size))
for b in range(nb):
    l, c, r = edges[b:b + 3]
    fb[b] = np.clip(np.minimum((freqs - l) / (c - l), (r - freqs) / (r - c)), 0, None)
frames = 1 + (len(x) - flen) // hop
out = np.empty((frames, nb))
for t in range(frames):
    spec = np.abs(np.fft.rfft(x[t * hop:t * hop + flen] * win, nfft)) ** 2
    out[t] = 10 * np.log10(fb @ spec + floor)
out.astype(np.float32).tofile(d + '/ref.f32')
`;
      execFileSync(python, ['-c', script, dir]);
      const ref = new Float32Array(readFileSync(join(dir, 'ref.f32')).buffer.slice(0));
      const ours = logMel.compute(x);
      expect(ours.data.length).toBe(ref.length);
      let worst = 0;
      for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs((ours.data[i] as number) - (ref[i] as number)));
      expect(worst).toBeLessThan(0.01);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('clip preparation and normalisation', () => {
  const logMel = new LogMel(SPEECH_MEL);

  it('trims leading silence so the word starts the clip, and pads to 1 s', () => {
    const x = new Float32Array(6000);
    x.set(sine(500, 0.3), 2000); // 0.25 s of silence, then 0.3 s of tone
    const clip = prepareClip(x, DEFAULT_FEATURES);
    expect(clip.signal.length).toBe(8000);
    // Trimming works in whole 25 ms frames, so each edge may keep up to one frame (200 samples) of silence.
    expect(Math.abs(clip.voiced - 2400)).toBeLessThanOrEqual(400);
    expect(Math.abs(clip.signal[0] as number)).toBeLessThan(0.2);
    expect(Math.max(...clip.signal.subarray(0, 200).map(Math.abs))).toBeGreaterThan(0.4);
    expect(Math.max(...clip.signal.subarray(3000).map(Math.abs))).toBe(0);
  });

  it('crops a clip longer than the fixed duration', () => {
    const clip = prepareClip(sine(500, 1.5), DEFAULT_FEATURES);
    expect(clip.signal.length).toBe(8000);
    expect(clip.voiced).toBe(8000);
  });

  it('normalised features lie in [0, 1], do not depend on the recording level, and silence is 0', () => {
    const loud = featuresOf(prepareClip(sine(700, 0.4, 0.8), DEFAULT_FEATURES).signal, DEFAULT_FEATURES, logMel);
    const quiet = featuresOf(prepareClip(sine(700, 0.4, 0.02), DEFAULT_FEATURES).signal, DEFAULT_FEATURES, logMel);
    expect(Math.max(...loud)).toBeCloseTo(1, 6);
    expect(Math.min(...loud)).toBe(0);
    for (let i = 0; i < loud.length; i += 97) expect(quiet[i]).toBeCloseTo(loud[i] as number, 3);
    expect(Math.max(...featuresOf(new Float32Array(8000), DEFAULT_FEATURES, logMel))).toBe(0);
  });
});

describe('augmentation', () => {
  it('time shift delays the signal and fills with silence', () => {
    const x = Float32Array.from([1, 2, 3, 4, 5]);
    expect(Array.from(timeShift(x, 2))).toEqual([0, 0, 1, 2, 3]);
    expect(Array.from(timeShift(x, -1))).toEqual([2, 3, 4, 5, 0]);
  });

  it('adds noise at the requested SNR', () => {
    const x = sine(400, 1, 0.3);
    const noisy = addNoise(x, 10, x.length, new Rng(1));
    const noise = noisy.map((v, i) => v - (x[i] as number));
    expect(10 * Math.log10(power(x) / power(noise))).toBeCloseTo(10, 0);
  });
});

describe('speed perturbation', () => {
  it('playing 10% faster raises a tone by 10% and shortens it by 10%', async () => {
    const { changeSpeed } = await import('../src/features/index.js');
    const x = new Float32Array(8000);
    x.set(sine(1000, 0.5));
    const out = changeSpeed(x, 4000, 1.1);
    expect(out.voiced).toBe(Math.floor(3999 / 1.1) + 1);
    let crossings = 0;
    for (let i = 1; i < out.voiced - 1; i++) if (((out.signal[i - 1] as number) < 0) !== ((out.signal[i] as number) < 0)) crossings++;
    expect(crossings / 2 / ((out.voiced - 2) / rate)).toBeCloseTo(1100, -1);
    expect(Math.max(...out.signal.subarray(out.voiced).map(Math.abs))).toBe(0);
  });
});

describe('per-band mean and variance normalisation (cmvn)', () => {
  const logMel = new LogMel(SPEECH_MEL);
  const cfg = { ...DEFAULT_FEATURES, norm: 'cmvn' as const };
  const opts = { rangeDb: 80, activeDb: 40, minStdDb: 3, floorSpreads: 100, perBandVariance: true };

  /** A two-tone "word" followed by padding; `tilt` dB boosts the 2 kHz partial as another voice or microphone would. */
  function word(tilt: number): Float32Array {
    const g = 10 ** (tilt / 20);
    const n = 3200;
    const x = new Float32Array(8000);
    for (let i = 0; i < n; i++) {
      const env = Math.sin((Math.PI * i) / n); // rises and falls, so each band varies over the word
      x[i] = env * (0.3 * Math.sin((2 * Math.PI * 500 * i) / rate) + 0.05 * g * Math.sin((2 * Math.PI * 2000 * i) / rate));
    }
    return x;
  }

  it('takes statistics over the word only: its frames have zero mean and unit spread in every band', () => {
    const spec = logMel.compute(word(0));
    const active = activeFrames(spec, 40);
    // Trimming and padding leave the word in the first ~0.4 s: the padding after it is inactive.
    expect(active.slice(45).some(Boolean)).toBe(false);
    expect(active.filter(Boolean).length).toBeGreaterThan(25);
    const out = cmvn(spec, opts, -100);
    for (const b of [bandHolding(500, SPEECH_MEL), bandHolding(2000, SPEECH_MEL)]) {
      const vals = active.flatMap((on, t) => (on ? [out[t * 40 + b] as number] : []));
      const mean = vals.reduce((a, v) => a + v, 0) / vals.length;
      const sd = Math.sqrt(vals.reduce((a, v) => a + (v - mean) ** 2, 0) / vals.length);
      expect(mean).toBeCloseTo(0, 4);
      expect(sd).toBeCloseTo(1, 3);
    }
    // Padding gets the same transform, so silence stays below the word in every band.
    const b = bandHolding(500, SPEECH_MEL);
    expect(out[90 * 40 + b] as number).toBeLessThan(Math.min(...active.flatMap((on, t) => (on ? [out[t * 40 + b] as number] : []))));
  });

  it('removes a constant per-band offset that peak normalisation keeps (a different voice or microphone)', () => {
    const b = bandHolding(2000, SPEECH_MEL);
    const t = 15;
    const plain = featuresOf(word(0), cfg, logMel);
    const tilted = featuresOf(word(12), cfg, logMel);
    expect(tilted[t * 40 + b] as number).toBeCloseTo(plain[t * 40 + b] as number, 2);
    const peakPlain = featuresOf(word(0), DEFAULT_FEATURES, logMel);
    const peakTilted = featuresOf(word(12), DEFAULT_FEATURES, logMel);
    expect((peakTilted[t * 40 + b] as number) - (peakPlain[t * 40 + b] as number)).toBeCloseTo(12 / 80, 2);
  });

  it('gives zeros for a clip with no energy, and keeps flat bands bounded by the smallest spread', () => {
    expect(Math.max(...featuresOf(new Float32Array(8000), cfg, logMel).map(Math.abs))).toBe(0);
    const out = cmvn({ data: Float32Array.from({ length: 3 * 2 }, (_, i) => (i % 2 === 0 ? -10 : -20 + (i === 5 ? 1 : 0))), frames: 3, bands: 2 }, opts, -100);
    expect(Array.from(out.filter((_, i) => i % 2 === 0))).toEqual([0, 0, 0]); // constant band: 0 everywhere
    expect(Math.max(...out.map(Math.abs))).toBeLessThanOrEqual(1 / 3 + 1e-6); // spread 0.47 dB is divided by 3 dB
  });

  it('clamps silence at floorSpreads below the mean, so padding cannot swamp the word', () => {
    const spec = logMel.compute(word(0));
    const free = cmvn(spec, opts, -100);
    const clamped = cmvn(spec, { ...opts, floorSpreads: 4 }, -100);
    expect(Math.min(...free)).toBeLessThan(-4);
    expect(Math.min(...clamped)).toBe(-4);
    clamped.forEach((v, i) => expect(v).toBe(Math.max(-4, free[i] as number)));
  });
});

describe('VTLP (vocal tract length perturbation)', () => {
  const logMel = new LogMel(SPEECH_MEL);
  const peakBand = (x: Float32Array, warp: number): number => {
    const spec = logMel.compute(x, warp);
    const mid = Math.floor(spec.frames / 2);
    const row = Array.from(spec.data.subarray(mid * spec.bands, (mid + 1) * spec.bands));
    return row.indexOf(Math.max(...row));
  };

  it('alpha = 1 is the plain filterbank, bit for bit', () => {
    expect(melFilterbank(SPEECH_MEL, 1).map((r) => Array.from(r))).toEqual(melFilterbank(SPEECH_MEL).map((r) => Array.from(r)));
    const x = sine(700, 0.5);
    expect(Array.from(logMel.compute(x, 1).data)).toEqual(Array.from(new LogMel(SPEECH_MEL).compute(x).data));
  });

  it('the warp is alpha f below the knee, continuous, increasing, and ends at fMax', () => {
    for (const alpha of [0.9, 1.1]) {
      expect(vtlpWarp(1000, alpha, 4000)).toBeCloseTo(1000 * alpha, 9);
      expect(vtlpWarp(4000, alpha, 4000)).toBeCloseTo(4000, 9);
      const knee = (0.8 * 4000 * Math.min(alpha, 1)) / alpha;
      expect(vtlpWarp(knee + 1e-9, alpha, 4000)).toBeCloseTo(knee * alpha, 5);
      let last = -1;
      for (let f = 0; f <= 4000; f += 10) {
        const w = vtlpWarp(f, alpha, 4000);
        expect(w).toBeGreaterThan(last);
        last = w;
      }
    }
  });

  it.each([
    [1000, 1.1],
    [1000, 0.9],
    [2000, 1.1],
    [2000, 0.9],
  ])('a %i Hz tone warped by %f peaks in the band holding alpha x its frequency', (hz, alpha) => {
    const x = sine(hz, 0.5);
    const plain = peakBand(x, 1);
    expect(plain).toBe(bandHolding(hz, SPEECH_MEL));
    const warped = peakBand(x, alpha);
    expect(warped).toBe(bandHolding(hz * alpha, SPEECH_MEL));
    expect(Math.sign(warped - plain)).toBe(Math.sign(alpha - 1));
  });

  it('rejects an absurd warp factor', () => {
    expect(() => logMel.compute(sine(1000, 0.1), 3)).toThrow(/VTLP warp factor/);
  });
});

describe('SpecAugment masks', () => {
  const frames = 20;
  const bands = 10;
  const ones = new Float32Array(frames * bands).fill(1);

  it('zeroes one run of adjacent bands in every frame and one run of whole frames, no wider than asked', () => {
    for (let seed = 0; seed < 30; seed++) {
      const out = maskSpectrogram(ones, frames, bands, { freqMaskBands: 4, timeMaskFrames: 6 }, new Rng(seed));
      const zeroFrames = Array.from({ length: frames }, (_, t) => t).filter((t) => out.subarray(t * bands, (t + 1) * bands).every((v) => v === 0));
      const zeroBands = Array.from({ length: bands }, (_, b) => b).filter((b) => Array.from({ length: frames }, (_, t) => out[t * bands + b]).every((v) => v === 0));
      expect(zeroFrames.length).toBeLessThanOrEqual(6);
      expect(zeroBands.length).toBeLessThanOrEqual(4);
      for (const run of [zeroFrames, zeroBands]) if (run.length > 1) expect((run.at(-1) as number) - (run[0] as number)).toBe(run.length - 1);
      // Every zero cell lies in a masked frame or a masked band.
      out.forEach((v, i) => {
        if (v === 0) expect(zeroFrames.includes(Math.floor(i / bands)) || zeroBands.includes(i % bands)).toBe(true);
      });
    }
    expect(ones.every((v) => v === 1)).toBe(true); // the input is not changed
  });

  it('masks something over many draws, and nothing (and draws no random numbers) when both are 0', () => {
    const rng = new Rng(4);
    let masked = 0;
    for (let k = 0; k < 20; k++) masked += maskSpectrogram(ones, frames, bands, { freqMaskBands: 3, timeMaskFrames: 3 }, rng).filter((v) => v === 0).length;
    expect(masked).toBeGreaterThan(0);
    const a = new Rng(9);
    expect(Array.from(maskSpectrogram(ones, frames, bands, { freqMaskBands: 0, timeMaskFrames: 0 }, a))).toEqual(Array.from(ones));
    expect(a.next()).toBe(new Rng(9).next());
  });
});

describe('time warp (--time-warp)', () => {
  const frames = 30;
  const bands = 3;
  /** Row t holds t in every band, so a row's value says which input row it reads. */
  const ramp = Float32Array.from({ length: frames * bands }, (_, i) => Math.floor(i / bands));

  it('moves row `from` to row `to`, keeps both ends, and stretches each side linearly', () => {
    const out = warpRows(ramp, frames, bands, 10, 14);
    const rows = Array.from({ length: frames }, (_, t) => out[t * bands] as number);
    expect(rows[0]).toBe(0);
    expect(rows[frames - 1]).toBeCloseTo(frames - 1, 5);
    expect(rows[14]).toBeCloseTo(10, 5);
    expect(rows[7]).toBeCloseTo(5, 5); // left side: t x 10/14
    expect(rows[22]).toBeCloseTo(10 + (8 * 19) / 15, 5); // right side: 10 + (t - 14) x 19/15
    for (let t = 1; t < frames; t++) expect(rows[t] as number).toBeGreaterThan(rows[t - 1] as number);
    expect(Array.from(warpRows(ramp, frames, bands, 12, 12))).toEqual(Array.from(ramp));
    expect(() => warpRows(ramp, frames, bands, 0, 5)).toThrow(/warpRows/);
  });

  it('moves the point by at most the frames asked and never an end; nothing (and no random draw) at 0', () => {
    const rng = new Rng(3);
    let moved = 0;
    for (let k = 0; k < 200; k++) {
      const out = timeWarp(ramp, frames, bands, 4, rng);
      const rows = Array.from({ length: frames }, (_, t) => out[t * bands] as number);
      expect(rows[0]).toBe(0);
      expect(rows[frames - 1]).toBeCloseTo(frames - 1, 5);
      // No row reads further than 4 rows (the most a point moves) from its own place.
      expect(Math.max(...rows.map((r, t) => Math.abs(r - t)))).toBeLessThanOrEqual(4 + 1e-9);
      if (rows.some((r, t) => Math.abs(r - t) > 0.5)) moved++;
    }
    expect(moved).toBeGreaterThan(100);
    const a = new Rng(9);
    expect(timeWarp(ramp, frames, bands, 0, a)).toBe(ramp);
    expect(a.next()).toBe(new Rng(9).next());
  });
});

describe('trimming jitter (--trim-jitter)', () => {
  it('draws thresholds across trimDb +- jitter, never below 1 dB; trimDb itself (and no draw) without jitter', () => {
    const rng = new Rng(2);
    const draws = Array.from({ length: 300 }, () => drawTrim(20, 6, rng));
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(14);
    expect(Math.min(...draws)).toBeLessThan(15);
    expect(Math.max(...draws)).toBeLessThanOrEqual(26);
    expect(Math.max(...draws)).toBeGreaterThan(25);
    expect(Math.min(...Array.from({ length: 100 }, () => drawTrim(3, 10, rng)))).toBe(1);
    const a = new Rng(9);
    expect(drawTrim(20, 0, a)).toBe(20);
    expect(drawTrim(0, 5, a)).toBe(0); // no trimming stays no trimming
    expect(a.next()).toBe(new Rng(9).next());
  });

  it('a prepared clip keeps its untrimmed recording', () => {
    const x = Float32Array.from([...new Float32Array(800), ...sine(500, 0.3)]);
    const clip = prepareClip(x, DEFAULT_FEATURES);
    expect(clip.source).toBe(x);
    expect(clip.voiced).toBeLessThan(x.length);
  });
});

describe('cepstral smoothing (--lifter)', () => {
  const bands = 40;
  const envelope = (b: number) => -30 + 20 * Math.cos((Math.PI * (b + 0.5)) / bands) + 6 * Math.cos((2 * Math.PI * (b + 0.5)) / bands);
  // A pitch-harmonic ripple: 5 dB up and down every 4 bands (cepstral index 20).
  const ripple = (b: number) => 5 * Math.cos((Math.PI * 20 * (b + 0.5)) / bands);

  it('removes a fast ripple across the bands and keeps a smooth envelope; keeping every coefficient changes nothing', () => {
    const frame = Float32Array.from({ length: bands }, (_, b) => envelope(b) + ripple(b));
    const out = lifter(frame, 1, bands, 12);
    out.forEach((v, b) => expect(v).toBeCloseTo(envelope(b), 3));
    expect(lifter(frame, 1, bands, 40)).toBe(frame);
    const flat = new Float32Array(bands * 2).fill(-100); // padding stays the floor
    lifter(flat, 2, bands, 5).forEach((v) => expect(v).toBeCloseTo(-100, 3));
    expect(() => lifter(frame, 1, bands, 0)).toThrow(/keep/);
  });

  it('makes a low and a high voice on one vowel closer: harmonics 110 Hz apart against 220 Hz apart under the same formants', () => {
    const logMel = new LogMel(SPEECH_MEL);
    const vowel = (f0: number) =>
      Float32Array.from({ length: 8000 }, (_, i) => {
        let y = 0;
        for (let h = f0; h < 3800; h += f0) y += (Math.exp(-(((h - 700) / 150) ** 2)) + 0.5 * Math.exp(-(((h - 1200) / 200) ** 2)) + 0.01) * Math.sin((2 * Math.PI * h * i) / rate);
        return 0.05 * y;
      });
    const cfg = { ...DEFAULT_FEATURES, trimDb: 0, rangeDb: 40 };
    const diff = (c: typeof cfg) => {
      const a = featuresOf(vowel(110), c, logMel);
      const b = featuresOf(vowel(220), c, logMel);
      return a.reduce((s, v, i) => s + Math.abs(v - (b[i] as number)), 0) / a.length;
    };
    // About 0.71 times the difference here (harmonics closer than a band apart cannot be smoothed by any lifter).
    expect(diff({ ...cfg, lifter: 12 })).toBeLessThan(0.8 * diff(cfg));
  });
});

describe('random equalisation (--eq)', () => {
  const logMel = new LogMel(SPEECH_MEL);
  const bands = SPEECH_MEL.melBands;

  it('draws a smooth curve within +-eqDb (1 + 1/2 + 1/3), different each time; nothing (and no draw) at 0', () => {
    const rng = new Rng(2);
    const a = drawEq(6, bands, rng) as Float32Array;
    const b = drawEq(6, bands, rng) as Float32Array;
    expect(Array.from(a)).not.toEqual(Array.from(b));
    for (const c of [a, b]) {
      expect(Math.max(...c.map(Math.abs))).toBeLessThanOrEqual(11);
      for (let i = 1; i < bands; i++) expect(Math.abs((c[i] as number) - (c[i - 1] as number))).toBeLessThan(1.5);
    }
    const r = new Rng(5);
    expect(drawEq(0, bands, r)).toBeNull();
    expect(r.next()).toBe(new Rng(5).next());
  });

  it('adds its dB to each band of what was heard: a flat gain changes nothing after peak normalisation, a tilt moves one partial against another', () => {
    const x = new Float32Array(8000);
    const two = sine(300, 0.4).map((v, i) => v + (sine(2500, 0.4)[i] as number));
    x.set(two);
    const plain = featuresOf(x, DEFAULT_FEATURES, logMel);
    const flat = featuresOf(x, DEFAULT_FEATURES, logMel, 1, 1, new Float32Array(bands).fill(10));
    plain.forEach((v, i) => expect(flat[i]).toBeCloseTo(v, 5));
    const tilt = Float32Array.from({ length: bands }, (_, b) => (b < bands / 2 ? -8 : 8));
    const tilted = featuresOf(x, DEFAULT_FEATURES, logMel, 1, 1, tilt);
    const lo = bandHolding(300, SPEECH_MEL) + 10 * bands;
    const hi = bandHolding(2500, SPEECH_MEL) + 10 * bands;
    const rangeDb = DEFAULT_FEATURES.rangeDb;
    expect(((tilted[hi] as number) - (tilted[lo] as number) - ((plain[hi] as number) - (plain[lo] as number))) * rangeDb).toBeCloseTo(16, 1);
  });
});

describe('tempo perturbation', () => {
  it('rate 1 is the identity; rate 0.5 makes a burst twice as long, 2 half as long, rows past the end are the fill', () => {
    const frames = 40;
    const bands = 3;
    const burst = new Float32Array(frames * bands).fill(-100);
    for (let t = 0; t < 10; t++) burst.fill(5, t * bands, (t + 1) * bands);
    const long = (data: Float32Array) => Array.from({ length: frames }, (_, t) => data[t * bands] as number).filter((v) => v > 0).length;
    expect(changeTempo(burst, frames, bands, 1, -100)).toBe(burst);
    expect(long(burst)).toBe(10);
    expect(long(changeTempo(burst, frames, bands, 0.5, -100))).toBe(19); // rows 0..18 read 0..9 (18 reads 9 exactly)
    expect(long(changeTempo(burst, frames, bands, 2, -100))).toBe(5);
    const fast = changeTempo(burst, frames, bands, 2, -100);
    expect(Array.from(fast.subarray(20 * bands)).every((v) => v === -100)).toBe(true);
  });

  it('keeps a tone in its band (pitch is untouched) while the word gets longer', () => {
    const logMel = new LogMel(SPEECH_MEL);
    const x = new Float32Array(8000);
    x.set(sine(1000, 0.3));
    const plain = featuresOf(x, DEFAULT_FEATURES, logMel);
    const slow = featuresOf(x, DEFAULT_FEATURES, logMel, 1, 0.8);
    const bands = SPEECH_MEL.melBands;
    const voiced = (f: Float32Array) => Array.from({ length: 98 }, (_, t) => Math.max(...f.subarray(t * bands, (t + 1) * bands))).filter((v) => v > 0.5).length;
    expect(voiced(slow) / voiced(plain)).toBeCloseTo(1 / 0.8, 1);
    const peak = (f: Float32Array, t: number) => {
      const row = Array.from(f.subarray(t * bands, (t + 1) * bands));
      return row.indexOf(Math.max(...row));
    };
    expect(peak(slow, 30)).toBe(peak(plain, 10));
  });
});

describe('speaking-rate normalisation (stretch)', () => {
  it('maps the span onto every row, end rows onto end rows, interpolating linearly between', () => {
    // 2 bands; rows 2..4 of 6 hold 10, 20, 30 (band 0) and the negatives (band 1).
    const data = Float32Array.from([0, 0, 0, 0, 10, -10, 20, -20, 30, -30, 0, 0]);
    const out = stretchRows(data, 6, 2, 2, 5);
    expect(Array.from(out.filter((_, i) => i % 2 === 0))).toEqual([10, 14, 18, 22, 26, 30]);
    expect(Array.from(out.filter((_, i) => i % 2 === 1))).toEqual([-10, -14, -18, -22, -26, -30]);
    expect(Array.from(stretchRows(data, 6, 2, 3, 4).filter((_, i) => i % 2 === 0))).toEqual([20, 20, 20, 20, 20, 20]);
    expect(() => stretchRows(data, 6, 2, 4, 4)).toThrow(/from < to/);
  });

  it('finds the active span', () => {
    expect(activeSpan([false, true, false, true, false])).toEqual([1, 4]);
    expect(activeSpan([false, false])).toBeNull();
  });

  it('makes a word spoken at two speeds give nearly the same features (without it they differ)', () => {
    const logMel = new LogMel(SPEECH_MEL);
    // A 400 -> 1600 Hz glide over 0.3 s and over 0.5 s: the same "word", said fast and slow.
    const glide = (seconds: number): Float32Array => {
      const n = Math.round(rate * seconds);
      let phase = 0;
      return Float32Array.from({ length: n }, (_, i) => {
        phase += (2 * Math.PI * (400 + (1200 * i) / n)) / rate;
        return 0.3 * Math.sin(phase);
      });
    };
    const meanAbsDiff = (a: Float32Array, b: Float32Array): number => a.reduce((s, v, i) => s + Math.abs(v - (b[i] as number)), 0) / a.length;
    const diff = (cfg: typeof DEFAULT_FEATURES): number =>
      meanAbsDiff(featuresOf(prepareClip(glide(0.3), cfg).signal, cfg, logMel), featuresOf(prepareClip(glide(0.5), cfg).signal, cfg, logMel));
    const stretched = diff({ ...DEFAULT_FEATURES, stretch: true });
    const plain = diff(DEFAULT_FEATURES);
    expect(stretched).toBeLessThan(0.03);
    expect(plain).toBeGreaterThan(3 * stretched);
    // --stretch-keep 0.5: the slow word still fills more rows than the fast one, but their ratio is about the
    // square root of the unstretched one (full stretching makes it 1).
    const rows = (cfg: typeof DEFAULT_FEATURES, sec: number) => {
      const x = featuresOf(prepareClip(glide(sec), cfg).signal, cfg, logMel);
      return Array.from({ length: 98 }, (_, t) => Math.max(...x.subarray(t * 40, (t + 1) * 40))).filter((v) => v > 0).length;
    };
    const half = { ...DEFAULT_FEATURES, stretch: true, stretchKeep: 0.5 };
    const ratio = (cfg: typeof DEFAULT_FEATURES) => rows(cfg, 0.5) / rows(cfg, 0.3);
    expect(ratio(DEFAULT_FEATURES)).toBeGreaterThan(1.5);
    expect(ratio(half)).toBeCloseTo(Math.sqrt(ratio(DEFAULT_FEATURES)), 1);
    expect(ratio({ ...DEFAULT_FEATURES, stretch: true })).toBe(1);
  });

  it('--stretch-keep: a word fills frames x (its length / frames)^keep rows, the rest is the fill', () => {
    expect(stretchedLength(25, 100, 0.5)).toBe(50);
    expect(stretchedLength(25, 100, 1)).toBe(25);
    expect(stretchedLength(25, 100, 0)).toBe(100);
    expect(() => stretchedLength(25, 100, 1.5)).toThrow(/\[0, 1\]/);
    const data = Float32Array.from([0, 0, 0, 0, 10, -10, 20, -20, 30, -30, 0, 0]);
    const out = stretchRows(data, 6, 2, 2, 5, 3, -1);
    expect(Array.from(out.filter((_, i) => i % 2 === 0))).toEqual([10, 20, 30, -1, -1, -1]);
    expect(() => stretchRows(data, 6, 2, 2, 5, 7)).toThrow(/into/);
  });
});

describe('length cue (--length-cue)', () => {
  const logMel = new LogMel(SPEECH_MEL);
  const tone = (seconds: number, hz = 800): Float32Array => Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => 0.3 * Math.sin((2 * Math.PI * hz * i) / rate));
  const cueOf = (x: Float32Array, cfg: typeof DEFAULT_FEATURES): number[] => {
    const [frames, bands] = inputShape(cfg);
    const melBands = cfg.mel.melBands;
    return Array.from({ length: frames * (bands - melBands) }, (_, k) => x[Math.floor(k / (bands - melBands)) * bands + melBands + (k % (bands - melBands))] as number);
  };

  it('maps a word length to 1 + log2(span / frames) / 4 in [0, 1], 0 without a word', () => {
    expect(lengthCue(98, 98)).toBe(1);
    expect(lengthCue(49, 98)).toBeCloseTo(0.75, 6);
    expect(lengthCue(98 / 16, 98)).toBeCloseTo(0, 6);
    expect(lengthCue(1, 98)).toBe(0);
    expect(lengthCue(0, 98)).toBe(0);
    const out = withLengthCue(Float32Array.from([1, 2, 3, 4]), 2, 2, 3, 0.5);
    expect(Array.from(out)).toEqual([1, 2, 0.5, 0.5, 0.5, 3, 4, 0.5, 0.5, 0.5]);
  });

  it('adds bands holding one value per recording: different for a short and a long word, the same for equal lengths; the stretched spectrogram is unchanged', () => {
    const plain = { ...DEFAULT_FEATURES, trimDb: 20, rangeDb: 40, stretch: true };
    const cfg = { ...plain, lengthCue: 8 };
    expect(inputShape(cfg)).toEqual([98, 48]);
    const feats = (x: Float32Array, c: typeof DEFAULT_FEATURES) => featuresOf(prepareClip(x, c).signal, c, logMel);
    const short = feats(tone(0.25), cfg);
    const long = feats(tone(0.6), cfg);
    const sameLength = feats(tone(0.6, 1500), cfg);
    expect(short).toHaveLength(98 * 48);
    for (const x of [short, long, sameLength]) expect(new Set(cueOf(x, cfg)).size).toBe(1);
    const [s, l, l2] = [short, long, sameLength].map((x) => cueOf(x, cfg)[0] as number);
    expect(l).toBeGreaterThan((s as number) + 0.2); // 0.6 s vs 0.25 s: log2(2.4) / 4 = 0.32 apart
    expect(l2).toBeCloseTo(l as number, 2);
    // Stretched, both words fill the input: without the cue their lengths could not be told apart.
    for (const [x, sec] of [[short, 0.25], [long, 0.6]] as const) {
      const without = feats(tone(sec), plain);
      const mel = Float32Array.from({ length: 98 * 40 }, (_, i) => x[Math.floor(i / 40) * 48 + (i % 40)] as number);
      expect(Array.from(mel)).toEqual(Array.from(without));
    }
    // Without --stretch the cue is there too; a word filling the whole clip has the cue 1.
    expect(cueOf(feats(tone(0.25), { ...cfg, stretch: false }), cfg)[0]).toBeCloseTo(s as number, 6);
    expect(new Set(cueOf(feats(tone(1.2), cfg), cfg))).toEqual(new Set([1]));
  });

  it('masks touch the mel bands only, drawing as they would without the cue', () => {
    const frames = 20;
    const ones = new Float32Array(frames * 12).fill(1);
    for (let seed = 0; seed < 20; seed++) {
      const o = { freqMaskBands: 6, timeMaskFrames: 8 };
      const out = maskSpectrogram(ones, frames, 12, o, new Rng(seed), 8);
      const narrow = maskSpectrogram(new Float32Array(frames * 8).fill(1), frames, 8, o, new Rng(seed));
      for (let t = 0; t < frames; t++) {
        expect(Array.from(out.subarray(t * 12, t * 12 + 8))).toEqual(Array.from(narrow.subarray(t * 8, (t + 1) * 8)));
        expect(Array.from(out.subarray(t * 12 + 8, (t + 1) * 12))).toEqual([1, 1, 1, 1]);
      }
    }
  });
});
