// `pnpm start` at the repository root: the lab site on 127.0.0.1.
import { Command } from 'commander';
import { UsageError, parseIntIn, runAction, type CommonOptions } from '@cnn-lab/core';
import { buildSite } from './site.js';

interface Flags extends CommonOptions {
  port: number;
  host: string;
}

const program = new Command('cnn-lab')
  .description('serve the lab: a front page for the four demos, each demo under it')
  .option('--port <n>', 'port to listen on (0: any free port)', parseIntIn(0, 65535), 8080)
  .option('--host <addr>', 'address to listen on (keep 127.0.0.1 unless you mean to expose it)', '127.0.0.1')
  .action(
    runAction<Flags>(async ({ opts, log }) => {
      const app = await buildSite();
      let url: string;
      try {
        url = `${await app.listen({ host: opts.host, port: opts.port })}/`;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
          throw new UsageError(
            `--port ${opts.port}: ${opts.host}:${opts.port} is already in use (another server?); pick another with --port <n>, or --port 0 for any free one`,
          );
        }
        throw err;
      }
      log(`cnn-lab: open ${url} (Ctrl-C to stop)`);
      await new Promise<void>((done) => {
        const stop = (): void => void app.close().then(() => done());
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      return { url };
    }),
  );

await program.parseAsync();
