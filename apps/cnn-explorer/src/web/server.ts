// The explorer served alone (`start`): a fastify server on 127.0.0.1 with the page's routes at /, a cap on
// request bodies, and a busy port reported as a usage error that names --port.
import Fastify, { type FastifyInstance } from 'fastify';
import { UsageError } from '@cnn-lab/core';
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

/** Listens on host:port and returns the page's URL; a port in use is a UsageError naming --port. */
export async function listen(app: FastifyInstance, host: string, port: number): Promise<string> {
  try {
    const address = await app.listen({ host, port });
    return `${address}/`;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new UsageError(
        `port ${port} on ${host} is already in use: stop what is using it or choose another with --port`,
      );
    }
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
      throw new UsageError(`cannot listen on --host ${host}: no such address on this machine`);
    }
    if (code === 'EACCES')
      throw new UsageError(`port ${port} needs privileges here: choose one above 1023 with --port`);
    throw err;
  }
}
