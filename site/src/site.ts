// The lab site: the front page at `/` and each demo's page under `/<app>/`, one fastify server. The one
// place that imports the apps' web entries (each a route plugin with relative URLs).
import { readFile } from 'node:fs/promises';
import { webRoutes as explorerRoutes } from 'cnn-explorer/web';
import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { webRoutes as goRoutes } from 'go-policy/web';
import { webRoutes as speechRoutes } from 'speech-cnn/web';
import { webRoutes as textRoutes } from 'text-cnn/web';
import { DEMOS, type Demo } from './demos.js';
import { frontPage } from './front-page.js';

/** The largest body any demo takes (a speech upload); each demo's routes check their own, lower limits. */
export const BODY_LIMIT = 4 * 1024 * 1024;

const plugins: Record<Demo['app'], FastifyPluginAsync> = {
  'go-policy': goRoutes as FastifyPluginAsync,
  'speech-cnn': speechRoutes as FastifyPluginAsync,
  'text-cnn': textRoutes as FastifyPluginAsync,
  'cnn-explorer': explorerRoutes as FastifyPluginAsync,
};

export interface SiteOptions {
  /** Which demos to mount (default all four): a test can leave out the slow ones. */
  demos?: readonly Demo[];
  logger?: boolean;
}

export async function buildSite(opts: SiteOptions = {}): Promise<FastifyInstance> {
  const demos = opts.demos ?? DEMOS;
  const app = Fastify({ logger: opts.logger ?? false, bodyLimit: BODY_LIMIT });
  const page = frontPage(demos);
  app.get('/', (_req, reply) => reply.type('text/html; charset=utf-8').send(page));
  app.get<{ Params: { app: string } }>('/pictures/:app.png', async (req, reply) => {
    const demo = demos.find((d) => d.app === req.params.app);
    if (!demo) return reply.code(404).send({ error: `no demo named ${JSON.stringify(req.params.app)}` });
    return reply
      .type('image/png')
      .header('cache-control', 'max-age=3600')
      .send(await readFile(demo.picture));
  });
  for (const demo of demos) await app.register(plugins[demo.app], { prefix: `/${demo.app}` });
  return app;
}
