// The explorer served alone (`start`): a fastify server on 127.0.0.1 with the page's routes at /, a cap on
// request bodies, and a busy port reported as a usage error that names --port (core's listenError).
import Fastify, { type FastifyInstance } from 'fastify';
import { listenError } from '@cnn-lab/core';
import { DEFAULT_MAX_BYTES, webRoutes, type WebOptions } from './routes.js';

export interface ServerOptions extends WebOptions {
  logger?: boolean;
}

/** A fastify server with the explorer's routes registered at the root (not yet listening). */
export async function buildServer(opts: ServerOptions = {}): Promise<FastifyInstance> {
  const { logger, ...web } = opts;
  const app = Fastify({ logger: logger ?? false, bodyLimit: web.maxBytes ?? DEFAULT_MAX_BYTES });
  await app.register(webRoutes, web);
  await app.ready();
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
