// The page's main flow in Debian's Chromium: type sentences, see each label by name and the words behind it.
import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@cnn-lab/core';
import type { SentenceAnswer } from '../src/web/routes.js';
import { buildServer } from '../src/web/server.js';

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) console.warn(`browser test skipped: ${CHROMIUM} is missing (apt-get install chromium)`);

let app: FastifyInstance;
let url: string;
let browser: Browser;

beforeAll(async () => {
  if (!haveChromium) return;
  await initBackend({ backend: 'wasm', quiet: true });
  app = await buildServer();
  url = `${await app.listen({ host: '127.0.0.1', port: 0 })}/`;
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
});

describe.skipIf(!haveChromium)('the page in Chromium', () => {
  it('labels typed sentences by name and shades the words of the winning n-grams', async () => {
    const page = await browser.newPage({ viewport: { width: 400, height: 800 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('#status[data-state="idle"]');
    expect(await page.locator('#model option').allTextContents()).toEqual(['default (MR)', 'rand-4k (MR)']);

    const sentences = ['A gorgeous, witty and moving film.', 'a'];
    await page.fill('#text', sentences.join('\n\n'));
    expect(await page.textContent('#count')).toBe('2 / 20 sentences');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/api/predict')),
      page.click('#go'),
    ]);
    const answer = (await response.json()) as { results: SentenceAnswer[] };
    await page.waitForSelector('#status[data-state="done"]');

    const cards = page.locator('.result');
    expect(await cards.count()).toBe(2);
    expect(await cards.locator('.label').allTextContents()).toEqual(answer.results.map((r) => r.label));
    expect(await cards.nth(0).locator('.label').textContent()).toBe('positive');
    expect(await cards.nth(0).locator('.probs li').allTextContents()).toEqual([
      expect.stringMatching(/^negative\d+\.\d%$/),
      expect.stringMatching(/^positive\d+\.\d%$/),
    ]);
    // The sentence is shown as typed; the shaded words are exactly those the winning n-grams cover.
    expect(await cards.nth(0).locator('.sentence').textContent()).toBe(sentences[0]);
    for (const r of answer.results) expect(r.ngrams.length, r.sentence).toBeGreaterThan(0);
    const shaded = await cards.nth(0).locator('.sentence mark').allTextContents();
    const first = answer.results[0]!;
    const expected = first.tokens
      .map((_, i) => i)
      .filter((i) => first.weights[i]! > 0)
      .map((i) => sentences[0]!.slice(first.spans[i]!.start, first.spans[i]!.end));
    expect(shaded).toEqual(expected);
    expect(shaded).toEqual(expect.arrayContaining(['witty', 'moving']));
    // "a" alone: the one word is shaded, and its n-grams are described as one word, not as padded 3- to 5-grams.
    expect(await cards.nth(1).locator('.sentence mark').allTextContents()).toEqual(['a']);
    for (const text of await cards.nth(1).locator('.ngrams li').allTextContents()) {
      expect(text).toMatch(/^"a" 1 word /);
      expect(text).not.toMatch(/-gram|<pad>/);
    }
    // Usable at 400 px: nothing sticks out sideways.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(400);

    // Too many lines: a message, and the previous answers go.
    await page.fill('#text', Array.from({ length: 21 }, (_, i) => `sentence ${i}`).join('\n'));
    await page.click('#go');
    await page.waitForSelector('#status[data-state="error"]');
    expect(await page.textContent('#status')).toMatch(/At most 20 sentences/);
    expect(await page.locator('.result').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});
