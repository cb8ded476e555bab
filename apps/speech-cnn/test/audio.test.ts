import wavefile from 'wavefile';
import { describe, expect, it } from 'vitest';
import { DataError } from '@cnn-lab/core';
import { decodeWav, encodeWav16 } from '../src/audio/index.js';

const { WaveFile } = wavefile;

function tone(hz: number, rate: number, seconds: number, amp = 0.5): Float64Array {
  return Float64Array.from({ length: Math.round(rate * seconds) }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate));
}

function wav(channels: number, rate: number, depth: string, samples: ArrayLike<number> | ArrayLike<number>[]): Uint8Array {
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
    for (let i = 0; i < src.length; i += 37) expect(audio.samples[i]).toBeCloseTo(src[i] as number, tol === 0.01 ? 1 : 3);
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
    for (let i = 1; i < mid.length; i++) if (((mid[i - 1] as number) < 0) !== ((mid[i] as number) < 0)) crossings++;
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
