// Draws docs/screenshot.png, the README's picture of the page: the shipped model listening to a microphone that
// plays an FSDD recording (Chromium's fake microphone, headless), after it answered.
// Run (in apps/speech-cnn): pnpm exec tsx scripts/screenshot.ts [recording.wav] [out.png]
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { initBackend, resolveDataDir } from '@cnn-lab/core';
import { chromium } from 'playwright-core';
import { APP_DIR, DATA_SUB, DATA_WHAT } from '../src/app.js';
import { decodeWav, encodeWav16 } from '../src/audio/index.js';
import { buildServer, listen } from '../src/web/server.js';

const browserPath = '/usr/bin/chromium';
if (!existsSync(browserPath)) throw new Error(`screenshot: ${browserPath} is needed (apt-get install chromium)`);
const here = process.env.INIT_CWD ?? process.cwd();
const wav = process.argv[2]
  ? resolve(here, process.argv[2])
  : join(resolveDataDir({}, DATA_SUB, DATA_WHAT), '7_jackson_0.wav');
const out = process.argv[3] ? resolve(here, process.argv[3]) : join(APP_DIR, 'docs', 'screenshot.png');
// The recording at 48 kHz with silence around it: the fake microphone loops the file.
const tmp = mkdtempSync(join(tmpdir(), 'speech-shot-'));
const word = decodeWav(readFileSync(wav), wav, { sampleRate: 48000 }).samples;
const mic = new Float32Array(48000 * 3);
mic.set(word.subarray(0, 48000 * 2), 48000 * 0.6);
const micFile = join(tmp, 'mic.wav');
writeFileSync(micFile, encodeWav16(mic, 48000));
await initBackend({ quiet: true });
const app = buildServer({ modelName: 'default' });
const url = await listen(app, '127.0.0.1', 0);
const browser = await chromium.launch({
  executablePath: browserPath,
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
    `--use-file-for-fake-audio-capture=${micFile}`,
    '--autoplay-policy=no-user-gesture-required',
  ],
});
try {
  const page = await browser.newPage({ viewport: { width: 820, height: 900 } });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="true"]');
  await page.click('#listen');
  await page.waitForSelector('#answer:not([data-label=""]):not([data-label="none"])', { timeout: 60_000 });
  // Let the live spectrogram scroll the word to the middle.
  await page.waitForTimeout(2500);
  await page.screenshot({ path: out, fullPage: true });
  console.log(`screenshot: ${out} (answer ${await page.textContent('#answer')})`);
} finally {
  await browser.close();
  await app.close();
  rmSync(tmp, { recursive: true, force: true });
}
