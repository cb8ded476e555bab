// Draws the README's picture of the page: a 7 drawn on the pad with the mouse, the answer, SmoothGrad,
// Grad-CAM and the first layers' feature maps, in Debian's headless Chromium, from the shipped model.
// Run (in apps/cnn-explorer): pnpm exec tsx scripts/screenshot.ts docs/screenshot.png
// The output file must be named: the script writes nothing else (the pictures' cache goes to runs/).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { initBackend } from '@cnn-lab/core';
import { chromium } from 'playwright-core';
import { Explorer } from '../src/web/explorer.js';
import { buildServer, listen } from '../src/web/server.js';

const browserPath = '/usr/bin/chromium';
if (!existsSync(browserPath)) throw new Error(`screenshot: ${browserPath} is needed (apt-get install chromium)`);
const target = process.argv[2];
if (!target) throw new Error('screenshot: name the PNG to write, e.g. docs/screenshot.png');
const out = resolve(process.env.INIT_CWD ?? process.cwd(), target);

await initBackend({ quiet: true });
const explorer = await Explorer.open({ log: (line) => console.log(line) });
const app = await buildServer({ explorer });
const url = await listen(app, '127.0.0.1', 0);
const browser = await chromium.launch({
  executablePath: browserPath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking'],
});
try {
  await explorer.oodCalibration();
  const page = await browser.newPage({ viewport: { width: 1000, height: 1420 } });
  await page.goto(url);
  const box = (await page.locator('#pad').boundingBox())!;
  const stroke: Array<[number, number]> = [
    [0.28, 0.22],
    [0.72, 0.22],
    [0.7, 0.3],
    [0.55, 0.55],
    [0.42, 0.82],
  ];
  await page.mouse.move(box.x + box.width * stroke[0]![0], box.y + box.height * stroke[0]![1]);
  await page.mouse.down();
  for (const [x, y] of stroke.slice(1))
    await page.mouse.move(box.x + box.width * x, box.y + box.height * y, { steps: 8 });
  await page.mouse.up();
  await page.waitForSelector('#layers .layer canvas', { timeout: 60_000 });
  await page.screenshot({ path: out });
  console.log(`screenshot: ${out} (the page says ${await page.textContent('#digit')})`);
} finally {
  await browser.close();
  await app.close();
  await explorer.close();
}
