// The README's screenshot: the running page (`start`) after five moves against the search, with the network's
// policy as a heat map, its top five numbered and the search's win-rate graph. Needs Chromium.
//   pnpm --filter go-policy start --port 8093 &
//   npx tsx scripts/screenshot.ts --url http://127.0.0.1:8093/ --out docs/screenshot.png [--chromium /usr/bin/chromium]
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { resolveUserPath } from '@cnn-lab/core';

const COLS = 'ABCDEFGHJKLMNOPQRST';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      out: { type: 'string' },
      moves: { type: 'string', default: '5' },
      chromium: { type: 'string', default: '/usr/bin/chromium' },
    },
  });
  if (values.url === undefined || values.out === undefined)
    throw new Error('usage: screenshot.ts --url <the page, as start prints it> --out <file.png> [--moves 5]');
  const moves = Number(values.moves);
  if (!Number.isInteger(moves) || moves < 1)
    throw new Error(`--moves: expected an integer >= 1, got '${values.moves}'`);
  const out = resolveUserPath(values.out);
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
    const page = await browser.newPage({ viewport: { width: 1100, height: 680 } });
    await page.goto(values.url);
    await page.waitForFunction(() => document.querySelectorAll('#top tr').length === 5, undefined, { timeout: 60_000 });
    await page.fill('#seconds', '1');
    const box = (await page.locator('#board').boundingBox())!;
    const step = (box.width * 560) / 620 / 18;
    const margin = (box.width * 30) / 620;
    // Black plays the first free point of these; the search answers each.
    const wanted = ['Q16', 'D4', 'Q4', 'D16', 'C14', 'R6', 'F3', 'O17', 'C6'];
    for (let k = 0; k < moves && wanted.length > 0; k++) {
      for (;;) {
        const v = wanted.shift();
        if (v === undefined) throw new Error('no free point left to play');
        const col = COLS.indexOf(v[0]!);
        const row = 19 - Number(v.slice(1));
        await page.mouse.click(box.x + margin + col * step, box.y + margin + row * step);
        await page.waitForTimeout(300);
        if (!(await page.textContent('#error'))) break;
      }
      await page.waitForFunction(
        (n) =>
          Number(/^Move (\d+)/.exec(document.getElementById('info')!.textContent)?.[1]) === n &&
          /your move/.test(document.getElementById('status')!.textContent),
        2 * (k + 1),
        { timeout: 120_000 },
      );
    }
    await mkdir(dirname(out), { recursive: true });
    await page.screenshot({ path: out });
    process.stdout.write(`${out}\n`);
  } finally {
    await browser.close();
  }
}

await main();
