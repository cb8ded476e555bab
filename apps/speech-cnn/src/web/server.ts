import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import { DataError } from '@cnn-lab/core';
import { decodeWav } from '../audio/index.js';
import type { SpeechClassifier } from '../model/index.js';

export interface ServerOptions {
  /** Largest upload accepted, in bytes (10 s of 48 kHz stereo 16-bit is 1.9 MB). */
  maxBytes?: number;
  /** Longest recording accepted, in seconds. */
  maxSeconds?: number;
  logger?: boolean;
}

const WAV_TYPES = ['audio/wav', 'audio/x-wav', 'audio/wave', 'audio/vnd.wave', 'application/octet-stream'];

/**
 * The page (GET /) and one JSON endpoint: POST /api/predict with a WAV file as the body returns the class
 * probabilities and the spectrogram the model saw.
 */
export function buildServer(classifier: SpeechClassifier, opts: ServerOptions = {}): FastifyInstance {
  const maxBytes = opts.maxBytes ?? 4 * 1024 * 1024;
  const maxSeconds = opts.maxSeconds ?? 10;
  const page = readFileSync(new URL('./page.html', import.meta.url), 'utf8');
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: maxBytes });

  app.addContentTypeParser(WAV_TYPES, { parseAs: 'buffer', bodyLimit: maxBytes }, (_req, body, done) =>
    done(null, body),
  );

  app.get('/', async (_req, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(page),
  );

  app.get('/api/info', async () => ({
    labels: classifier.info.labels,
    kind: classifier.info.kind,
    members: classifier.members.length,
    sampleRate: classifier.sampleRate,
    maxSeconds,
    maxBytes,
  }));

  app.post('/api/predict', async (req, reply) => {
    const body = req.body;
    if (!Buffer.isBuffer(body)) {
      return reply.code(415).send({ error: `send the WAV file as the request body with Content-Type ${WAV_TYPES[0]}` });
    }
    try {
      const audio = decodeWav(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), 'upload', {
        sampleRate: classifier.sampleRate,
        maxSeconds,
      });
      const result = classifier.classify(audio);
      const { frames, bands, data } = result.spectrogram;
      return {
        label: result.label,
        probabilities: result.ranked,
        spectrogram: { frames, bands, data: Array.from(data, (v) => Math.round(v * 1000) / 1000) },
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
  return app;
}
