// Seeded, time-bounded fuzzing of the page's API: whatever is posted to api/analyze (damaged PNGs, JSON with
// wrong pixels, any text, any content type) and whatever query reaches api/sample gets 200 or a 4xx with an
// error message, within a bounded time, never a 500 or a crash. Change SEED to explore.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { createRaster, encodePng, initBackend } from '@cnn-lab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Explorer } from '../src/web/explorer.js';
import { buildServer } from '../src/web/server.js';

const SEED = 20261204;
const runs = { seed: SEED, numRuns: 100_000, interruptAfterTimeLimit: 2500 };
const PER_INPUT_MS = 3000;

let app: FastifyInstance;
let png: Uint8Array;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  const explorer = await Explorer.open({
    cacheDir: mkdtempSync(join(tmpdir(), 'cnn-explorer-fuzz-')),
    pictures: false,
  });
  app = await buildServer({ explorer, maxBytes: 64 * 1024, maxPixels: 1_000_000 });
  await app.ready();
  // The first info and sample answers compute and cache the calibration; the properties time the answers after.
  await app.inject({ method: 'GET', url: '/api/info' });
  await app.inject({ method: 'GET', url: '/api/sample?index=0' });
  const raster = createRaster(28, 28);
  // A dark bar on white: a "1".
  const stride = raster.data.length / (28 * 28);
  for (let y = 6; y < 22; y++)
    for (let x = 12; x < 16; x++) raster.data.fill(0, (y * 28 + x) * stride, (y * 28 + x) * stride + 3);
  png = encodePng(raster);
}, 120_000);

afterAll(async () => {
  await app?.close();
});

const damagedPng = fc
  .tuple(
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    fc.option(fc.nat(), { nil: undefined }),
  )
  .map(([flips, cut]) => {
    const b = Uint8Array.from(png);
    for (const [at, v] of flips) b[at % b.length] = v;
    return cut === undefined ? b : b.subarray(0, cut % (b.length + 1));
  });

const pixelsJson = fc.oneof(
  fc
    .array(fc.oneof(fc.double({ min: -2, max: 2, noNaN: true }), fc.constant(1e308)), {
      minLength: 780,
      maxLength: 790,
    })
    .map((pixels) => ({ pixels })),
  fc.record({ pixels: fc.jsonValue({ maxDepth: 1 }), target: fc.jsonValue({ maxDepth: 0 }) }, { requiredKeys: [] }),
  fc.jsonValue({ maxDepth: 2 }),
);

describe('fuzz: the page over HTTP', () => {
  it('POST api/analyze with any body and type: 200, or a 4xx with an error message, never 500', async () => {
    const body = fc.oneof(
      damagedPng.map((b) => ({ type: 'image/png', payload: Buffer.from(b) })),
      fc.uint8Array({ maxLength: 600 }).map((b) => ({ type: 'image/jpeg', payload: Buffer.from(b) })),
      pixelsJson.map((j) => ({ type: 'application/json', payload: JSON.stringify(j) })),
      fc
        .tuple(fc.constantFrom('text/plain', 'application/json', 'image/gif', ''), fc.string({ maxLength: 200 }))
        .map(([type, payload]) => ({ type, payload })),
    );
    await fc.assert(
      fc.asyncProperty(
        body,
        fc.option(fc.oneof(fc.integer({ min: -3, max: 12 }), fc.string({ maxLength: 4 })), { nil: undefined }),
        async ({ type, payload }, target) => {
          const t0 = performance.now();
          const res = await app.inject({
            method: 'POST',
            url: target === undefined ? '/api/analyze' : `/api/analyze?target=${encodeURIComponent(String(target))}`,
            headers: type ? { 'content-type': type } : {},
            payload,
          });
          expect(performance.now() - t0).toBeLessThan(PER_INPUT_MS);
          expect(res.statusCode === 200 || (res.statusCode >= 400 && res.statusCode < 500)).toBe(true);
          if (res.statusCode !== 200) expect(typeof res.json<{ error?: unknown }>().error).toBe('string');
        },
      ),
      runs,
    );
  }, 60_000);

  it('GET with any path and query: an answer below 500', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/sample', '/api/info', '/api/pictures', '/', '/app.js'),
        fc.oneof(
          fc.constant(''),
          fc.string({ maxLength: 20 }).map((s) => `?index=${encodeURIComponent(s)}`),
          fc.integer().map((n) => `?index=${n}`),
        ),
        async (path, query) => {
          const t0 = performance.now();
          const res = await app.inject({ method: 'GET', url: `${path}${query}` });
          expect(res.statusCode).toBeLessThan(500);
          expect(performance.now() - t0, `${path}${query}`).toBeLessThan(PER_INPUT_MS);
        },
      ),
      runs,
    );
  }, 60_000);
});
