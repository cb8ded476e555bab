// speech-cnn's page served alone (`start`): the routes at `/` on a server of its own, on 127.0.0.1 unless told.
import Fastify, { type FastifyInstance } from 'fastify';
import { listenError } from '@cnn-lab/core';
import { SpeechClassifier } from '../model/index.js';
import { DEFAULT_MAX_BYTES, webRoutes, type WebOptions } from './routes.js';

export interface ServerOptions extends WebOptions {
  logger?: boolean;
}

/**
 * A fastify server with the page and its API at `/` (not yet listening; `listen`, `ready` or `inject` load the
 * routes), request bodies capped at maxBytes. A classifier given first is the model it serves.
 */
export function buildServer(first: SpeechClassifier | ServerOptions = {}, more: ServerOptions = {}): FastifyInstance {
  const opts = first instanceof SpeechClassifier ? { ...more, classifier: first } : { ...first, ...more };
  const { logger, ...web } = opts;
  const app = Fastify({ logger: logger ?? false, bodyLimit: web.maxBytes ?? DEFAULT_MAX_BYTES });
  void app.register(webRoutes, web);
  return app;
}

/** Listens on host:port and returns the page's URL; a busy port (or an address this machine lacks) is a UsageError naming the flag. */
export async function listen(app: FastifyInstance, host: string, port: number): Promise<string> {
  try {
    return `${await app.listen({ host, port })}/`;
  } catch (err) {
    throw listenError(err, host, port);
  }
}
