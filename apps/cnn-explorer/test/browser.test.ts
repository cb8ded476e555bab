// The page's main flow in Debian's Chromium (playwright-core, headless), at 400 pixels wide: draw a 7 with
// the mouse, and with a finger (touch events), and see the prediction and every layer's feature maps; upload
// a picture of noise and see the not-a-digit warning. Skips, saying why, when /usr/bin/chromium is missing.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Rng, createRaster, encodePng, initBackend } from '@cnn-lab/core';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Explorer } from '../src/web/explorer.js';
import { buildServer, listen } from '../src/web/server.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

const work = mkdtempSync(join(tmpdir(), 'cnn-explorer-browser-'));
let explorer: Explorer;
let app: FastifyInstance;
let url: string;
let browser: Browser;

/** The 7 as fractions of the pad: a top bar, then a stroke down to the lower left. */
const SEVEN: Array<[number, number]> = [
  [0.28, 0.22],
  [0.72, 0.22],
  [0.7, 0.3],
  [0.55, 0.55],
  [0.42, 0.82],
];

describe.skipIf(!hasChromium)('the page in Chromium', () => {
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    explorer = await Explorer.open({ cacheDir: join(work, 'cache'), pictures: false });
    app = await buildServer({ explorer });
    url = await listen(app, '127.0.0.1', 0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
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
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await explorer?.close();
  });

  async function openPage(options: { hasTouch?: boolean } = {}): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 400, height: 800 }, ...options });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(url);
    return { page, errors };
  }

  async function expectPredictionAndMaps(page: Page) {
    await page.waitForSelector('#layers .layer canvas', { timeout: 60_000 });
    expect(await page.textContent('#digit')).toMatch(/^[0-9]$/);
    expect(await page.textContent('#status')).toContain('The answer for your drawing');
    expect(await page.locator('#probs .prob').count()).toBe(10);
    // Every layer, with one canvas per feature map of conv1 (25) and conv2 (50).
    const headings = await page.locator('#layers h3').allTextContents();
    expect(headings).toEqual([
      'conv1: 25 maps of 26x26',
      'pool1: 25 maps of 13x13',
      'conv2: 50 maps of 11x11',
      'pool2: 50 maps of 5x5',
      'dense100: 100 values',
      'output: 10 values',
    ]);
    expect(await page.locator('#layers .layer').nth(0).locator('canvas').count()).toBe(25);
    expect(await page.locator('#layers .layer').nth(2).locator('canvas').count()).toBe(50);
    // A feature map drawn from the activations is not blank.
    const lit = await page.evaluate(() => {
      const c = document.querySelector('#layers .layer canvas') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let max = 0;
      for (let i = 0; i < d.length; i += 4) max = Math.max(max, d[i]!);
      return max;
    });
    expect(lit).toBeGreaterThan(100);
    // Usable at 400 px: nothing wider than the window.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
  }

  it('draws a 7 with the mouse and shows the prediction, saliency, Grad-CAM and feature maps', async () => {
    const { page, errors } = await openPage();
    const box = (await page.locator('#pad').boundingBox())!;
    const at = ([x, y]: [number, number]) => [box.x + box.width * x, box.y + box.height * y] as const;
    await page.mouse.move(...at(SEVEN[0]!));
    await page.mouse.down();
    for (const p of SEVEN.slice(1)) await page.mouse.move(...at(p), { steps: 8 });
    await page.mouse.up();
    await expectPredictionAndMaps(page);
    expect(await page.textContent('#digit')).toBe('7');
    expect(await page.isVisible('#saliency')).toBe(true);
    expect(await page.isVisible('#gradcam')).toBe(true);
    // Choosing another class explains it instead.
    await page.locator('#probs .prob').nth(1).click();
    await page.waitForFunction(() => document.querySelector('#explain-title .target')?.textContent === '“1”');
    // Enlarging a feature map shows its filter's kernel beside it.
    await page.locator('#layers .layer').nth(0).locator('button').nth(4).click();
    expect(await page.textContent('#detail')).toContain('conv1 filter 4');
    await page.click('#clear');
    expect(await page.isHidden('#result')).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws with a finger (touch events) as well', async () => {
    const { page, errors } = await openPage({ hasTouch: true });
    const box = (await page.locator('#pad').boundingBox())!;
    const cdp = await page.context().newCDPSession(page);
    const point = ([x, y]: [number, number]) => ({ x: box.x + box.width * x, y: box.y + box.height * y });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [point(SEVEN[0]!)] });
    for (let i = 1; i < SEVEN.length; i++) {
      const [a, b] = [SEVEN[i - 1]!, SEVEN[i]!];
      for (let s = 1; s <= 6; s++) {
        const t = s / 6;
        await cdp.send('Input.dispatchTouchEvent', {
          type: 'touchMove',
          touchPoints: [point([a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t])],
        });
      }
    }
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await expectPredictionAndMaps(page);
    expect(await page.textContent('#digit')).toBe('7');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('warns when an uploaded picture is not a digit', async () => {
    await explorer.oodCalibration();
    const rng = new Rng(2);
    const r = createRaster(64, 64);
    for (let p = 0; p < 64 * 64; p++) {
      const g = Math.round(255 * rng.next());
      r.data.set([g, g, g, 255], 4 * p);
    }
    const file = join(work, 'noise.png');
    writeFileSync(file, encodePng(r));
    const { page, errors } = await openPage();
    await page.setInputFiles('#upload', file);
    await page.waitForSelector('#ood.warning:not([hidden])', { timeout: 60_000 });
    expect(await page.textContent('#ood')).toContain('does not look like a handwritten digit');
    expect(await page.textContent('#status')).toContain('noise.png');
    expect(errors).toEqual([]);
    await page.close();
  });
});
