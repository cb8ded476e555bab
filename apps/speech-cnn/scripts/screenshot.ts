// Draws docs/page.png, the README's picture of the page: the shipped model answering an FSDD recording uploaded
// through the page, in Debian's headless Chromium.
// Run (in apps/speech-cnn): pnpm exec tsx scripts/screenshot.ts [recording.wav] [out.png]
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initBackend, resolveDataDir } from '@cnn-lab/core';
import { chromium } from 'playwright-core';
import { APP_DIR, DATA_SUB, DATA_WHAT } from '../src/app.js';
import { loadSpeechClassifier } from '../src/model/index.js';
import { buildServer } from '../src/web/server.js';

const browserPath = '/usr/bin/chromium';
if (!existsSync(browserPath)) throw new Error(`screenshot: ${browserPath} is needed (apt-get install chromium)`);
const wav = process.argv[2]
  ? resolve(process.argv[2])
  : join(resolveDataDir({}, DATA_SUB, DATA_WHAT), '7_jackson_0.wav');
const out = resolve(process.argv[3] ?? join(APP_DIR, 'docs', 'page.png'));
await initBackend({ quiet: true });
const app = buildServer(await loadSpeechClassifier(join(APP_DIR, 'models', 'default')));
const url = await app.listen({ host: '127.0.0.1', port: 0 });
const browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 820, height: 740 } });
  await page.goto(url);
  await page.setInputFiles('#file', wav);
  await page.waitForSelector('#status[data-state="done"], #status[data-state="error"]', { timeout: 30_000 });
  if ((await page.getAttribute('#status', 'data-state')) !== 'done')
    throw new Error(`screenshot: the page says ${await page.textContent('#status')}`);
  await page.screenshot({ path: out, fullPage: true });
  console.log(`screenshot: ${out} (${await page.textContent('#answer')})`);
} finally {
  await browser.close();
  await app.close();
}
