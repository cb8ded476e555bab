// The lab site: the front page introduces the four demos, each demo's page and API answer under its
// prefix, and a person can go from the front page to a demo and use it, in Debian's Chromium.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@cnn-lab/core';
import { DEMOS } from '../src/demos.js';
import { buildSite } from '../src/site.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

let site: FastifyInstance;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  site = await buildSite();
});

afterAll(async () => {
  await site?.close();
});

describe('the lab site', () => {
  it('front page introduces each demo with a picture, a sentence and a link', async () => {
    const res = await site.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    for (const demo of DEMOS) {
      expect(res.body).toContain(`href="${demo.app}/"`);
      expect(res.body).toContain(`src="pictures/${demo.app}.png"`);
      expect(res.body).toContain(demo.title);
    }
    expect(res.body).not.toMatch(/\/work\/|\/home\/|\/tmp\//);
  });

  it.each(DEMOS.map((d) => d.app))('serves %s: its picture and its page under its prefix', async (app) => {
    const picture = await site.inject({ method: 'GET', url: `/pictures/${app}.png` });
    expect(picture.statusCode).toBe(200);
    expect(picture.rawPayload.subarray(1, 4).toString()).toBe('PNG');
    const page = await site.inject({ method: 'GET', url: `/${app}/` });
    expect(page.statusCode).toBe(200);
    expect(page.body).toMatch(/<html/i);
    // Mounted under a prefix, a page must reach its API by relative URLs.
    expect(page.body).not.toMatch(/fetch\(\s*['"`]\/api/);
  });

  it('shows no machine paths in any demo page or model description', async () => {
    const urls = [
      ...DEMOS.map((d) => `/${d.app}/`),
      '/speech-cnn/api/info',
      '/text-cnn/api/models',
      '/cnn-explorer/api/info',
      '/cnn-explorer/api/pictures',
    ];
    for (const url of urls) {
      const res = await site.inject({ method: 'GET', url });
      expect(res.statusCode, url).toBe(200);
      expect(res.body, url).not.toMatch(/\/work\/|\/home\/|\/tmp\/|\/root\/|\/usr\//);
    }
  });

  it('the Go page offers the search, whose threads start at the first search', async () => {
    const page = await site.inject({ method: 'GET', url: '/go-policy/' });
    expect(page.body).toContain("const HAS_SEARCH = 'true' === 'true'");
    expect(page.body).toMatch(/Model: 128 filters x 12 layers, \w+ features \(models\/large\)/);
    const res = await site.inject({
      method: 'POST',
      url: '/go-policy/api/genmove',
      payload: { moves: ['D4'], engine: 'search', seconds: 0.5 },
    });
    expect(res.statusCode, res.body).toBe(200);
    const json = res.json<{ engine: string; move: string; winrate: number; playouts: number }>();
    expect(json.engine).toBe('search');
    expect(json.move).toMatch(/^[A-HJ-T]\d{1,2}$/);
    expect(json.playouts).toBeGreaterThan(0);
    expect(res.body).not.toMatch(/\/work\/|\/home\/|\/tmp\//);
  });

  it('answers an unknown picture with 404', async () => {
    expect((await site.inject({ method: 'GET', url: '/pictures/nope.png' })).statusCode).toBe(404);
  });
});

describe('pnpm start (the site CLI)', () => {
  it('exits 2 naming --port when the port is busy', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const port = (busy.address() as { port: number }).port;
    try {
      const tsx = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'tsx');
      const run = spawnSync(tsx, ['src/cli.ts', '--port', String(port)], {
        cwd: join(import.meta.dirname, '..'),
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toContain(`--port ${port}: 127.0.0.1:${port} is already in use`);
      expect(run.stdout).not.toContain('open http');
    } finally {
      busy.close();
    }
  });
});

describe.skipIf(!haveChromium)('the lab site in Chromium', () => {
  let browser: Browser;
  let url: string;

  beforeAll(async () => {
    url = `${await site.listen({ host: '127.0.0.1', port: 0 })}/`;
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
  });

  /** What shows that each demo's page has loaded and is ready for a first try. */
  const READY: Record<string, string> = {
    'go-policy': '#top tr:nth-child(5)',
    'speech-cnn': 'body[data-ready="true"]',
    'text-cnn': '#status[data-state="idle"]',
    'cnn-explorer': '#pad',
  };

  it.each(DEMOS.map((d) => d.app))(
    'reaches %s from the front page at 400 px wide: ready, no sideways scrolling, no script error',
    async (app) => {
      const page = await browser.newPage({ viewport: { width: 400, height: 900 } });
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);
      await page.click(`a.card[href="${app}/"]`);
      await page.waitForURL(new RegExp(`/${app}/$`));
      await page.waitForSelector(READY[app]!, { timeout: 60_000 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);
      expect(await page.evaluate(() => document.body.innerText)).not.toMatch(/\/work\/|\/home\/|\/tmp\//);
      expect(errors).toEqual([]);
      await page.close();
    },
  );

  it('goes from the front page to the text demo and labels a sentence there', async () => {
    const page = await browser.newPage({ viewport: { width: 400, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    expect(await page.locator('.card').count()).toBe(DEMOS.length);
    // Every picture loaded (naturalWidth > 0), at 400 px wide too.
    const widths = await page.$$eval('.card img', (imgs) =>
      Promise.all(
        (imgs as HTMLImageElement[]).map((img) =>
          img.complete
            ? Promise.resolve(img.naturalWidth)
            : new Promise<number>((r) => (img.onload = () => r(img.naturalWidth))),
        ),
      ),
    );
    expect(widths.every((w) => w > 0)).toBe(true);
    await page.click('a.card[href="text-cnn/"]');
    await page.waitForURL(/\/text-cnn\/$/);
    await page.waitForSelector('#status[data-state="idle"]');
    await page.fill('#text', 'A gorgeous, witty and moving film.');
    await page.click('#go');
    await page.waitForSelector('#status[data-state="done"]');
    expect(await page.locator('.result .label').first().textContent()).toBe('positive');
    expect(errors).toEqual([]);
    await page.close();
  });
});
