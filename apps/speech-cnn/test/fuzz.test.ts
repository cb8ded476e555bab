// Seeded, time-bounded fuzzing of what a user can hand speech-cnn: WAV bytes (to decodeWav, which every verb and
// the page use) and HTTP requests to the page. Each input gets a value or a clear error (a DataError; a 4xx from
// the server), within a bounded time, never a crash, a 500 or a hang. Change SEED to explore; a failure prints
// the seed and the shrunk input that reproduces it.
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '@cnn-lab/core';
import { decodeWav, encodeWav16 } from '../src/audio/index.js';
import { DEFAULT_FEATURES, inputShape } from '../src/features/index.js';
import { SpeechClassifier, buildFreqModel } from '../src/model/index.js';
import { buildServer } from '../src/web/server.js';

const SEED = 20261204;
/** Each property runs until this many ms have passed (or numRuns), so the whole file takes a few seconds. */
const BUDGET_MS = 2000;
/** No single input may take longer than this (a loaded CI machine included). */
const PER_INPUT_MS = 1500;

function base(seconds = 0.05, rate = 16000): Uint8Array {
  return encodeWav16(
    Float32Array.from({ length: Math.round(rate * seconds) }, (_, i) => 0.3 * Math.sin(i / 7)),
    rate,
  );
}

/** A valid WAV with some header fields overwritten and some bytes flipped: near-misses find more than noise. */
const mutatedWav = fc
  .record({
    tag: fc.option(fc.constantFrom(0, 1, 2, 3, 6, 7, 0x11, 0x55, 0xfffe, 0xffff), { nil: undefined }),
    channels: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
    rate: fc.option(fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 900, max: 400_000 })), {
      nil: undefined,
    }),
    blockAlign: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: undefined }),
    bits: fc.option(fc.constantFrom(0, 1, 4, 8, 12, 16, 20, 24, 32, 64, 0xffff), { nil: undefined }),
    dataSize: fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }),
    flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
    cut: fc.option(fc.nat(), { nil: undefined }),
  })
  .map((m) => {
    const b = base();
    const v = new DataView(b.buffer);
    if (m.tag !== undefined) v.setUint16(20, m.tag, true);
    if (m.channels !== undefined) v.setUint16(22, m.channels, true);
    if (m.rate !== undefined) v.setUint32(24, m.rate, true);
    if (m.blockAlign !== undefined) v.setUint16(32, m.blockAlign, true);
    if (m.bits !== undefined) v.setUint16(34, m.bits, true);
    if (m.dataSize !== undefined) v.setUint32(40, m.dataSize, true);
    for (const [at, value] of m.flips) b[at % b.length] = value;
    return m.cut === undefined ? b : b.subarray(0, m.cut % (b.length + 1));
  });

/** Float WAVs with NaN, infinities, huge and tiny values among the samples. */
const floatWav = fc
  .array(fc.oneof(fc.float({ noDefaultInfinity: false, noNaN: false }), fc.double()), { minLength: 1, maxLength: 400 })
  .map((samples) => {
    const b = new Uint8Array(44 + samples.length * 4);
    const v = new DataView(b.buffer);
    const ascii = (at: number, s: string) => [...s].forEach((c, i) => (b[at + i] = c.charCodeAt(0)));
    ascii(0, 'RIFF');
    v.setUint32(4, b.length - 8, true);
    ascii(8, 'WAVEfmt ');
    v.setUint32(16, 16, true);
    v.setUint16(20, 3, true);
    v.setUint16(22, 1, true);
    v.setUint32(24, 16000, true);
    v.setUint32(28, 64000, true);
    v.setUint16(32, 4, true);
    v.setUint16(34, 32, true);
    ascii(36, 'data');
    v.setUint32(40, samples.length * 4, true);
    samples.forEach((s, i) => v.setFloat32(44 + 4 * i, s, true));
    return b;
  });

const anyBytes = fc.oneof(
  fc.uint8Array({ maxLength: 2048 }),
  fc.uint8Array({ maxLength: 256 }).map((tail) => {
    const b = new Uint8Array(12 + tail.length);
    b.set([...'RIFF'].map((c) => c.charCodeAt(0)));
    b.set(
      [...'WAVE'].map((c) => c.charCodeAt(0)),
      8,
    );
    new DataView(b.buffer).setUint32(4, tail.length + 4, true);
    b.set(tail, 12);
    return b;
  }),
);

/** decodeWav answers a usable recording or a DataError, within PER_INPUT_MS. */
function decodesOrRefuses(bytes: Uint8Array): void {
  const t0 = performance.now();
  try {
    const audio = decodeWav(bytes, 'fuzz.wav', { sampleRate: 8000, maxSeconds: 30 });
    expect(audio.sampleRate).toBe(8000);
    expect(audio.samples.length).toBeGreaterThan(0);
    for (const s of audio.samples) if (!Number.isFinite(s)) throw new Error('a decoded sample is not finite');
  } catch (err) {
    if (!(err instanceof DataError)) throw err;
    expect(err.message.startsWith('fuzz.wav: ')).toBe(true);
  }
  expect(performance.now() - t0).toBeLessThan(PER_INPUT_MS);
}

const runs = { seed: SEED, numRuns: 100_000, interruptAfterTimeLimit: BUDGET_MS };

describe('fuzz: decodeWav', () => {
  it('mutated headers and bytes: a recording or a DataError, each in bounded time and memory', () => {
    const rss0 = process.memoryUsage().rss;
    fc.assert(fc.property(mutatedWav, decodesOrRefuses), runs);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(512 * 2 ** 20);
  });

  it('float samples with NaN and infinities: finite audio or a DataError', () => {
    fc.assert(fc.property(floatWav, decodesOrRefuses), runs);
  });

  it('random bytes, with and without a RIFF/WAVE preamble', () => {
    fc.assert(fc.property(anyBytes, decodesOrRefuses), runs);
  });
});

describe('fuzz: the page over HTTP', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const labels = ['a', 'b'];
    const model = buildFreqModel(inputShape(DEFAULT_FEATURES), labels.length);
    app = buildServer(new SpeechClassifier(model, { kind: 'freq', labels, features: DEFAULT_FEATURES }), {
      maxBytes: 64 * 1024,
    });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('any body and content type posted to /api/predict: 200 or 4xx with an error message, never 500', async () => {
    const body = fc.oneof(mutatedWav, anyBytes, floatWav, fc.uint8Array({ minLength: 64 * 1024, maxLength: 70_000 }));
    const type = fc.constantFrom(
      'audio/wav',
      'audio/x-wav',
      'application/octet-stream',
      'application/json',
      'text/plain',
      'multipart/form-data; boundary=x',
      '',
    );
    await fc.assert(
      fc.asyncProperty(body, type, async (payload, contentType) => {
        const t0 = performance.now();
        const res = await app.inject({
          method: 'POST',
          url: '/api/predict',
          headers: contentType ? { 'content-type': contentType } : {},
          payload: Buffer.from(payload),
        });
        expect(performance.now() - t0).toBeLessThan(PER_INPUT_MS);
        expect(res.statusCode === 200 || (res.statusCode >= 400 && res.statusCode < 500)).toBe(true);
        if (res.statusCode !== 200) expect(typeof res.json<{ error?: unknown }>().error).toBe('string');
      }),
      runs,
    );
  });

  it('any path and method: an answer below 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS'),
        fc
          .oneof(
            fc.webPath(),
            fc.string({ maxLength: 200 }).map((s) => encodeURIComponent(s)),
          )
          .map((p) => (p.startsWith('/') ? p : `/${p}`)),
        async (method, url) => {
          const res = await app.inject({ method: method as 'GET', url });
          expect(res.statusCode).toBeLessThan(500);
        },
      ),
      runs,
    );
  });
});
