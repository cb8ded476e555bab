// speech-cnn's page and its API as a fastify plugin: `start` registers it at `/`, the lab site under `/speech-cnn`.
// Every URL the page uses is relative, so it works wherever the plugin is mounted.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { DataError, initBackend } from '@cnn-lab/core';
import { APP_DIR } from '../app.js';
import { decodeWav } from '../audio/index.js';
import { UNKNOWN } from '../data/index.js';
import {
  DEFAULT_REJECT,
  decide,
  loadSpeechClassifier,
  type RejectOptions,
  type SpeechClassifier,
} from '../model/index.js';

export interface WebOptions {
  /** A classifier already loaded (start, tests); otherwise the plugin loads `modelDir`, else the shipped model. */
  classifier?: SpeechClassifier;
  modelDir?: string;
  /** What the page calls the model; without it, the model folder's name. */
  modelName?: string;
  /** Largest upload accepted, in bytes (10 s of 48 kHz stereo 16-bit is 1.9 MB). */
  maxBytes?: number;
  /** Longest recording accepted, in seconds. */
  maxSeconds?: number;
  reject?: RejectOptions;
}

export const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_SECONDS = 10;
export const WAV_TYPES = ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave', 'application/octet-stream'];

const STATIC: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

const round = (x: number, k = 1000) => Math.round(x * k) / k;

/** The page at ./, its script and style, and the API under ./api, relative to wherever the plugin is registered. */
export async function webRoutes(app: FastifyInstance, opts: WebOptions = {}): Promise<void> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxSeconds = opts.maxSeconds ?? DEFAULT_MAX_SECONDS;
  const reject = opts.reject ?? DEFAULT_REJECT;
  const modelDir = opts.modelDir ?? `${APP_DIR}/models/default`;
  let classifier = opts.classifier;
  if (!classifier) {
    await initBackend({ quiet: true });
    classifier = await loadSpeechClassifier(modelDir);
    const owned = classifier;
    app.addHook('onClose', async () => {
      for (const m of owned.members) m.model.dispose();
    });
  }
  const model = classifier;
  // A name, never a machine path.
  const modelName = opts.modelName ?? (opts.classifier ? 'model' : basename(modelDir));
  const page = readFileSync(new URL('./static/page.html', import.meta.url), 'utf8');
  const statics = Object.fromEntries(
    Object.keys(STATIC).map((name) => [name, readFileSync(new URL(`./static/${name}`, import.meta.url), 'utf8')]),
  );

  app.addContentTypeParser(WAV_TYPES, { parseAs: 'buffer', bodyLimit: maxBytes }, (_req, body, done) =>
    done(null, body),
  );

  app.get('/', async (req, reply) => {
    // Relative URLs in the page need the trailing slash: /speech-cnn -> /speech-cnn/.
    const [path, query] = req.url.split('?', 2) as [string, string | undefined];
    if (!path.endsWith('/')) return reply.redirect(`${path}/${query !== undefined ? `?${query}` : ''}`, 308);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page);
  });
  for (const [name, type] of Object.entries(STATIC)) {
    app.get(`/${name}`, async (_req, reply) =>
      reply
        .type(type)
        .header('cache-control', 'no-store')
        .send(statics[name] as string),
    );
  }

  const { features } = model.info;
  app.get('/api/info', async () => ({
    model: modelName,
    labels: model.info.labels.filter((l) => l !== UNKNOWN),
    unknownClass: model.info.labels.includes(UNKNOWN),
    kind: model.info.kind,
    members: model.members.length,
    sampleRate: model.sampleRate,
    clipSeconds: features.seconds,
    rangeDb: features.rangeDb,
    mel: { bands: features.mel.melBands, fMin: features.mel.fMin, fMax: features.mel.fMax, hopMs: features.mel.hopMs },
    gate: reject.gate,
    unknownThreshold: reject.unknownThreshold,
    minProbability: reject.minProbability,
    maxSeconds,
    maxBytes,
  }));

  app.post('/api/predict', async (req, reply) => {
    const body = req.body;
    if (!Buffer.isBuffer(body)) {
      return reply
        .code(415)
        .send({ error: `send the WAV file as the request body with Content-Type ${WAV_TYPES[0] as string}` });
    }
    try {
      const audio = decodeWav(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), 'upload', {
        sampleRate: model.sampleRate,
        maxSeconds,
      });
      const d = decide(model, audio, reject);
      const c = d.classification;
      return {
        label: d.label,
        ...(d.reason ? { reason: d.reason } : {}),
        seconds: round(audio.samples.length / audio.sampleRate),
        level: { peakDb: round(d.gate.peakDb, 10), floorDb: round(d.gate.floorDb, 10) },
        voiced: d.gate.voiced ? d.gate.voiced.map((s) => round(s)) : null,
        probabilities: c ? c.ranked.map((p) => ({ label: p.label, probability: round(p.probability, 1e5) })) : [],
        ...(c
          ? {
              spectrogram: {
                frames: c.spectrogram.frames,
                bands: c.spectrogram.bands,
                data: Array.from(c.spectrogram.data, (v) => round(v)),
              },
            }
          : {}),
      };
    } catch (err) {
      if (err instanceof DataError) return reply.code(400).send({ error: err.message });
      throw err;
    }
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, _req, reply) => {
    const code = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    reply.code(code).send({ error: code === 500 ? 'internal error' : err.message });
    if (code === 500) app.log.error(err);
  });
}
