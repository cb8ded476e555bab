// Draws docs/screenshot.png, the README's picture of the page: the shipped model labelling three sentences typed
// into the page, in Debian's headless Chromium.
// Run (in apps/text-cnn): pnpm exec tsx scripts/screenshot.ts [out.png] [width]
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { initBackend } from '@cnn-lab/core';
import { chromium } from 'playwright-core';
import { APP_DIR } from '../src/app.js';
import { buildServer } from '../src/web/server.js';

const browserPath = '/usr/bin/chromium';
if (!existsSync(browserPath)) throw new Error(`screenshot: ${browserPath} is needed (apt-get install chromium)`);
const out = resolve(process.argv[2] ?? join(APP_DIR, 'docs', 'screenshot.png'));
const width = Number(process.argv[3] ?? 800);
const sentences = [
  'A gorgeous, witty and moving film, even if the plot is thin.',
  "It's not a disaster, just a dull and forgettable one.",
  'Terrific performances.',
];
await initBackend({ quiet: true });
const app = await buildServer();
const url = await app.listen({ host: '127.0.0.1', port: 0 });
const browser = await chromium.launch({
  executablePath: browserPath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width, height: 600 } });
  await page.goto(`${url}/`);
  await page.waitForSelector('#status[data-state="idle"]', { timeout: 30_000 });
  await page.fill('#text', sentences.join('\n'));
  await page.click('#go');
  await page.waitForSelector('#status[data-state="done"], #status[data-state="error"]', { timeout: 30_000 });
  if ((await page.getAttribute('#status', 'data-state')) !== 'done')
    throw new Error(`screenshot: the page says ${await page.textContent('#status')}`);
  await page.screenshot({ path: out, fullPage: true });
  console.log(`screenshot: ${out} (${(await page.locator('.result .label').allTextContents()).join(', ')})`);
} finally {
  await browser.close();
  await app.close();
}
