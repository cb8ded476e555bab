// The page's API through fastify's inject, on the shipped model: answers, input validation, size caps,
// relative URLs under a prefix, no machine paths, the out-of-distribution verdict, the cached pictures,
// and a busy port.
import { mkdtempSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import * as tf from '@tensorflow/tfjs';
import { Rng, UsageError, createRaster, encodePng, initBackend } from '@cnn-lab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mnistSplits } from '../src/mnist/mnist-package.js';
import { APP_DIR, loadLectureModel, modelDirFor } from '../src/model/load.js';
import { Explorer, withoutMachinePaths } from '../src/web/explorer.js';
import { webRoutes } from '../src/web/routes.js';
import { buildServer, listen } from '../src/web/server.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'cnn-explorer-web-'));
let explorer: Explorer;
let app: FastifyInstance;
let digit: { pixels: number[]; label: number };

interface Analysis {
  model: string;
  prediction: { label: number; probabilities: number[] };
  target: number;
  input: { height: number; width: number; data: string };
  layers: Array<{ name: string; kind: string; height: number; width: number; channels: number; data: string }>;
  saliency: { height: number; width: number; data: string };
  gradCam: { layer: string; map: { height: number; width: number }; onInput: { data: string } };
  ood: { state: string; outOfDistribution?: boolean; reasons?: Array<{ code: string; text: string }> };
}

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  explorer = await Explorer.open({ cacheDir, pictureSteps: 2 });
  app = await buildServer({ explorer, maxBytes: 64 * 1024, maxPixels: 1_000_000 });
  // A held-out digit the shipped model gets right.
  const { model, split } = await loadLectureModel(modelDirFor(undefined, 'read'));
  const test = mnistSplits(split).test;
  const probs = tf.tidy(() =>
    (model.predict(tf.tensor4d(test.images.slice(0, 784), [1, 28, 28, 1])) as tf.Tensor).dataSync(),
  );
  const p = Array.from(probs);
  expect(p.indexOf(Math.max(...p))).toBe(test.labels[0]);
  digit = { pixels: Array.from(test.images.slice(0, 784)), label: test.labels[0]! };
});

afterAll(async () => {
  await app.close();
  await explorer.close();
});

function png(width: number, height: number, paint: (x: number, y: number) => number): Buffer {
  const r = createRaster(width, height, [255, 255, 255]);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const g = Math.round(255 * paint(x, y));
      r.data.set([g, g, g, 255], (y * width + x) * 4);
    }
  }
  return Buffer.from(encodePng(r));
}

/** A "7" drawn dark on white like the pad: a top bar and a slanted stroke, 140x140. */
const seven = png(140, 140, (x, y) => {
  const bar = y >= 25 && y < 37 && x >= 30 && x < 110;
  const t = (y - 30) / 90;
  const slant = y >= 30 && y < 120 && Math.abs(x - (105 - 45 * t)) < 7;
  return bar || slant ? 0 : 1;
});

const postJson = (body: unknown, url = '/api/analyze') =>
  app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });

describe('page and API', () => {
  it('serves the page with relative URLs only', async () => {
    const r = await app.inject('/');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('text/html');
    expect(r.body).toContain('src="app.js"');
    expect(r.body).not.toMatch(/(src|href)="\//);
    const js = await app.inject('/app.js');
    expect(js.statusCode).toBe(200);
    expect(js.body).toContain("fetch('api/info')");
    expect(js.body).not.toMatch(/fetch\(['`]\//);
    expect((await app.inject('/app.css')).statusCode).toBe(200);
  });

  it('works mounted under a prefix, as the lab site mounts it', async () => {
    const site = Fastify();
    await site.register(webRoutes, { prefix: '/cnn-explorer', explorer });
    const bare = await site.inject('/cnn-explorer');
    expect(bare.statusCode).toBe(302);
    expect(bare.headers.location).toBe('/cnn-explorer/');
    expect((await site.inject('/cnn-explorer/')).body).toContain('<canvas');
    const info = await site.inject('/cnn-explorer/api/info');
    expect(info.json()).toMatchObject({ model: 'models/mnist' });
    await site.close();
  });

  it('describes the model without machine paths', async () => {
    const r = await app.inject('/api/info');
    expect(r.statusCode).toBe(200);
    const info = r.json<{ model: string; layers: Array<{ name: string; shape: number[] }>; gradCamLayer: string }>();
    expect(info.model).toBe('models/mnist');
    expect(info.layers.map((l) => l.name)).toEqual(['conv1', 'pool1', 'conv2', 'pool2', 'dense100', 'output']);
    expect(info.gradCamLayer).toBe('conv2');
    for (const path of [APP_DIR, homedir(), cacheDir, tmpdir()]) expect(r.body).not.toContain(path);
  });

  it('analyses a held-out digit sent as pixels: the right class, every layer, SmoothGrad, Grad-CAM', async () => {
    const r = await postJson({ pixels: digit.pixels });
    expect(r.statusCode, r.body).toBe(200);
    const a = r.json<Analysis>();
    expect(a.prediction.label).toBe(digit.label);
    expect(a.target).toBe(digit.label);
    expect(a.prediction.probabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 3);
    expect(a.layers.map((l) => [l.name, l.height, l.width, l.channels])).toEqual([
      ['conv1', 26, 26, 25],
      ['pool1', 13, 13, 25],
      ['conv2', 11, 11, 50],
      ['pool2', 5, 5, 50],
      ['dense100', 1, 1, 100],
      ['output', 1, 1, 10],
    ]);
    for (const l of a.layers) expect(Buffer.from(l.data, 'base64')).toHaveLength(l.height * l.width * l.channels);
    expect(Buffer.from(a.saliency.data, 'base64')).toHaveLength(784);
    expect([a.gradCam.layer, a.gradCam.map.height, a.gradCam.map.width]).toEqual(['conv2', 11, 11]);
    for (const path of [APP_DIR, homedir(), cacheDir]) expect(r.body).not.toContain(path);
  });

  it('explains another class when asked, in the body or the query', async () => {
    const other = (digit.label + 1) % 10;
    expect((await postJson({ pixels: digit.pixels, target: other })).json<Analysis>().target).toBe(other);
    const r = await app.inject({
      method: 'POST',
      url: `/api/analyze?target=${other}`,
      headers: { 'content-type': 'image/png' },
      payload: seven,
    });
    expect(r.json<Analysis>().target).toBe(other);
  });

  it('reads a drawing sent as a PNG: inverted, centred, and called a 7', async () => {
    const r = await app.inject({
      method: 'POST',
      url: '/api/analyze',
      headers: { 'content-type': 'image/png' },
      payload: seven,
    });
    expect(r.statusCode, r.body).toBe(200);
    const a = r.json<Analysis>();
    expect(a.prediction.label).toBe(7);
    const input = Buffer.from(a.input.data, 'base64');
    // Light ink on black, like MNIST: the corners are black, some pixels are full ink.
    expect([input[0], input[27], input[783]]).toEqual([0, 0, 0]);
    expect(Math.max(...input)).toBe(255);
  });

  it.each([
    [{ pixels: [1, 2] }, 'field "pixels" has 2 values; expected 784'],
    [{ pixels: Array(784).fill(2) }, 'field "pixels": value 0 is 2; expected a number in 0..1'],
    [{ pixels: [...Array(783).fill(0), 'x'] }, 'field "pixels": value 783 is "x"'],
    [{ pixels: Array(784).fill(0.5), extra: 1 }, 'unknown field(s) "extra"'],
    [{ pixels: Array(784).fill(0.5), target: 10 }, 'field "target" is 10; expected a class 0..9'],
    [{ pixels: Array(784).fill(0) }, 'the picture is blank'],
    [[1, 2, 3], 'the JSON body must be an object'],
  ])('refuses a bad JSON body %#, saying what is wrong', async (body, message) => {
    const r = await postJson(body);
    expect(r.statusCode).toBe(400);
    expect(r.json<{ error: string }>().error).toContain(message);
  });

  it('refuses bad uploads with 4xx and a reason: wrong type, damaged, blank, too many pixels, too many bytes', async () => {
    const send = (type: string, payload: Buffer | string, url = '/api/analyze') =>
      app.inject({ method: 'POST', url, headers: { 'content-type': type }, payload });
    let r = await send('text/plain', 'a seven');
    expect(r.statusCode).toBe(415);
    expect(r.json<{ error: string }>().error).toContain('send a PNG or JPEG');
    r = await send('image/png', 'not a png');
    expect(r.statusCode).toBe(400);
    expect(r.json<{ error: string }>().error).toContain('the upload: is not a PNG or JPEG image');
    r = await send(
      'image/png',
      png(40, 30, () => 1),
    );
    expect(r.statusCode).toBe(400);
    expect(r.json<{ error: string }>().error).toContain('the picture is blank');
    // Only the header is read before refusing: 2000x1000 is over this server's 1,000,000-pixel cap.
    const header = png(1, 1, () => 0);
    header.writeUInt32BE(2000, 16);
    header.writeUInt32BE(1000, 20);
    r = await send('image/png', header);
    expect(r.statusCode).toBe(400);
    expect(r.json<{ error: string }>().error).toContain('is 2000x1000 = 2000000 pixels; the limit is 1000000');
    r = await send('image/png', Buffer.alloc(65 * 1024, 1));
    expect(r.statusCode).toBe(413);
    r = await send('image/png', seven, '/api/analyze?target=12');
    expect(r.statusCode).toBe(400);
    expect(r.json<{ error: string }>().error).toContain('target must be <= 9');
  });

  it('warns that noise and a photo-like picture are not digits, and not for a digit', async () => {
    await explorer.oodCalibration();
    const digitAnswer = (await postJson({ pixels: digit.pixels })).json<Analysis>();
    expect(digitAnswer.ood).toMatchObject({ state: 'ready', outOfDistribution: false, reasons: [] });
    const rng = new Rng(4);
    const noise = png(64, 64, () => rng.next());
    const photo = png(120, 80, (x, y) => 0.5 + 0.3 * Math.sin(x / 7) * Math.cos(y / 5) + 0.1 * rng.normal());
    for (const payload of [noise, photo]) {
      const r = await app.inject({
        method: 'POST',
        url: '/api/analyze',
        headers: { 'content-type': 'image/png' },
        payload,
      });
      const a = r.json<Analysis>();
      expect(a.ood.state).toBe('ready');
      expect(a.ood.outOfDistribution).toBe(true);
      expect(a.ood.reasons!.map((x) => x.code)).toContain('mid-tones');
    }
    const info = (await app.inject('/api/info')).json<{ ood: { state: string; validationFlagged: number } }>();
    expect(info.ood.state).toBe('ready');
  });

  it('hands out held-out test digits, and refuses a bad index', async () => {
    const r = await app.inject('/api/sample?index=0');
    expect(r.json<{ label: number; pixels: number[] }>()).toMatchObject({ index: 0, label: digit.label });
    expect((await app.inject('/api/sample?index=-1')).statusCode).toBe(400);
    expect((await app.inject('/api/sample?index=abc')).statusCode).toBe(400);
    expect((await app.inject('/api/sample')).json<{ pixels: number[] }>().pixels).toHaveLength(784);
  });

  it('serves the kernels at once and the maximisation pictures once computed, then from the cache', async () => {
    const first = (await app.inject('/api/pictures')).json<{ state: string; sets: Array<{ kind: string }> }>();
    expect(first.sets[0]).toMatchObject({ kind: 'kernel', layer: 'conv1', size: 3, signed: true });
    for (let i = 0; i < 300 && explorer.pictures().state === 'computing'; i++)
      await new Promise((r) => setTimeout(r, 500));
    const ready = (await app.inject('/api/pictures')).json<{
      state: string;
      sets: Array<{ kind: string; layer: string; units: Array<{ data: string }> }>;
    }>();
    expect(ready.state).toBe('ready');
    expect(ready.sets.map((s) => [s.kind, s.layer, s.units.length])).toEqual([
      ['kernel', 'conv1', 25],
      ['filter', 'conv2', 50],
      ['class', 'output', 10],
    ]);
    expect(Buffer.from(ready.sets[1]!.units[0]!.data, 'base64')).toHaveLength(784);
    // A second explorer on the same cache has the calibration and the pictures without computing them.
    await new Promise((r) => setTimeout(r, 500)); // the cache files are written just after the answer
    const again = await Explorer.open({ cacheDir, pictureSteps: 2 });
    expect(again.pictures().state).toBe('ready');
    expect(again.oodStatus().state).toBe('ready');
    await again.close();
  });

  it('keeps machine paths out of the errors it passes on', () => {
    const message = `Cannot find module ${join(APP_DIR, 'src', 'x.ts')} (from ${join(homedir(), 'lib')})`;
    expect(withoutMachinePaths(message)).toBe('Cannot find module <checkout>/apps/cnn-explorer/src/x.ts (from ~/lib)');
  });

  it('reports a busy port as a usage error that names --port', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const other = await buildServer({ explorer });
    const err = await listen(other, '127.0.0.1', port).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(
      `--port ${port}: 127.0.0.1:${port} is already in use (another server?); pick another with --port <n>, or --port 0 for any free one`,
    );
    await other.close();
    blocker.close();
  });
});
