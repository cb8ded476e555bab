// `start` as a user runs it: it serves the page at the URL it prints, and a busy port is a usage error naming --port.
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const appDir = join(import.meta.dirname, '..');
const tsx = join(appDir, '..', '..', 'node_modules', '.bin', 'tsx');
const env = { ...process.env, CNN_LAB_BACKEND: 'wasm' };

describe('start', () => {
  it('--help describes the page and its --port and --host', () => {
    const r = spawnSync(tsx, ['src/cli.ts', 'start', '--help'], { cwd: appDir, encoding: 'utf8', env });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/serve the page/);
    expect(r.stdout).toMatch(/--port <n>\s+port to listen on \(0: any free port\) \(default: 8080\)/);
    expect(r.stdout).toMatch(/--host <addr>[\s\S]*\(default: "127\.0\.0\.1"\)/);
  });

  it('serves the page and its API at the URL it prints, and stops on Ctrl-C', async () => {
    const child = spawn(tsx, ['src/cli.ts', 'start', '--port', '0'], { cwd: appDir, env });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) resolve(m[1] as string);
        });
        child.on('exit', () => reject(new Error(`start exited: ${err}`)));
      });
      expect(out).toMatch(/model default: MR, classes negative, positive/);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>text-cnn');
      const r = await fetch(`${url}api/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ sentences: ['an utterly charming and hilarious film'] }),
      });
      expect(r.status).toBe(200);
      expect(((await r.json()) as { results: Array<{ label: string }> }).results[0]?.label).toBe('positive');
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
  });

  it('exits 2 naming --port when the port is taken', async () => {
    const busy: Server = createServer();
    await new Promise<void>((done) => busy.listen(0, '127.0.0.1', done));
    const port = (busy.address() as { port: number }).port;
    try {
      const r = await new Promise<{ code: number | null; stderr: string }>((done) => {
        const child = spawn(tsx, ['src/cli.ts', 'start', '--port', String(port)], { cwd: appDir, env });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('exit', (code) => done({ code, stderr }));
      });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`error: --port ${port}: 127\\.0\\.0\\.1:${port} is already in use`));
      expect(r.stderr).not.toMatch(/EADDRINUSE/);
    } finally {
      busy.close();
    }
  });

  it('exits 2 naming --model-dir when that folder holds no model', () => {
    const r = spawnSync(tsx, ['src/cli.ts', 'start', '--port', '0', '--model-dir', join(appDir, 'no-such-model')], {
      cwd: appDir,
      encoding: 'utf8',
      env,
    });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/--model-dir/);
    expect(r.stderr).toMatch(/no-such-model/);
  });
});
