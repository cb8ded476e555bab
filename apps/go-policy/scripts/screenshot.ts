// The README's screenshot: the web page with the shipped model, replaying a game at a chosen move (heat
// map of the policy, its top five, the move actually played ringed in blue). Needs Chromium.
//   npx tsx scripts/screenshot.ts --sgf <game.sgf> --move 60 --out docs/screenshot.png [--chromium /usr/bin/chromium]
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { initBackend, resolveUserPath } from '@cnn-lab/core';
import { loadPolicyModel } from '../src/model/load.js';
import { networkPolicy } from '../src/model/predict.js';
import { createWebServer } from '../src/web/server.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sgf: { type: 'string' },
      move: { type: 'string', default: '60' },
      out: { type: 'string' },
      chromium: { type: 'string', default: '/usr/bin/chromium' },
    },
  });
  if (values.sgf === undefined || values.out === undefined)
    throw new Error('usage: screenshot.ts --sgf <game.sgf> --out <file.png> [--move n]');
  const move = Number(values.move);
  if (!Number.isInteger(move) || move < 1) throw new Error(`--move: expected an integer >= 1, got '${values.move}'`);
  const sgf = resolveUserPath(values.sgf);
  const out = resolveUserPath(values.out);

  await initBackend({ quiet: true });
  const { model, meta } = await loadPolicyModel(undefined);
  const app = createWebServer({ policy: networkPolicy(model, meta.featureSet), modelName: 'the shipped model' });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: values.chromium,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1180, height: 700 } });
    await page.goto(`${url}/`);
    await page.waitForFunction(() => document.querySelectorAll('#top tr').length === 5, undefined, { timeout: 60_000 });
    await page.setInputFiles('#sgf', {
      name: basename(sgf),
      mimeType: 'application/x-go-sgf',
      buffer: readFileSync(sgf),
    });
    await page.waitForFunction(
      () => /replaying/.test(document.getElementById('status')?.textContent ?? ''),
      undefined,
      { timeout: 60_000 },
    );
    for (let i = 1; i < move; i++) await page.click('#next');
    await page.evaluate(() => window.scrollTo(0, 0));
    await mkdir(dirname(out), { recursive: true });
    await page.screenshot({ path: out });
    process.stdout.write(`${out}\n`);
  } finally {
    await browser.close();
    await app.close();
  }
}

await main();
