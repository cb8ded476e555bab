// `start`: serves the explorer's page from the shipped model (or --model-dir) in seconds: draw or upload a
// digit, see the prediction, each layer's feature maps, SmoothGrad and Grad-CAM, the maximisation pictures,
// and a warning when the input does not look like a digit. The long static report is `report`.
import { parseIntIn, runAction, withCommonOptions, type CommonOptions } from '@cnn-lab/core';
import type { Command } from 'commander';

interface StartOpts extends CommonOptions {
  port: number;
  host: string;
  pictures: boolean;
}

export function registerStart(program: Command): void {
  const cmd = program
    .command('start')
    .description(
      'serve the page: draw a digit, see its prediction, feature maps, saliency and Grad-CAM (the long report is `report`)',
    )
    .option('--port <n>', 'port to listen on (0: any free port)', parseIntIn(0, 65535), 8080)
    .option('--host <addr>', 'address to listen on (keep 127.0.0.1 unless you mean to expose the page)', '127.0.0.1')
    .option(
      '--no-pictures',
      'do not compute the maximisation pictures (a minute of CPU on a first start; cached after)',
    );
  withCommonOptions(cmd, ['modelDir', 'json', 'backend']).action(
    runAction<StartOpts>(async ({ opts, log }) => {
      const started = Date.now();
      const { buildServer, listen } = await import('../web/server.js');
      const app = await buildServer({
        ...(opts.modelDir !== undefined ? { modelDir: opts.modelDir } : {}),
        pictures: opts.pictures,
        log,
      });
      let url: string;
      try {
        url = await listen(app, opts.host, opts.port);
      } catch (err) {
        await app.close();
        throw err;
      }
      log(`cnn-explorer: open ${url} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s); Ctrl-C to stop`);
      await new Promise<void>((done) => {
        const stop = () => void app.close().then(() => done());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      return { url };
    }),
  );
}
