// `pnpm start` at the repository root: the lab site on 127.0.0.1.
import { createServer } from 'node:net';
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
      // Loading the four demos takes a while: a busy port is said before, and again if taken meanwhile.
      if (opts.port !== 0) await tryListen(opts.host, opts.port);
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

/** A port in use, a port not allowed or an address this machine lacks: a usage error naming the flag (exit 2). */
function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE')
    return new UsageError(
      `--port ${port}: ${host}:${port} is already in use (another server?); pick another with --port <n>, or --port 0 for any free one`,
    );
  if (code === 'EACCES')
    return new UsageError(`--port ${port}: not allowed to listen on it here; pick one above 1023 with --port <n>`);
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new UsageError(`--host ${host}: not an address of this machine (${code})`);
  return err;
}

/** Listens on host:port for a moment and lets go: a busy port is known before the demos load. */
async function tryListen(host: string, port: number): Promise<void> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (err) => {
      const e = listenError(err, host, port);
      reject(e instanceof Error ? e : err);
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}

await program.parseAsync();
