// The live side of the speech page in Chromium with a fake microphone: continuous listening moves the level
// meter, scrolls the live spectrogram (the tone's row where the frequency axis says 1 kHz, the axes drawn
// beside it), gives an answer with the audio it heard for playback, and a failed upload clears the answer
// instead of leaving it under the error. An untrained model is enough: this checks the page, not accuracy.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav16 } from '../src/audio/index.js';
import { DEFAULT_FEATURES, inputShape } from '../src/features/index.js';
import { SpeechClassifier, buildFreqModel } from '../src/model/index.js';
import { buildServer, listen } from '../src/web/server.js';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) console.warn(`browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

/** The live plot's margins (app.js PLOT), its top frequency (LIVE_MAX_HZ) and the fake microphone's tone. */
const PLOT = { left: 58, right: 64, top: 8, bottom: 28 };
const LIVE_MAX_HZ = 4000;
const TONE_HZ = 1000;

let app: FastifyInstance;
let url: string;
let dir: string;

beforeAll(async () => {
  await tf.setBackend('cpu');
  const labels = ['low', 'mid', 'high'];
  const model = buildFreqModel(inputShape(DEFAULT_FEATURES), labels.length);
  app = buildServer(new SpeechClassifier(model, { kind: 'freq', labels, features: DEFAULT_FEATURES }));
  url = await listen(app, '127.0.0.1', 0);
  dir = mkdtempSync(join(tmpdir(), 'speech-live-'));
});

afterAll(async () => {
  await app?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!existsSync(CHROMIUM))('the live page with a fake microphone', () => {
  it('listens continuously: meter, live spectrogram with axes, an answer to play back; an error clears it', async () => {
    // 0.6 s of a 1 kHz tone at half scale, then 0.9 s of silence, at 48 kHz: the fake microphone loops it.
    const rate = 48000;
    const mic = new Float32Array(rate * 1.5);
    for (let i = 0; i < rate * 0.6; i++) mic[i] = 0.5 * Math.sin((2 * Math.PI * TONE_HZ * i) / rate);
    const wav = join(dir, 'tone.wav');
    writeFileSync(wav, encodeWav16(mic, rate));
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
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
      const page = await browser.newPage({ viewport: { width: 400, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);
      await page.waitForSelector('body[data-ready="true"]');
      expect(await page.textContent('#meter-db')).toBe('-- dBFS');
      await page.click('#listen');

      // The meter reads the tone: loud (about -9 dBFS RMS) while it plays, low in the silence between.
      const levels = new Set<number>();
      for (let i = 0; i < 30 && !(levels.size > 1 && Math.max(...levels) > -20); i++) {
        await page.waitForTimeout(100);
        const m = /^(-?\d+) dBFS$/.exec((await page.textContent('#meter-db')) ?? '');
        if (m) levels.add(Number(m[1]));
      }
      expect(Math.max(...levels)).toBeGreaterThan(-20);
      expect(Math.min(...levels)).toBeLessThan(Math.max(...levels));
      const fill = await page.$eval('#meter-fill', (e) => (e as HTMLElement).style.width);
      expect(fill).toMatch(/^\d+(\.\d)?%$/);

      // Several answers come while listening: each with the audio sent, ready to play back.
      await page.waitForFunction(() => document.querySelectorAll('#history li').length >= 2, undefined, {
        timeout: 30_000,
      });
      expect(await page.getAttribute('#answer', 'data-label')).not.toBe('');
      expect(await page.$eval('#heard', (a) => (a as HTMLAudioElement).src)).toMatch(/^blob:/);
      expect(await page.$eval('#heard', (a) => (a as HTMLAudioElement).hidden)).toBe(false);

      // The live spectrogram: its brightest row inside the axes is where the frequency axis puts 1 kHz,
      // and the margins carry the axes' ticks and labels (dark pixels on white).
      const live = await page.$eval(
        '#live',
        (c, plot) => {
          const canvas = c as HTMLCanvasElement;
          const g = canvas.getContext('2d')!;
          const pw = canvas.width - plot.left - plot.right;
          const ph = canvas.height - plot.top - plot.bottom;
          const img = g.getImageData(plot.left, plot.top, pw, ph).data;
          let best = 0;
          let bestRow = 0;
          for (let y = 0; y < ph; y++) {
            let s = 0;
            for (let x = 0; x < pw; x++) for (let k = 0; k < 3; k++) s += img[(y * pw + x) * 4 + k]!;
            if (s > best) [best, bestRow] = [s, y];
          }
          const dark = (x0: number, y0: number, w: number, h: number): number => {
            const d = g.getImageData(x0, y0, w, h).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4) if (d[i]! < 120 && d[i + 1]! < 120 && d[i + 2]! < 120) n++;
            return n;
          };
          return {
            row: bestRow,
            ph,
            yAxis: dark(0, 0, plot.left, canvas.height - plot.bottom),
            xAxis: dark(plot.left, canvas.height - plot.bottom, pw, plot.bottom),
          };
        },
        PLOT,
      );
      const expectedRow = live.ph * (1 - TONE_HZ / LIVE_MAX_HZ);
      expect(Math.abs(live.row - expectedRow)).toBeLessThanOrEqual(live.ph / 16);
      expect(live.yAxis).toBeGreaterThan(100);
      expect(live.xAxis).toBeGreaterThan(100);

      // Stop listening, then a file that is not a WAV: the error shows, the last answer does not stay under it.
      await page.click('#listen');
      await page.setInputFiles('#file', {
        name: 'notes.wav',
        mimeType: 'audio/wav',
        buffer: Buffer.from('these are not audio samples'),
      });
      await page.waitForSelector('#status[data-state="error"]');
      expect(await page.textContent('#status')).toMatch(/^Error: .*WAV/);
      expect(await page.textContent('#answer')).toBe('');
      expect(await page.getAttribute('#answer', 'data-label')).toBe('');
      expect(await page.$$eval('#probs li', (l) => l.length)).toBe(0);
      expect(await page.$eval('#heard', (a) => (a as HTMLAudioElement).hasAttribute('src'))).toBe(false);
      expect(await page.$eval('#spectrogram', (c) => (c as HTMLCanvasElement).hidden)).toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);
});
