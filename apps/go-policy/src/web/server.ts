// go-policy's page served alone (`start`): the routes at `/` on a server of its own.
import Fastify, { type FastifyInstance } from 'fastify';
import { webRoutes, type WebOptions } from './routes.js';

export interface ServerOptions extends WebOptions {
  /** Largest accepted request body (SGF uploads included). */
  bodyLimit?: number;
}

/** A fastify server with the page and its API at `/`; `start` listens on it, tests inject into it. */
export function createWebServer(opts: ServerOptions): FastifyInstance {
  const { bodyLimit, ...web } = opts;
  const app = Fastify({ bodyLimit: bodyLimit ?? 1_000_000, logger: false });
  void app.register(webRoutes, web);
  return app;
}
