// A server that cannot listen says which flag to change: every app's `start` and the lab site share these words.
import { createServer } from 'node:net';
import { UsageError } from './errors.js';

/**
 * A failed `listen` as the user should see it: a port in use, a port not allowed or an address this machine
 * lacks becomes a UsageError naming --port or --host (exit 2); any other error is returned as it was.
 */
export function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
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

/**
 * Listens on host:port for a moment and lets go, so that a busy port (or a bad --host) is reported before a
 * slow start loads anything; the error is listenError's. Port 0 (any free port) always passes. The real
 * `listen` can still lose a race for the port, so it keeps its own listenError.
 */
export async function assertPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', (err) => {
      const e = listenError(err, host, port);
      reject(e instanceof Error ? e : err);
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve()));
  });
}
