import { listenError, parseIntIn, runAction, withCommonOptions, type CommonOptions } from '@cnn-lab/core';
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { APP } from '../app.js';

interface StartFlags extends CommonOptions {
  port: number;
  host: string;
}

export function registerStart(program: Command): void {
  const cmd = program
    .command('start')
    .description(
      'serve the page: type or paste sentences, see each label, its probabilities and the words behind it ' +
        '(a terminal prompt instead: cli repl)',
    )
    .option('--port <n>', 'port to listen on (0: any free port)', parseIntIn(0, 65535), 8080)
    .option('--host <addr>', 'address to listen on (keep 127.0.0.1 unless you mean to expose it)', '127.0.0.1');
  withCommonOptions(cmd, ['modelDir', 'json', 'backend']).action(
    runAction<StartFlags>(({ opts, log }) => start(opts, log)),
  );
}

/** Listens on host:port; a port in use or an address this machine does not have is a UsageError naming the flag. */
export async function listen(app: FastifyInstance, host: string, port: number): Promise<string> {
  try {
    return await app.listen({ host, port });
  } catch (err) {
    throw listenError(err, host, port);
  }
}

/** Serves the page until Ctrl-C. The default model is loaded before the URL is printed: a bad --model-dir fails here. */
export async function start(opts: StartFlags, log: (message: string) => void) {
  const { buildServer } = await import('../web/server.js');
  const { ModelShelf, shippedModels, withModel } = await import('../web/models.js');
  const shelf = new ModelShelf(
    opts.modelDir !== undefined ? withModel(shippedModels(), opts.modelDir) : shippedModels(),
  );
  const app = await buildServer({ shelf });
  // Listen first, so that a busy port is said at once; then load the default model before printing the URL.
  const url = `${await listen(app, opts.host, opts.port)}/`;
  try {
    await shelf.get(shelf.defaultName);
  } catch (err) {
    await app.close();
    // The shelf keeps paths out of what the page sees; here, in the terminal, the loader's own error names the file.
    throw (err as { original?: unknown }).original ?? err;
  }
  const info = await shelf.info(shelf.defaultName);
  log(
    `${APP}: open ${url} (model ${info.name}: ${info.set}, classes ${info.classes.join(', ')}` +
      `${shelf.names.length > 1 ? `; ${shelf.names.length} models to choose from` : ''}); Ctrl-C to stop`,
  );
  await new Promise<void>((done) => {
    const stop = () => void app.close().then(() => done());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await shelf.dispose();
  return { url };
}
