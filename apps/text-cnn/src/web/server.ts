// text-cnn's page served alone (`start`): the routes at `/` on a server of its own.
import Fastify, { type FastifyInstance } from 'fastify';
import { webRoutes, type WebOptions } from './routes.js';

export interface ServerOptions extends WebOptions {
  logger?: boolean;
}

/** Bodies above this are refused (413) before they are read; the predict route caps itself lower or equal. */
const BODY_LIMIT = 256 * 1024;

/** A fastify server with the page and its API at `/`; `start` listens on it, tests inject into it. */
export async function buildServer(opts: ServerOptions = {}): Promise<FastifyInstance> {
  const { logger, ...web } = opts;
  const app = Fastify({ logger: logger ?? false, bodyLimit: BODY_LIMIT });
  await app.register(webRoutes, web);
  return app;
}
