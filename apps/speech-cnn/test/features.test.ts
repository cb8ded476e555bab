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
  featuresOf,
  maskSpectrogram,
  stretchRows,
  drawEq,
  hzToMel,
  inputShape,
  melToHz,
  power,
  prepareClip,
  timeShift,
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

  it('rejects an FFT smaller than the frame, an unknown window and a floor that is not a power, naming the option', () => {
    expect(() => new LogMel({ ...SPEECH_MEL, fftSize: 128 })).toThrow(
      /fftSize must be a power of two >= the frame length \(200 samples\)/,
    );
    expect(() => new LogMel({ ...SPEECH_MEL, window: 'blackman' as 'hann' })).toThrow(
      /window must be hann or hamming, got "blackman"/,
    );
    expect(() => new LogMel({ ...SPEECH_MEL, floor: 0 })).toThrow(/floor must be a power > 0/);
  });

  // An independent implementation (numpy's rfft, its own filterbank code) on the same signal.
  const python = '/usr/bin/python3';
  const hasNumpy =
    existsSync(python) &&
    (() => {
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
    const x = Float32Array.from(
      { length: n },
      (_, i) => 0.4 * Math.sin(2 * Math.PI * (100 + 1.2 * i) * (i / rate)) + 0.01 * rng.normal(),
    );
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
      for (let i = 0; i < ref.length; i++)
        worst = Math.max(worst, Math.abs((ours.data[i] as number) - (ref[i] as number)));
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

  it('a prepared clip keeps its untrimmed recording (each ensemble member trims it its own way)', () => {
    const x = Float32Array.from([...new Float32Array(800), ...sine(500, 0.3)]);
    const clip = prepareClip(x, DEFAULT_FEATURES);
    expect(clip.source).toBe(x);
    expect(clip.voiced).toBeLessThan(x.length);
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
    for (let i = 1; i < out.voiced - 1; i++)
      if ((out.signal[i - 1] as number) < 0 !== (out.signal[i] as number) < 0) crossings++;
    expect(crossings / 2 / ((out.voiced - 2) / rate)).toBeCloseTo(1100, -1);
    expect(Math.max(...out.signal.subarray(out.voiced).map(Math.abs))).toBe(0);
  });
});

describe('SpecAugment masks', () => {
  const frames = 20;
  const bands = 10;
  const ones = new Float32Array(frames * bands).fill(1);

  it('zeroes one run of adjacent bands in every frame and one run of whole frames, no wider than asked', () => {
    for (let seed = 0; seed < 30; seed++) {
      const out = maskSpectrogram(ones, frames, bands, { freqMaskBands: 4, timeMaskFrames: 6 }, new Rng(seed));
      const zeroFrames = Array.from({ length: frames }, (_, t) => t).filter((t) =>
        out.subarray(t * bands, (t + 1) * bands).every((v) => v === 0),
      );
      const zeroBands = Array.from({ length: bands }, (_, b) => b).filter((b) =>
        Array.from({ length: frames }, (_, t) => out[t * bands + b]).every((v) => v === 0),
      );
      expect(zeroFrames.length).toBeLessThanOrEqual(6);
      expect(zeroBands.length).toBeLessThanOrEqual(4);
      for (const run of [zeroFrames, zeroBands])
        if (run.length > 1) expect((run.at(-1) as number) - (run[0] as number)).toBe(run.length - 1);
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
    for (let k = 0; k < 20; k++)
      masked += maskSpectrogram(ones, frames, bands, { freqMaskBands: 3, timeMaskFrames: 3 }, rng).filter(
        (v) => v === 0,
      ).length;
    expect(masked).toBeGreaterThan(0);
    const a = new Rng(9);
    expect(Array.from(maskSpectrogram(ones, frames, bands, { freqMaskBands: 0, timeMaskFrames: 0 }, a))).toEqual(
      Array.from(ones),
    );
    expect(a.next()).toBe(new Rng(9).next());
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
    const flat = featuresOf(x, DEFAULT_FEATURES, logMel, new Float32Array(bands).fill(10));
    plain.forEach((v, i) => expect(flat[i]).toBeCloseTo(v, 5));
    const tilt = Float32Array.from({ length: bands }, (_, b) => (b < bands / 2 ? -8 : 8));
    const tilted = featuresOf(x, DEFAULT_FEATURES, logMel, tilt);
    const lo = bandHolding(300, SPEECH_MEL) + 10 * bands;
    const hi = bandHolding(2500, SPEECH_MEL) + 10 * bands;
    const rangeDb = DEFAULT_FEATURES.rangeDb;
    expect(
      ((tilted[hi] as number) - (tilted[lo] as number) - ((plain[hi] as number) - (plain[lo] as number))) * rangeDb,
    ).toBeCloseTo(16, 1);
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

  it('finds the active frames (loudest band within activeDb of the loudest cell) and their span', () => {
    // 4 frames x 2 bands, in dB: the word is frames 1 and 2 (within 20 dB of the 0 dB peak), frame 3 is 30 dB down.
    const spec = { data: Float32Array.from([-100, -100, -5, -90, 0, -50, -30, -100]), frames: 4, bands: 2 };
    expect(activeFrames(spec, 20)).toEqual([false, true, true, false]);
    expect(activeFrames(spec, 40)).toEqual([false, true, true, true]);
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
    const meanAbsDiff = (a: Float32Array, b: Float32Array): number =>
      a.reduce((s, v, i) => s + Math.abs(v - (b[i] as number)), 0) / a.length;
    const diff = (cfg: typeof DEFAULT_FEATURES): number =>
      meanAbsDiff(
        featuresOf(prepareClip(glide(0.3), cfg).signal, cfg, logMel),
        featuresOf(prepareClip(glide(0.5), cfg).signal, cfg, logMel),
      );
    const stretched = diff({ ...DEFAULT_FEATURES, stretch: true });
    const plain = diff(DEFAULT_FEATURES);
    expect(stretched).toBeLessThan(0.03);
    expect(plain).toBeGreaterThan(3 * stretched);
    // Stretched, the slow and the fast word fill the same rows; plain, the slow one fills more.
    const rows = (cfg: typeof DEFAULT_FEATURES, sec: number) => {
      const x = featuresOf(prepareClip(glide(sec), cfg).signal, cfg, logMel);
      return Array.from({ length: 98 }, (_, t) => Math.max(...x.subarray(t * 40, (t + 1) * 40))).filter((v) => v > 0)
        .length;
    };
    const ratio = (cfg: typeof DEFAULT_FEATURES) => rows(cfg, 0.5) / rows(cfg, 0.3);
    expect(ratio(DEFAULT_FEATURES)).toBeGreaterThan(1.5);
    expect(ratio({ ...DEFAULT_FEATURES, stretch: true })).toBe(1);
  });
});
