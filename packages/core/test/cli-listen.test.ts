// A server that cannot listen is a usage error naming --port or --host, and the probe says so before any slow start.
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { UsageError, assertPortFree, listenError } from '../src/cli/index.js';

const HOST = '127.0.0.1';

function listenOn(port: number): Promise<Server> {
  const server = createServer();
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: HOST, port }, () => resolve(server));
  });
}

function portOf(server: Server): number {
  return (server.address() as { port: number }).port;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

describe('assertPortFree', () => {
  it('rejects a busy port with a UsageError that names --port', async () => {
    const busy = await listenOn(0);
    const port = portOf(busy);
    try {
      const err = await assertPortFree(HOST, port).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toBe(
        `--port ${port}: ${HOST}:${port} is already in use (another server?); pick another with --port <n>, or --port 0 for any free one`,
      );
    } finally {
      await close(busy);
    }
  });

  it('passes a free port and lets go of it', async () => {
    const was = await listenOn(0);
    const port = portOf(was);
    await close(was);
    await expect(assertPortFree(HOST, port)).resolves.toBeUndefined();
    // The probe released the port: the real server can take it.
    const after = await listenOn(port);
    expect(portOf(after)).toBe(port);
    await close(after);
  });

  it('passes port 0 (any free port)', async () => {
    await expect(assertPortFree(HOST, 0)).resolves.toBeUndefined();
  });
});

describe('listenError', () => {
  const failure = (code: string) => Object.assign(new Error(`listen ${code}`), { code });

  it('names --port for a port not allowed and --host for an address this machine lacks', () => {
    const denied = listenError(failure('EACCES'), HOST, 80);
    expect(denied).toBeInstanceOf(UsageError);
    expect((denied as Error).message).toBe(
      '--port 80: not allowed to listen on it here; pick one above 1023 with --port <n>',
    );
    const absent = listenError(failure('EADDRNOTAVAIL'), '10.9.8.7', 8080);
    expect(absent).toBeInstanceOf(UsageError);
    expect((absent as Error).message).toBe('--host 10.9.8.7: not an address of this machine (EADDRNOTAVAIL)');
  });

  it('returns any other error as it was', () => {
    const other = failure('EMFILE');
    expect(listenError(other, HOST, 8080)).toBe(other);
    expect(listenError('not an error', HOST, 8080)).toBe('not an error');
  });
});
