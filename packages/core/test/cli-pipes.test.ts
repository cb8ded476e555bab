// A reader that closes the pipe early (`| head -c5`) ends a command quietly with exit code 0, with tfjs loaded
// or not, instead of an EPIPE stack trace (which, after tfjs-wasm loads, came with a line of its minified source).
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exitQuietlyOnClosedPipe } from '../src/cli/index.js';
import { PassThrough } from 'node:stream';

const FIXTURE = resolve(import.meta.dirname, 'fixtures', 'pipe-cli.ts');

/** Runs `node --import tsx FIXTURE ARGS | head -c5` and returns the writer's exit code and stderr. */
function intoHead(args: string): { status: number; stderr: string; out: string } {
  const r = spawnSync(
    'bash',
    ['-c', `set -o pipefail; node --import tsx ${FIXTURE} ${args} 2>"$ERR" | head -c5; echo " $?"; cat "$ERR"`],
    {
      encoding: 'utf8',
      timeout: 60_000,
      cwd: resolve(import.meta.dirname, '..'),
      env: { ...process.env, ERR: resolve('/tmp', `cnn-lab-pipe-${process.pid}-${Date.now()}.err`) },
    },
  );
  const [first = '', ...rest] = r.stdout.split('\n');
  return { out: first.slice(0, 5), status: Number(first.slice(6)), stderr: rest.join('\n') };
}

describe('a closed output pipe', () => {
  it('ends a verb quietly, exit code 0, nothing on stderr', () => {
    const r = intoHead('lines');
    expect(r.out).toBe('line ');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);

  it('also after tfjs has started (--backend cpu)', () => {
    const r = intoHead('lines --backend cpu');
    expect(r.out).toBe('line ');
    expect(r.stderr).not.toMatch(/EPIPE|at |Error/);
    expect(r.status).toBe(0);
  }, 60_000);

  it('an EPIPE exits 0; any other write error says so and exits 1', () => {
    const codes: number[] = [];
    const out = new PassThrough() as unknown as NodeJS.WriteStream;
    exitQuietlyOnClosedPipe([out], (c) => codes.push(c));
    out.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    out.emit('error', Object.assign(new Error('no space left on device'), { code: 'ENOSPC' }));
    expect(codes).toEqual([0, 1]);
  });
});
