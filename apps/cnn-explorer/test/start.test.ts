// `start` as a user runs it (through tsx): it serves the page from the shipped model within seconds and
// prints the URL; a busy port exits 2 with a message that names --port; Ctrl-C stops it cleanly.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const appDir = join(import.meta.dirname, '..');
const tsx = join(appDir, '..', '..', 'node_modules', '.bin', 'tsx');
const work = mkdtempSync(join(tmpdir(), 'cnn-explorer-start-'));

function startCli(args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, CNN_LAB_BACKEND: 'wasm', CNN_LAB_RUNS: join(work, 'runs') };
  delete env.INIT_CWD;
  const child = spawn(tsx, [join(appDir, 'src', 'cli.ts'), 'start', ...args], { cwd: appDir, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

async function waitFor(test: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (test()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return test();
}

describe('start', () => {
  it('serves the page within seconds, prints its URL, and stops on Ctrl-C', async () => {
    const began = Date.now();
    const run = startCli(['--port', '0', '--no-pictures']);
    const ready = await waitFor(() => /open http:\/\/127\.0\.0\.1:\d+\//.test(run.out()), 60_000);
    const seconds = (Date.now() - began) / 1000;
    expect(ready, run.err()).toBe(true);
    console.log(`start: page served ${seconds.toFixed(1)} s after the command (tsx start-up included)`);
    const url = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(run.out())![1]!;
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Draw a digit');
    const info = (await (await fetch(`${url}api/info`)).json()) as { model: string };
    expect(info.model).toBe('models/mnist');
    expect(run.out() + run.err()).not.toContain(appDir);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(0);
  });

  it('exits 2 on a busy port, naming --port', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    const run = startCli(['--port', String(port), '--no-pictures']);
    const code = await run.exited;
    blocker.close();
    expect(code).toBe(2);
    expect(run.err()).toContain(`error: --port ${port}: 127.0.0.1:${port} is already in use`);
    expect(run.err()).toContain('--port');
  });
});
