import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@cnn-lab/core';
import { decodeWav, encodeWav16 } from '../src/audio/index.js';
import { DEFAULT_FEATURES, SPEECH_MEL, hzToMel, inputShape } from '../src/features/index.js';
import { SpeechClassifier, buildFreqModel } from '../src/model/index.js';
import { webRoutes } from '../src/web/routes.js';
import { buildServer, listen } from '../src/web/server.js';

// An untrained model is enough for most of these: they check the page and the endpoint, not accuracy.
let app: FastifyInstance;
let url: string;
const labels = ['low', 'mid', 'high'];
const appDir = join(import.meta.dirname, '..');

/** A tone of `seconds` followed by `padSeconds` of silence: a word-like sound the gate lets through. */
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

const post = (server: FastifyInstance, samples: Float32Array, rate: number, path = '/api/predict') =>
  server.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'audio/wav' },
    payload: Buffer.from(encodeWav16(samples, rate)),
  });

interface Answer {
  label: string | null;
  reason?: string;
  voiced: [number, number] | null;
  level: { peakDb: number; floorDb: number };
  probabilities: Array<{ label: string; probability: number }>;
  spectrogram?: { frames: number; bands: number; data: number[] };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  const model = buildFreqModel(inputShape(DEFAULT_FEATURES), labels.length);
  app = buildServer(new SpeechClassifier(model, { kind: 'freq', labels, features: DEFAULT_FEATURES }), {
    maxBytes: 200_000,
  });
  url = await listen(app, '127.0.0.1', 0);
});

afterAll(async () => {
  await app?.close();
});

describe('POST api/predict', () => {
  it('returns probabilities over the labels, where the sound is, and the spectrogram of a 44.1 kHz upload', async () => {
    const res = await post(app, tone(1000, 44100, 0.5, 0.3), 44100);
    expect(res.statusCode).toBe(200);
    const body = res.json<Answer>();
    expect(body.probabilities.map((p) => p.label).sort()).toEqual([...labels].sort());
    expect(body.probabilities.reduce((s, p) => s + p.probability, 0)).toBeCloseTo(1, 4);
    expect(body.label).toBe(body.probabilities[0]?.label);
    expect(body.reason).toBeUndefined();
    // The tone is at -9 dBFS RMS and lasts 0.5 s.
    expect(body.level.peakDb).toBeCloseTo(-9, 0);
    expect(body.voiced?.[0]).toBe(0);
    expect(body.voiced?.[1]).toBeCloseTo(0.5, 1);
    expect([body.spectrogram?.frames, body.spectrogram?.bands]).toEqual([98, 40]);
    const first = body.spectrogram?.data.slice(0, 40) ?? [];
    expect(first.indexOf(Math.max(...first))).toBe(bandHolding(1000));
  });

  it('answers label null, reason "silence", for digital silence, a quiet room and a steady hum, without asking the model', async () => {
    const rng = new Rng(9);
    const quiet = Float32Array.from({ length: 16000 }, () => 0.0003 * rng.normal());
    const hum = Float32Array.from({ length: 16000 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 50 * i) / 16000));
    for (const x of [new Float32Array(16000), quiet, hum]) {
      const body = (await post(app, x, 16000)).json<Answer>();
      expect(body).toMatchObject({ label: null, reason: 'silence', voiced: null, probabilities: [] });
      expect(body.spectrogram).toBeUndefined();
    }
  });

  it('answers label null, reason "not-a-digit", when the unknown class wins', async () => {
    const words = ['0', '1', '_unknown_'];
    const model = buildFreqModel(inputShape(DEFAULT_FEATURES), words.length);
    const last = model.layers.at(-1) as tf.layers.Layer;
    const [kernel] = last.getWeights() as [tf.Tensor, tf.Tensor];
    last.setWeights([tf.zerosLike(kernel), tf.tensor1d([0, 0, 20])]);
    const server = buildServer(
      new SpeechClassifier(model, { kind: 'freq', labels: words, features: DEFAULT_FEATURES }),
    );
    const body = (await post(server, tone(600, 8000, 0.4, 0.2), 8000)).json<Answer>();
    expect(body).toMatchObject({ label: null, reason: 'not-a-digit' });
    expect(body.probabilities[0]).toMatchObject({ label: '_unknown_' });
    const info = (await server.inject({ method: 'GET', url: '/api/info' })).json<{
      labels: string[];
      unknownClass: boolean;
    }>();
    expect(info).toMatchObject({ labels: ['0', '1'], unknownClass: true });
    await server.close();
  });

  it("an ensemble's server answers the mean of its members' probabilities and says how many members it has", async () => {
    const info = { kind: 'freq' as const, labels, features: DEFAULT_FEATURES };
    const m1 = buildFreqModel(inputShape(DEFAULT_FEATURES), labels.length, undefined, 1);
    const m2 = buildFreqModel(inputShape(DEFAULT_FEATURES), labels.length, undefined, 2);
    const both = buildServer(new SpeechClassifier(m1, info, [{ model: m2, info }]));
    const wav = tone(700, 8000, 0.4, 0.2);
    const ask = async (server: FastifyInstance) =>
      Object.fromEntries(
        (await post(server, wav, 8000)).json<Answer>().probabilities.map((p) => [p.label, p.probability]),
      ) as Record<string, number>;
    const [a, b, mean] = [
      await ask(buildServer(new SpeechClassifier(m1, info))),
      await ask(buildServer(new SpeechClassifier(m2, info))),
      await ask(both),
    ];
    for (const l of labels) expect(mean[l]).toBeCloseTo(((a[l] as number) + (b[l] as number)) / 2, 3);
    expect((await both.inject({ method: 'GET', url: '/api/info' })).json<{ members: number }>().members).toBe(2);
  });

  it('answers 400 naming the problem for a body that is not WAV', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/predict',
      headers: { 'content-type': 'audio/wav' },
      payload: Buffer.from('definitely not RIFF data'),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: string }>().error).toMatch(/upload: not a readable WAV file/);
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

describe('the routes as a plugin mounted under a prefix (as the lab site mounts them)', () => {
  it('serves the page, its script and style and the API under the prefix, with relative URLs and no machine paths', async () => {
    const site = Fastify();
    const model = buildFreqModel(inputShape(DEFAULT_FEATURES), labels.length);
    await site.register(webRoutes, {
      prefix: '/speech-cnn',
      classifier: new SpeechClassifier(model, { kind: 'freq', labels, features: DEFAULT_FEATURES }),
      modelName: 'default',
    });
    const bare = await site.inject({ method: 'GET', url: '/speech-cnn' });
    expect(bare.statusCode).toBe(308);
    expect(bare.headers.location).toBe('/speech-cnn/');
    const page = await site.inject({ method: 'GET', url: '/speech-cnn/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('src="app.js"');
    expect(page.body).not.toMatch(/(src|href)="\//);
    const js = await site.inject({ method: 'GET', url: '/speech-cnn/app.js' });
    expect(js.statusCode).toBe(200);
    expect(js.headers['content-type']).toMatch(/javascript/);
    // Every request the script makes is relative to the page.
    expect(js.body).toMatch(/fetch\('api\/predict'/);
    expect(js.body).not.toMatch(/fetch\('\//);
    expect((await site.inject({ method: 'GET', url: '/speech-cnn/app.css' })).statusCode).toBe(200);
    const info = await site.inject({ method: 'GET', url: '/speech-cnn/api/info' });
    expect(info.json()).toMatchObject({ model: 'default', labels, unknownClass: false, sampleRate: 8000 });
    expect(info.body).not.toContain(appDir);
    expect(info.body).not.toContain(tmpdir());
    const answer = await post(site, new Float32Array(8000), 8000, '/speech-cnn/api/predict');
    expect(answer.json()).toMatchObject({ label: null, reason: 'silence' });
    await site.close();
  });

  it('loads the shipped model when given none, and names it without a path', async () => {
    const site = Fastify();
    await site.register(webRoutes, { prefix: '/speech-cnn' });
    const info = await site.inject({ method: 'GET', url: '/speech-cnn/api/info' });
    expect(info.json()).toMatchObject({ model: 'default', labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] });
    expect(info.body).not.toContain(appDir);
    await site.close();
  });
});

describe('start', () => {
  it('exits 2 naming --port when the port is busy', async () => {
    const port = Number(new URL(url).port);
    const tsx = join(appDir, '..', '..', 'node_modules', '.bin', 'tsx');
    let result: { code: number; stderr: string } = { code: 0, stderr: '' };
    try {
      execFileSync(tsx, [join(appDir, 'src', 'cli.ts'), 'start', '--port', String(port)], {
        cwd: appDir,
        env: { ...process.env, CNN_LAB_BACKEND: 'cpu' },
        stdio: 'pipe',
        timeout: 60_000,
      });
    } catch (err) {
      const e = err as { status: number; stderr: Buffer };
      result = { code: e.status, stderr: e.stderr.toString() };
    }
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(new RegExp(`--port ${port}: 127\\.0\\.0\\.1:${port} is already in use`));
    expect(result.stderr).not.toMatch(/EADDRINUSE/);
  });
});

const chromium = '/usr/bin/chromium';
if (!existsSync(chromium))
  console.warn(`skipping the browser tests: ${chromium} is not installed (apt-get install chromium)`);

/** A browser whose microphone plays `wav` (in a loop). */
async function browserWithMicrophone(wav: string) {
  const { chromium: pw } = await import('playwright-core');
  return pw.launch({
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
}

describe.skipIf(!existsSync(chromium))('the page in headless Chromium with a fake microphone', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'speech-web-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('records once, draws the spectrogram the model saw (low bands at the bottom) and lists the probabilities', async () => {
    const wav = join(dir, 'tone.wav');
    // 0.6 s of a 1 kHz tone then silence, at 48 kHz: the fake microphone loops it.
    writeFileSync(wav, encodeWav16(tone(1000, 48000, 0.6, 1.4), 48000));
    const browser = await browserWithMicrophone(wav);
    try {
      const page = await browser.newPage();
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]');
      await page.click('#record');
      await page.waitForSelector('#status[data-state="done"], #status[data-state="error"]', { timeout: 30_000 });
      expect(await page.getAttribute('#status', 'data-state'), (await page.textContent('#status')) ?? '').toBe('done');
      const probs = await page.$$eval('#probs li', (lis) =>
        lis.map((li) => Number((li as HTMLElement).dataset.probability)),
      );
      expect(probs).toHaveLength(labels.length);
      expect(probs.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
      expect(await page.$eval('#heard', (a) => (a as HTMLAudioElement).src)).toMatch(/^blob:/);
      // The brightest row of the drawn input (inside the axes) is the mel band that holds 1 kHz.
      const band = await page.$eval('#spectrogram', (c) => {
        const canvas = c as HTMLCanvasElement;
        const [left, right, top, bottom] = [58, 64, 8, 28];
        const g = canvas.getContext('2d') as CanvasRenderingContext2D;
        const ph = canvas.height - top - bottom;
        const img = g.getImageData(left, top, canvas.width - left - right, ph);
        let best = 0;
        let bestRow = 0;
        for (let y = 0; y < ph; y++) {
          let s = 0;
          for (let x = 0; x < img.width; x++)
            for (let k = 0; k < 3; k++) s += img.data[(y * img.width + x) * 4 + k] as number;
          if (s > best) [best, bestRow] = [s, y];
        }
        return 39 - Math.floor(bestRow / (ph / 40));
      });
      expect(band).toBe(bandHolding(1000));
    } finally {
      await browser.close();
    }
  });

  const espeak = (() => {
    try {
      execFileSync('espeak-ng', ['--version'], { stdio: 'pipe' });
      return true;
    } catch {
      return false;
    }
  })();
  if (!espeak)
    console.warn('skipping the spoken-digit browser test: espeak-ng is not installed (apt-get install espeak-ng)');

  it.skipIf(!espeak)(
    'listening with the shipped model: a spoken "seven" is answered 7, a silent microphone "no digit"',
    async () => {
      const shipped = buildServer({ modelName: 'default' });
      const shippedUrl = await listen(shipped, '127.0.0.1', 0);
      try {
        // "seven" from espeak-ng at 48 kHz, with silence before and after; the fake microphone loops it.
        const said = join(dir, 'said.wav');
        execFileSync('espeak-ng', ['-v', 'en-us', '-w', said, 'seven']);
        const voice = decodeWav(readFileSync(said), said, { sampleRate: 48000 }).samples;
        const mic = new Float32Array(48000 * 3);
        mic.set(voice, 48000 * 0.7);
        const seven = join(dir, 'seven.wav');
        writeFileSync(seven, encodeWav16(mic, 48000));
        const silent = join(dir, 'silent.wav');
        writeFileSync(silent, encodeWav16(new Float32Array(48000 * 2), 48000));
        for (const [wav, expected] of [
          [seven, '7'],
          [silent, 'none'],
        ] as const) {
          const browser = await browserWithMicrophone(wav);
          try {
            const page = await browser.newPage({ viewport: { width: 400, height: 900 } });
            await page.goto(shippedUrl);
            await page.waitForSelector('body[data-ready="true"]');
            await page.click('#listen');
            await page.waitForSelector('#answer:not([data-label=""])', { timeout: 30_000 });
            const label = await page.getAttribute('#answer', 'data-label');
            expect(label, `${(await page.textContent('#status')) ?? ''}`).toBe(expected);
            if (expected === 'none') {
              expect(await page.textContent('#answer')).toBe('no digit');
              expect(await page.getAttribute('#answer', 'data-reason')).toBe('silence');
            } else {
              expect(await page.$$eval('#history li', (l) => l.length)).toBeGreaterThan(0);
            }
            // The meter moved and the page fits 400 px.
            expect(await page.$eval('#meter-db', (e) => e.textContent)).toMatch(/dBFS/);
            expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
            await page.click('#listen');
          } finally {
            await browser.close();
          }
        }
      } finally {
        await shipped.close();
      }
    },
    120_000,
  );
});
