import wavefile from 'wavefile';
import { describe, expect, it } from 'vitest';
import { DataError } from '@cnn-lab/core';
import { decodeWav, encodeWav16, resample } from '../src/audio/index.js';

const { WaveFile } = wavefile;

function tone(hz: number, rate: number, seconds: number, amp = 0.5): Float64Array {
  return Float64Array.from(
    { length: Math.round(rate * seconds) },
    (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate),
  );
}

function wav(
  channels: number,
  rate: number,
  depth: string,
  samples: ArrayLike<number> | ArrayLike<number>[],
): Uint8Array {
  const w = new WaveFile();
  w.fromScratch(channels, rate, depth, samples);
  return w.toBuffer();
}

const scale: Record<string, (v: number) => number> = {
  '8': (v) => Math.round(v * 127 + 128),
  '16': (v) => Math.round(v * 32767),
  '24': (v) => Math.round(v * 8388607),
  '32': (v) => Math.round(v * 2147483647),
  '32f': (v) => v,
};

describe('decodeWav', () => {
  it.each(Object.keys(scale))('reads %s-bit mono to [-1, 1]', (depth) => {
    const src = tone(440, 8000, 0.1);
    const enc = scale[depth] as (v: number) => number;
    const audio = decodeWav(wav(1, 8000, depth, Array.from(src, enc)), 'x.wav');
    expect(audio.sampleRate).toBe(8000);
    expect(audio.samples.length).toBe(src.length);
    const tol = depth === '8' ? 0.01 : 1e-4;
    for (let i = 0; i < src.length; i += 37)
      expect(audio.samples[i]).toBeCloseTo(src[i] as number, tol === 0.01 ? 1 : 3);
  });

  it('mixes stereo down to the mean of the channels', () => {
    const left = Array.from({ length: 100 }, () => 16000);
    const right = Array.from({ length: 100 }, () => -8000);
    const audio = decodeWav(wav(2, 8000, '16', [left, right]), 's.wav');
    expect(audio.samples.length).toBe(100);
    expect(audio.samples[50]).toBeCloseTo((16000 - 8000) / 2 / 32768, 5);
  });

  it('resamples 44.1 kHz to 8 kHz keeping duration and pitch', () => {
    const audio = decodeWav(wav(1, 44100, '32f', tone(1000, 44100, 0.5)), 'hi.wav', { sampleRate: 8000 });
    expect(audio.sampleRate).toBe(8000);
    expect(audio.samples.length).toBe(4000);
    // Pitch from zero crossings and level from RMS, away from the filter's edge effects.
    const mid = audio.samples.subarray(500, 3500);
    let crossings = 0;
    for (let i = 1; i < mid.length; i++) if ((mid[i - 1] as number) < 0 !== (mid[i] as number) < 0) crossings++;
    const hz = crossings / 2 / (mid.length / 8000);
    expect(Math.abs(hz - 1000)).toBeLessThan(10);
    const rms = Math.sqrt(mid.reduce((s, v) => s + v * v, 0) / mid.length);
    expect(rms).toBeCloseTo(0.5 / Math.SQRT2, 1);
  });

  it('removes content above the new Nyquist frequency instead of aliasing it', () => {
    // 6 kHz would alias to 2 kHz at 8 kHz without the low-pass filter.
    const audio = decodeWav(wav(1, 44100, '32f', tone(6000, 44100, 0.5)), 'alias.wav', { sampleRate: 8000 });
    const mid = audio.samples.subarray(500, 3500);
    const rms = Math.sqrt(mid.reduce((s, v) => s + v * v, 0) / mid.length);
    expect(rms).toBeLessThan(0.05); // the input's RMS is 0.35
  });

  it('rejects an empty file, naming it', () => {
    expect(() => decodeWav(new Uint8Array(0), 'empty.wav')).toThrow(/empty\.wav: empty file/);
  });

  it('rejects something that is not a WAV file', () => {
    const err = (() => {
      try {
        decodeWav(new TextEncoder().encode('hello, not audio'), 'notes.txt');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).toMatch(/notes\.txt: not a readable WAV file/);
  });

  it('rejects a truncated file', () => {
    const bytes = wav(1, 8000, '16', Array.from(tone(300, 8000, 0.2), scale['16'] as (v: number) => number));
    expect(() => decodeWav(bytes.subarray(0, bytes.length - 100), 'cut.wav')).toThrow(/cut\.wav: truncated WAV/);
  });

  it('rejects a WAV with no samples', () => {
    expect(() => decodeWav(wav(1, 8000, '16', []), 'silent.wav')).toThrow(/silent\.wav: WAV file holds no audio/);
    // One sample at 48 kHz is nothing at 8 kHz: refused, not an empty recording (found by the fuzz test).
    expect(() => decodeWav(wav(1, 48000, '16', [100]), 'blip.wav', { sampleRate: 8000 })).toThrow(
      /blip\.wav: 1 sample at 48000 Hz is no audio at 8000 Hz/,
    );
  });

  it('rejects a recording longer than the limit', () => {
    const bytes = wav(1, 8000, '16', new Array(8000 * 3).fill(0));
    expect(() => decodeWav(bytes, 'long.wav', { maxSeconds: 2 })).toThrow(/long\.wav: recording too long: 3\.0 s/);
  });

  it('round-trips encodeWav16', () => {
    const src = Float32Array.from(tone(200, 16000, 0.05));
    const audio = decodeWav(encodeWav16(src, 16000), 'rt.wav');
    expect(audio.sampleRate).toBe(16000);
    for (let i = 0; i < src.length; i += 11) expect(audio.samples[i]).toBeCloseTo(src[i] as number, 3);
  });
});

describe('resample', () => {
  const f32 = (hz: number, rate: number, seconds: number, amp = 0.5): Float32Array =>
    Float32Array.from(tone(hz, rate, seconds, amp));
  const rms = (v: Float32Array): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
  /** The middle of a signal, away from the zero-padded edges the filter sees. */
  const middle = (v: Float32Array): Float32Array => v.subarray(Math.floor(v.length * 0.2), Math.floor(v.length * 0.8));
  /** Frequency from the first and last zero crossings (located by linear interpolation) and how many lie between. */
  function frequency(v: Float32Array, rate: number): number {
    const at: number[] = [];
    for (let i = 1; i < v.length; i++) {
      const a = v[i - 1] as number;
      const b = v[i] as number;
      if (a < 0 !== b < 0) at.push(i - 1 + a / (a - b));
    }
    return (at.length - 1) / 2 / (((at.at(-1) as number) - (at[0] as number)) / rate);
  }
  const db = (ratio: number): number => 20 * Math.log10(ratio);

  // Below the new Nyquist (up to 0.9 of it) a tone keeps its frequency within 0.1% and its level within 1% (0.09 dB).
  it.each([
    [48000, 8000, 1000],
    [48000, 8000, 3500],
    [22050, 8000, 440],
    [22050, 8000, 3000],
    [44100, 16000, 7000],
    [16000, 11025, 4000],
    [8000, 48000, 1000], // up
    [8000, 22050, 3500], // up, ratio 441/160
    [44100, 4099, 1000], // 4099 is prime: too many exact phases, so the interpolated table is used
    [8000, 12345.5, 2500], // a rate that is not an integer
  ])('%d Hz -> %d Hz keeps a %d Hz tone', (from, to, hz) => {
    const y = resample(f32(hz, from, 1), from, to);
    const mid = middle(y);
    expect(Math.abs(frequency(mid, to) / hz - 1)).toBeLessThan(1e-3);
    expect(Math.abs(rms(mid) / (0.5 / Math.SQRT2) - 1)).toBeLessThan(0.01);
  });

  // From 1.1 times the new Nyquist up, the filter's stopband: the design gives 80 dB, the test asks for 60.
  it.each([
    [48000, 8000, 4500],
    [48000, 8000, 5000],
    [48000, 8000, 6000],
    [48000, 8000, 11000],
    [22050, 8000, 5000],
    [22050, 8000, 10000],
    [44100, 16000, 9000],
  ])('%d Hz -> %d Hz removes a %d Hz tone (no aliasing)', (from, to, hz) => {
    const y = resample(f32(hz, from, 1), from, to);
    expect(db(rms(middle(y)) / (0.5 / Math.SQRT2))).toBeLessThan(-60);
  });

  it('upsampling leaves no spectral image above the old Nyquist', () => {
    // A 3 kHz tone at 8 kHz mirrors to 5 kHz if the zero-stuffed images are not filtered out; a DFT bin at 5 kHz
    // (1 s at 16 kHz: bins are 1 Hz apart) must be 60 dB below the tone's own.
    const y = middle(resample(f32(3000, 8000, 1), 8000, 16000));
    const bin = (hz: number): number => {
      let re = 0;
      let im = 0;
      for (let i = 0; i < y.length; i++) {
        re += (y[i] as number) * Math.cos((2 * Math.PI * hz * i) / 16000);
        im += (y[i] as number) * Math.sin((2 * Math.PI * hz * i) / 16000);
      }
      return Math.hypot(re, im);
    };
    expect(db(bin(5000) / bin(3000))).toBeLessThan(-60);
  });

  it.each([
    [1000, 44100, 8000],
    [1001, 44100, 8000],
    [7, 48000, 8000],
    [3, 48000, 8000],
    [1, 8000, 48000],
    [12345, 22050, 16000],
    [999, 8000, 22050],
    [1000, 44100, 4099],
    [1000, 8000, 12345.5],
  ])('gives round(n * to / from) samples: n = %d, %d Hz -> %d Hz', (n, from, to) => {
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    expect(resample(x, from, to).length).toBe(Math.round((n * to) / from));
  });

  it('returns the samples themselves when the rates match, and an empty input as it is', () => {
    const x = f32(440, 8000, 0.1);
    const copy = x.slice();
    expect(resample(x, 8000, 8000)).toBe(x);
    expect(x).toEqual(copy);
    const empty = new Float32Array(0);
    expect(resample(empty, 48000, 8000)).toBe(empty);
  });

  it('keeps a constant constant away from the edges', () => {
    const y = middle(resample(new Float32Array(48000).fill(0.25), 48000, 8000));
    for (const v of y) expect(v).toBeCloseTo(0.25, 5);
  });

  it('rejects a rate that is not positive and finite', () => {
    const x = new Float32Array(10);
    expect(() => resample(x, 0, 8000)).toThrow(RangeError);
    expect(() => resample(x, 8000, -1)).toThrow(RangeError);
    expect(() => resample(x, Number.NaN, 8000)).toThrow(RangeError);
    expect(() => resample(x, 8000, Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
