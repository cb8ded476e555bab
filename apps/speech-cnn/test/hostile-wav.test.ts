// WAV files with hostile headers: each is refused with a DataError naming the file, quickly, before any work that
// grows with what the header claims; the server answers 400 and keeps answering; a batch skips and counts them.
import wavefile from 'wavefile';
import * as tf from '@tensorflow/tfjs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '@cnn-lab/core';
import { MAX_SAMPLE_RATE, decodeWav, encodeWav16, resample } from '../src/audio/index.js';
import { decodeEntries } from '../src/data/decode.js';
import { DEFAULT_FEATURES, inputShape } from '../src/features/index.js';
import { SpeechClassifier, buildFreqModel } from '../src/model/index.js';
import { buildServer } from '../src/web/server.js';

const { WaveFile } = wavefile;

/** A 2 KB 16-bit mono WAV (1000 samples of a tone at 16 kHz). */
function smallWav(): Uint8Array {
  return encodeWav16(
    Float32Array.from({ length: 1000 }, (_, i) => 0.5 * Math.sin(i / 5)),
    16000,
  );
}

/** `bytes` with the header's sample rate (and byte rate) replaced: what the files did. */
export function withRate(bytes: Uint8Array, rate: number): Uint8Array {
  const b = Uint8Array.from(bytes);
  const v = new DataView(b.buffer);
  v.setUint32(24, rate, true);
  v.setUint32(28, (rate * 2) >>> 0, true);
  return b;
}

function withFormatTag(bytes: Uint8Array, tag: number): Uint8Array {
  const b = Uint8Array.from(bytes);
  new DataView(b.buffer).setUint16(20, tag, true);
  return b;
}

function floatWav(samples: number[], channels = 1): Uint8Array {
  const w = new WaveFile();
  const data = channels === 1 ? samples : Array.from({ length: channels }, () => samples);
  w.fromScratch(channels, 16000, '32f', data);
  return w.toBuffer();
}

/** Runs `fn`, returning what it threw and how long it took. */
function timed(fn: () => unknown): { error: unknown; ms: number } {
  const t0 = performance.now();
  try {
    fn();
    return { error: undefined, ms: performance.now() - t0 };
  } catch (error) {
    return { error, ms: performance.now() - t0 };
  }
}

describe('absurd sample rates', () => {
  it.each([400_000_000, 20_000_003, 4_000_000_000, 1, 999, MAX_SAMPLE_RATE + 1])(
    'a 2 KB file whose header says %d Hz is a DataError naming the file, in milliseconds',
    (rate) => {
      const bytes = withRate(smallWav(), rate);
      expect(bytes.byteLength).toBeLessThan(2100);
      const { error, ms } = timed(() => decodeWav(bytes, 'rate.wav', { sampleRate: 8000 }));
      expect(error).toBeInstanceOf(DataError);
      expect((error as Error).message).toMatch(
        new RegExp(`^rate\\.wav: WAV header says ${rate} Hz; expected a sample rate from 1000 to 384000 Hz`),
      );
      expect(ms).toBeLessThan(200);
    },
  );

  it('the highest accepted rate and an odd one next to it still decode, in well under a second', () => {
    for (const rate of [MAX_SAMPLE_RATE, MAX_SAMPLE_RATE - 1]) {
      const { error, ms } = timed(() => decodeWav(withRate(smallWav(), rate), 'x.wav', { sampleRate: 8000 }));
      expect(error).toBeUndefined();
      expect(ms).toBeLessThan(2000);
    }
  });

  it('resample itself refuses rates more than 64x apart instead of building a filter that grows with the ratio', () => {
    const { error, ms } = timed(() => resample(new Float32Array(100), 400_000_000, 8000));
    expect(error).toBeInstanceOf(RangeError);
    expect((error as Error).message).toMatch(/more than 64x apart/);
    expect(ms).toBeLessThan(50);
    expect(() => resample(new Float32Array(100), 8000, 8000 * 65)).toThrow(/more than 64x apart/);
  });
});

describe('samples and formats that are not audio', () => {
  it('NaN or infinite samples are a DataError that counts them', () => {
    expect(() => decodeWav(floatWav([0.1, NaN, Infinity, 0.2, -Infinity]), 'nan.wav')).toThrow(
      'nan.wav: 3 of 5 samples are NaN or infinite (the first at sample 1): not audio',
    );
  });

  it('a WAV tagged MP3 (0x55), or any format tag but PCM, float, A-law, mu-law and IMA ADPCM, is refused', () => {
    expect(() => decodeWav(withFormatTag(smallWav(), 0x55), 'mp3.wav')).toThrow(
      'mp3.wav: unsupported WAV format tag 0x0055 (MP3); expected PCM, IEEE float, A-law, mu-law or IMA ADPCM',
    );
    expect(() => decodeWav(withFormatTag(smallWav(), 0x02), 'ms-adpcm.wav')).toThrow(/format tag 0x0002/);
  });

  it('a float tag on 16-bit samples is refused rather than read as integers', () => {
    expect(() => decodeWav(withFormatTag(smallWav(), 3), 'f16.wav')).toThrow(
      'f16.wav: IEEE float WAV with 16-bit samples is not supported (expected 32 or 64 bits)',
    );
  });

  it('reads an extensible-header float WAV (3 channels) as floats, not as 32-bit integers', () => {
    const audio = decodeWav(
      floatWav(
        Array.from({ length: 200 }, () => 0.25),
        3,
      ),
      'ext.wav',
    );
    expect(audio.samples.length).toBe(200);
    expect(audio.samples[100]).toBeCloseTo(0.25, 6);
  });

  it('the codecs it decodes still decode (A-law, mu-law; IMA ADPCM to finite samples)', () => {
    for (const codec of ['toALaw', 'toMuLaw', 'toIMAADPCM'] as const) {
      const w = new WaveFile();
      w.fromScratch(1, 8000, '16', new Int16Array(1010).fill(8000));
      w[codec]();
      const audio = decodeWav(w.toBuffer(), `${codec}.wav`);
      expect(audio.sampleRate).toBe(8000);
      expect(audio.samples.every((v) => Number.isFinite(v) && Math.abs(v) <= 1)).toBe(true);
      if (codec !== 'toIMAADPCM') expect(audio.samples[300]).toBeCloseTo(8000 / 32768, 2);
    }
  });
});

describe('where recordings are read', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const labels = ['a', 'b'];
    const model = buildFreqModel(inputShape(DEFAULT_FEATURES), labels.length);
    app = buildServer(new SpeechClassifier(model, { kind: 'freq', labels, features: DEFAULT_FEATURES }));
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('the page answers 400 naming the problem for a 400 MHz or a 4 GHz header, at once, and keeps answering', async () => {
    for (const rate of [400_000_000, 4_000_000_000]) {
      const t0 = performance.now();
      const res = await app.inject({
        method: 'POST',
        url: '/api/predict',
        headers: { 'content-type': 'audio/wav' },
        payload: Buffer.from(withRate(smallWav(), rate)),
      });
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(res.statusCode).toBe(400);
      expect(res.json<{ error: string }>().error).toContain(`WAV header says ${rate} Hz`);
    }
    const page = await app.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
  });

  it('the page refuses, with its default caps, an upload over 4 MB (413) and a recording over 10 s (400)', async () => {
    const post = (bytes: Uint8Array) =>
      app.inject({
        method: 'POST',
        url: '/api/predict',
        headers: { 'content-type': 'audio/wav' },
        payload: Buffer.from(bytes),
      });
    // 11 s at 8 kHz, 16-bit: 176 KB, well under the size cap.
    const long = await post(encodeWav16(new Float32Array(8000 * 11).fill(0.1), 8000));
    expect(long.statusCode).toBe(400);
    expect(long.json<{ error: string }>().error).toMatch(/too long: 11\.0 s/);
    // 2.1 million 16-bit samples: 4.2 MB.
    const big = await post(encodeWav16(new Float32Array(2_100_000), 192_000));
    expect(big.statusCode).toBe(413);
    const ok = await post(encodeWav16(new Float32Array(8000 * 9).fill(0.1), 8000));
    expect(ok.statusCode).toBe(200);
  });

  it('a data set with a 4 GHz file skips, counts and names it, and decodes the rest', () => {
    const files: Record<string, Uint8Array> = {
      'good.wav': smallWav(),
      'huge-rate.wav': withRate(smallWav(), 4_000_000_000),
      'mp3.wav': withFormatTag(smallWav(), 0x55),
    };
    const entries = Object.keys(files).map((path) => ({ path, label: 'a', speaker: 's', take: 0 }));
    const set = decodeEntries(entries, (p) => files[p] as Uint8Array, DEFAULT_FEATURES);
    expect(set.entries.map((e) => e.path)).toEqual(['good.wav']);
    expect(set.bad.map((b) => b.path)).toEqual(['huge-rate.wav', 'mp3.wav']);
    expect(set.bad[0]?.reason).toMatch(/4000000000 Hz/);
  });
});
