// `pnpm start` at the repository root: the lab site on 127.0.0.1.
import { Command } from 'commander';
import { assertPortFree, listenError, parseIntIn, runAction, type CommonOptions } from '@cnn-lab/core';
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
      // Loading the four demos takes a while: a busy port is said before, and again if taken meanwhile.
      await assertPortFree(opts.host, opts.port);
      const app = await buildSite();
      let url: string;
      try {
        url = `${await app.listen({ host: opts.host, port: opts.port })}/`;
      } catch (err) {
        await app.close();
        throw listenError(err, opts.host, opts.port);
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
