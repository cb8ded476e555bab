import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav16 } from '../src/audio/index.js';
import { DEFAULT_FEATURES, SPEECH_MEL, hzToMel, inputShape } from '../src/features/index.js';
import { SpeechClassifier, buildFreqModel } from '../src/model/index.js';
import { buildServer } from '../src/web/server.js';

// An untrained model is enough here: these tests check the page and the endpoint, not accuracy.
let app: FastifyInstance;
let url: string;
const labels = ['low', 'mid', 'high'];

function tone(hz: number, rate: number, seconds: number, padSeconds = 0): Float32Array {
  const n = Math.round(rate * seconds);
  const out = new Float32Array(n + Math.round(rate * padSeconds));
  for (let i = 0; i < n; i++) out[i] = 0.5 * Math.sin((2 * Math.PI * hz * i) / rate);
  return out;
}

function bandHolding(hz: number): number {
  const lo = hzToMel(SPEECH_MEL.fMin);
  return Math.round((hzToMel(hz) - lo) / ((hzToMel(SPEECH_MEL.fMax) - lo) / (SPEECH_MEL.melBands + 1))) - 1;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  const model = buildFreqModel(inputShape(DEFAULT_FEATURES), labels.length);
  app = buildServer(new SpeechClassifier(model, { kind: 'freq', labels, features: DEFAULT_FEATURES }), {
    maxBytes: 200_000,
  });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app?.close();
});

describe('POST /api/predict', () => {
  it('returns probabilities over the labels and the spectrogram of a 44.1 kHz upload', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/predict',
      headers: { 'content-type': 'audio/wav' },
      payload: Buffer.from(encodeWav16(tone(1000, 44100, 0.5), 44100)),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json() as {
      label: string;
      probabilities: Array<{ label: string; probability: number }>;
      spectrogram: { frames: number; bands: number; data: number[] };
    };
    expect(body.probabilities.map((p) => p.label).sort()).toEqual([...labels].sort());
    expect(body.probabilities.reduce((s, p) => s + p.probability, 0)).toBeCloseTo(1, 4);
    expect(body.label).toBe(body.probabilities[0]?.label);
    expect([body.spectrogram.frames, body.spectrogram.bands]).toEqual([98, 40]);
    const first = body.spectrogram.data.slice(0, 40);
    expect(first.indexOf(Math.max(...first))).toBe(bandHolding(1000));
  });

  it("an ensemble's server answers the mean of its members' probabilities and says how many members it has", async () => {
    const info = { kind: 'freq' as const, labels, features: DEFAULT_FEATURES };
    const m1 = buildFreqModel(inputShape(DEFAULT_FEATURES), labels.length, undefined, 1);
    const m2 = buildFreqModel(inputShape(DEFAULT_FEATURES), labels.length, undefined, 2);
    const both = buildServer(new SpeechClassifier(m1, info, [{ model: m2, info }]));
    const wav = Buffer.from(encodeWav16(tone(700, 8000, 0.4), 8000));
    const ask = async (server: FastifyInstance) =>
      Object.fromEntries(
        (
          (
            await server.inject({
              method: 'POST',
              url: '/api/predict',
              headers: { 'content-type': 'audio/wav' },
              payload: wav,
            })
          ).json() as { probabilities: Array<{ label: string; probability: number }> }
        ).probabilities.map((p) => [p.label, p.probability]),
      ) as Record<string, number>;
    const [a, b, mean] = [
      await ask(buildServer(new SpeechClassifier(m1, info))),
      await ask(buildServer(new SpeechClassifier(m2, info))),
      await ask(both),
    ];
    for (const l of labels) expect(mean[l]).toBeCloseTo(((a[l] as number) + (b[l] as number)) / 2, 3);
    expect(((await both.inject({ method: 'GET', url: '/api/info' })).json() as { members: number }).members).toBe(2);
  });

  it('answers 400 naming the problem for a body that is not WAV', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/predict',
      headers: { 'content-type': 'audio/wav' },
      payload: Buffer.from('definitely not RIFF data'),
    });
    expect(res.statusCode).toBe(400);
    expect((res.json() as { error: string }).error).toMatch(/upload: not a readable WAV file/);
  });

  it('answers 413 for an upload over the size limit and 415 for another content type', async () => {
    const big = await app.inject({
      method: 'POST',
      url: '/api/predict',
      headers: { 'content-type': 'audio/wav' },
      payload: Buffer.alloc(300_000),
    });
    expect(big.statusCode).toBe(413);
    const json = await app.inject({ method: 'POST', url: '/api/predict', payload: { wav: 'x' } });
    expect(json.statusCode).toBe(415);
  });
});

const chromium = '/usr/bin/chromium';
if (!existsSync(chromium))
  console.warn(`skipping the browser test: ${chromium} is not installed (apt-get install chromium)`);

describe.skipIf(!existsSync(chromium))('the page in headless Chromium with a fake microphone', () => {
  it('records from the microphone, draws the spectrogram and lists the probabilities', async () => {
    const { chromium: pw } = await import('playwright-core');
    const dir = mkdtempSync(join(tmpdir(), 'speech-web-'));
    const wav = join(dir, 'mic.wav');
    // 0.6 s of a 1 kHz tone then silence, at 48 kHz: the fake microphone loops it.
    writeFileSync(wav, encodeWav16(tone(1000, 48000, 0.6, 1.4), 48000));
    const browser = await pw.launch({
      executablePath: chromium,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${wav}`,
        '--autoplay-policy=no-user-gesture-required',
      ],
    });
    try {
      const page = await browser.newPage();
      await page.goto(url);
      await page.click('#record');
      await page.waitForSelector('#status[data-state="done"], #status[data-state="error"]', { timeout: 30_000 });
      expect(await page.getAttribute('#status', 'data-state'), (await page.textContent('#status')) ?? '').toBe('done');
      const probs = await page.$$eval('#probs li', (lis) =>
        lis.map((li) => Number((li as HTMLElement).dataset.probability)),
      );
      expect(probs).toHaveLength(labels.length);
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
      // The brightest row of the drawn spectrogram is the mel band that holds 1 kHz (low bands at the bottom).
      const rows = await page.$eval('#spectrogram', (c) => {
        const canvas = c as HTMLCanvasElement;
        const img = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height);
        if (!img) return [];
        return Array.from({ length: canvas.height }, (_, y) => {
          let s = 0;
          for (let x = 0; x < canvas.width; x++)
            for (let k = 0; k < 3; k++) s += img.data[(y * canvas.width + x) * 4 + k] as number;
          return s;
        });
      });
      expect(rows).toHaveLength(40);
      const brightest = rows.indexOf(Math.max(...rows));
      expect(39 - brightest).toBe(bandHolding(1000));
    } finally {
      await browser.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
