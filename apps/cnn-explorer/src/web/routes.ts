// The explorer's page and API as a fastify plugin: served alone by `start` (server.ts) or mounted by the
// lab site under a prefix, so every URL here, and in the page, is relative.
//   GET  ./               the page (page.html, app.js, app.css)
//   GET  api/info         the model's layers, the input limits, the methods' settings
//   POST api/analyze      a PNG/JPEG (the drawing or an upload) or {"pixels": [784 values]} -> prediction,
//                         every layer's activations, SmoothGrad, Grad-CAM, out-of-distribution verdict
//   GET  api/sample       a held-out test digit (?index=N)
//   GET  api/pictures     the maximisation pictures (filters and classes), once computed
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type * as tf from '@tensorflow/tfjs';
import { DataError, decodeImagePixels } from '@cnn-lab/core';
import { analyseDigit, lastConvLayer, shownLayers, SALIENCY_SETTINGS, type DigitAnalysis } from '../explain/analyse.js';
import { MNIST_CLASSES, MNIST_PIXELS, MNIST_SIDE } from '../mnist/digits.js';
import { mnistStyle, toGrey } from '../mnist/center.js';
import { OOD_REASON_TEXT, detectOod } from '../ood/detector.js';
import { Explorer, type ExplorerOptions } from './explorer.js';

export interface WebOptions extends ExplorerOptions {
  /** An explorer already opened (tests, or a site that shares one); otherwise the plugin opens its own. */
  explorer?: Explorer;
  /** Largest request body, in bytes (default 2 MB). */
  maxBytes?: number;
  /** Largest uploaded picture, in pixels (default 4 million: the page shrinks photos before sending). */
  maxPixels?: number;
}

export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024;
export const DEFAULT_MAX_PIXELS = 4_000_000;
const IMAGE_TYPES = ['image/png', 'image/jpeg'];

/** Non-negative values as bytes scaled to their maximum, base64: small, and a canvas draws them directly. */
export interface Plane {
  height: number;
  width: number;
  channels: number;
  /** The value byte 255 stands for. */
  max: number;
  data: string;
}

export function encodePlane(values: ArrayLike<number>, height: number, width: number, channels = 1): Plane {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, values[i]!);
  const bytes = new Uint8Array(values.length);
  if (max > 0) for (let i = 0; i < values.length; i++) bytes[i] = Math.round((255 * Math.max(0, values[i]!)) / max);
  return { height, width, channels, max, data: Buffer.from(bytes).toString('base64') };
}

const analyzeSchema = {
  querystring: {
    type: 'object',
    properties: { target: { type: 'integer', minimum: 0, maximum: MNIST_CLASSES - 1 } },
    additionalProperties: false,
  },
};

function oodAnswer(explorer: Explorer, image: Float32Array) {
  const status = explorer.oodStatus();
  if (status.state === 'pending') {
    return {
      state: 'pending' as const,
      message: 'the check is being calibrated on the training digits (first start only)',
    };
  }
  if (status.state === 'failed') return { state: 'unavailable' as const, message: status.error };
  const cal = status.calibration;
  const [v] = detectOod(explorer.model, cal, image);
  return {
    state: 'ready' as const,
    outOfDistribution: v!.outOfDistribution,
    reasons: v!.reasons.map((code) => ({ code, text: OOD_REASON_TEXT[code] })),
    scores: { midTones: v!.midTones, distance: v!.distance, energy: v!.energy },
    limits: cal.limits,
  };
}

function analysisAnswer(a: DigitAnalysis, input: Float32Array) {
  return {
    input: encodePlane(input, MNIST_SIDE, MNIST_SIDE),
    prediction: { label: a.predicted, probabilities: a.probabilities.map((p) => Math.round(p * 1e5) / 1e5) },
    target: a.target,
    layers: a.layers.map((l) => ({
      name: l.name,
      kind: l.kind,
      ...encodePlane(l.values, l.height, l.width, l.channels),
    })),
    saliency: { method: 'SmoothGrad', ...encodePlane(a.saliency, MNIST_SIDE, MNIST_SIDE) },
    gradCam: {
      layer: a.gradCam.layer,
      map: encodePlane(a.gradCam.map, a.gradCam.height, a.gradCam.width),
      onInput: encodePlane(a.gradCam.onInput, MNIST_SIDE, MNIST_SIDE),
    },
  };
}

function badRequest(reply: FastifyReply, message: string) {
  return reply.code(400).send({ error: message });
}

/** Serves the page at ./ and its API under ./api, relative to wherever the plugin is registered. */
export async function webRoutes(app: FastifyInstance, opts: WebOptions = {}): Promise<void> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxPixels = opts.maxPixels ?? DEFAULT_MAX_PIXELS;
  const explorer = opts.explorer ?? (await Explorer.open(opts));
  if (!opts.explorer) app.addHook('onClose', async () => explorer.close());
  const model = explorer.model;
  const statics: Record<string, { type: string; body: string }> = {
    'app.js': {
      type: 'text/javascript; charset=utf-8',
      body: readFileSync(new URL('./static/app.js', import.meta.url), 'utf8'),
    },
    'app.css': {
      type: 'text/css; charset=utf-8',
      body: readFileSync(new URL('./static/app.css', import.meta.url), 'utf8'),
    },
  };
  const page = readFileSync(new URL('./static/page.html', import.meta.url), 'utf8');

  app.addContentTypeParser(IMAGE_TYPES, { parseAs: 'buffer', bodyLimit: maxBytes }, (_req, body, done) =>
    done(null, body),
  );

  app.get('/', async (req, reply) => {
    // Mounted at /cnn-explorer, the page must be at /cnn-explorer/ for its relative URLs to land inside.
    const path = req.url.split('?')[0]!;
    if (!path.endsWith('/')) return reply.redirect(`${path}/${req.url.slice(path.length)}`);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
  });
  for (const [name, file] of Object.entries(statics)) {
    app.get(`/${name}`, async (_req, reply) =>
      reply.type(file.type).header('cache-control', 'no-store').send(file.body),
    );
  }

  app.get('/api/info', async () => {
    const ood = explorer.oodStatus();
    return {
      model: explorer.modelName,
      inputSide: MNIST_SIDE,
      classes: MNIST_CLASSES,
      layers: shownLayers(model).map((l) => ({
        name: l.name,
        kind: l.kind,
        shape: (model.getLayer(l.name).outputShape as (number | null)[]).slice(1),
      })),
      saliency: { method: 'SmoothGrad', samples: SALIENCY_SETTINGS.samples, noise: SALIENCY_SETTINGS.noise },
      gradCamLayer: lastConvLayer(model),
      ood:
        ood.state === 'ready'
          ? {
              state: 'ready',
              quantile: ood.calibration.quantile,
              limits: ood.calibration.limits,
              validationFlagged: ood.calibration.validation.flagged,
            }
          : ood,
      testDigits: explorer.testCount(),
      limits: { maxBytes, maxPixels },
    };
  });

  app.post<{ Querystring: { target?: number }; Body: unknown }>(
    '/api/analyze',
    { schema: analyzeSchema, bodyLimit: maxBytes },
    async (req, reply) => {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      let image: Float32Array;
      let target = req.query.target;
      if (Buffer.isBuffer(req.body) && IMAGE_TYPES.includes(type)) {
        const body = req.body;
        let grey;
        try {
          grey = toGrey(
            decodeImagePixels(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), {
              source: 'the upload',
              maxPixels,
            }),
          );
        } catch (err) {
          if (err instanceof DataError) return badRequest(reply, err.message);
          throw err;
        }
        const digit = mnistStyle(grey);
        if (!digit.hasInk) return badRequest(reply, 'the picture is blank: draw a digit, or upload a picture of one');
        image = digit.image;
      } else if (type === 'application/json') {
        const check = jsonCheck(req.body);
        if (check) return badRequest(reply, check);
        const body = req.body as { pixels: number[]; target?: number };
        image = Float32Array.from(body.pixels);
        target = body.target ?? target;
        if (!image.some((v) => v > 0)) return badRequest(reply, 'the picture is blank: all 784 pixels are 0');
      } else {
        return reply.code(415).send({
          error: `send a PNG or JPEG (Content-Type ${IMAGE_TYPES.join(' or ')}) or JSON {"pixels": [784 values in 0..1]}`,
        });
      }
      const analysis = await analyseDigit(model, image, target === undefined ? {} : { target });
      return { model: explorer.modelName, ...analysisAnswer(analysis, image), ood: oodAnswer(explorer, image) };
    },
  );

  app.get<{ Querystring: { index?: number } }>(
    '/api/sample',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { index: { type: 'integer', minimum: 0 } },
          additionalProperties: false,
        },
      },
    },
    async (req) => {
      const index = req.query.index ?? Math.floor(Math.random() * explorer.testCount());
      const d = explorer.testDigit(index);
      return { index: d.index, label: d.label, pixels: Array.from(d.image, (v) => Math.round(v * 1000) / 1000) };
    },
  );

  const kernels = kernelSet(model);
  app.get('/api/pictures', async () => {
    const status = explorer.pictures();
    const computed =
      status.state === 'ready'
        ? status.sets.map((s) => ({
            layer: s.layer,
            kind: s.kind,
            title: s.title,
            size: MNIST_SIDE,
            signed: false,
            units: s.units.map((u) => ({
              unit: u.unit,
              predicted: u.predicted,
              confidence: Math.round(u.confidence * 1000) / 1000,
              ...encodePicture(u.image),
            })),
          }))
        : [];
    const { state, ...rest } = status;
    return { state, ...('sets' in rest ? {} : rest), sets: [...(kernels ? [kernels] : []), ...computed] };
  });

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, _req, reply) => {
    const code = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (code === 500) app.log.error(err);
    return reply.code(code).send({ error: code === 500 ? 'internal error' : err.message });
  });
}

/**
 * The first conv layer's kernels when it looks straight at a one-channel picture: each filter's weights as
 * a small signed picture (byte 128 is 0; 0 and 255 are minus and plus the layer's largest |weight|).
 */
function kernelSet(model: tf.LayersModel) {
  const conv = model.layers.find((l) => l.getClassName() === 'Conv2D');
  const kernel = conv?.getWeights()[0];
  if (!conv || !kernel || kernel.shape[2] !== 1) return undefined;
  const [kh, kw, , filters] = kernel.shape as [number, number, number, number];
  const w = kernel.dataSync();
  let maxAbs = 0;
  for (const v of w) maxAbs = Math.max(maxAbs, Math.abs(v));
  const units = Array.from({ length: filters }, (_, f) => {
    const bytes = new Uint8Array(kh * kw);
    for (let p = 0; p < kh * kw; p++) bytes[p] = Math.round(127.5 + (127.5 * w[p * filters + f]!) / (maxAbs || 1));
    return { unit: f, data: Buffer.from(bytes).toString('base64') };
  });
  return {
    layer: conv.name,
    kind: 'kernel',
    title: `${conv.name} kernels (${kh}x${kw} weights)`,
    size: kh,
    signed: true,
    units,
  };
}

/** A maximisation picture (any values, mostly in [0, 1]) stretched min..max into bytes, as the report shows them. */
function encodePicture(image: ArrayLike<number>): { data: string } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < image.length; i++) {
    lo = Math.min(lo, image[i]!);
    hi = Math.max(hi, image[i]!);
  }
  const bytes = new Uint8Array(image.length);
  for (let i = 0; i < image.length; i++) bytes[i] = hi > lo ? Math.round((255 * (image[i]! - lo)) / (hi - lo)) : 0;
  return { data: Buffer.from(bytes).toString('base64') };
}

/** Why a JSON body is not {pixels: [784 numbers in 0..1], target?: 0..9}, or undefined when it is. */
export function jsonCheck(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return 'the JSON body must be an object {"pixels": [...]}';
  const b = body as Record<string, unknown>;
  const extra = Object.keys(b).filter((k) => k !== 'pixels' && k !== 'target');
  if (extra.length > 0)
    return `unknown field(s) ${extra.map((k) => `"${k}"`).join(', ')}; expected "pixels" and optionally "target"`;
  if (!Array.isArray(b.pixels))
    return 'field "pixels" must be an array of 784 numbers (28x28, row by row, 0 = black, 1 = white ink)';
  if (b.pixels.length !== MNIST_PIXELS)
    return `field "pixels" has ${b.pixels.length} values; expected ${MNIST_PIXELS} (28x28)`;
  const bad = b.pixels.findIndex((v) => typeof v !== 'number' || !(v >= 0 && v <= 1));
  if (bad >= 0) return `field "pixels": value ${bad} is ${JSON.stringify(b.pixels[bad])}; expected a number in 0..1`;
  if (
    b.target !== undefined &&
    !(Number.isInteger(b.target) && (b.target as number) >= 0 && (b.target as number) < MNIST_CLASSES)
  ) {
    return `field "target" is ${JSON.stringify(b.target)}; expected a class 0..${MNIST_CLASSES - 1}`;
  }
  return undefined;
}
