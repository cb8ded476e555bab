// The verbs run with their defaults read the shipped model and write only where they are told or under the
// git-ignored runs folder: the shipped model and the tracked pictures are byte-identical afterwards, and the
// shipped model still scores what it scored when it was trained.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const appDir = join(import.meta.dirname, '..');
const tsx = join(appDir, '..', '..', 'node_modules', '.bin', 'tsx');
const work = mkdtempSync(join(tmpdir(), 'cnn-explorer-defaults-'));

function cli(...args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, CNN_LAB_BACKEND: 'wasm', CNN_LAB_CACHE: join(work, 'cache') };
  env.CNN_LAB_RUNS = join(work, 'runs');
  delete env.INIT_CWD;
  const r = spawnSync(tsx, [join(appDir, 'src', 'cli.ts'), ...args], {
    cwd: work,
    encoding: 'utf8',
    timeout: 300_000,
    env,
  });
  const lines = r.stdout.trim().split('\n');
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, last: lines[lines.length - 1] ?? '' };
}

/** sha256 of every file under the app's tracked models/ and docs/ folders, by path. */
function trackedHashes(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const top of ['models', 'docs']) {
    for (const entry of readdirSync(join(appDir, top), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      out[path] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  }
  return out;
}

describe('defaults that do not destroy', () => {
  it('eval of the shipped model gives the accuracy stored with it, and changes no tracked file', () => {
    const before = trackedHashes();
    const meta = JSON.parse(readFileSync(join(appDir, 'models', 'mnist', 'metadata.json'), 'utf8')) as {
      testAccuracy: number;
    };
    const r = cli('eval', '--json');
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.last) as { testAccuracy: number; count: number; modelDir: string };
    expect(result.count).toBe(2000);
    expect(result.testAccuracy).toBeCloseTo(meta.testAccuracy, 6);
    expect(result.modelDir).toBe(join(appDir, 'models', 'mnist'));
    expect(trackedHashes()).toEqual(before);
  });

  it('report writes its page and pictures into --out only, with no machine path in the page', () => {
    const before = trackedHashes();
    const out = join(work, 'report');
    const r = cli('report', '--no-dream', '--steps', '1', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^writing the report: about 1 minute/m);
    const result = JSON.parse(r.last) as { report: string; testAccuracy: number };
    expect(result.report).toBe(join(out, 'index.html'));
    for (const png of [
      'samples.png',
      'confusion.png',
      'history.png',
      'filters-conv2.png',
      'classes-l1.png',
      'saliency.png',
    ]) {
      expect(existsSync(join(out, png)), png).toBe(true);
    }
    const html = readFileSync(result.report, 'utf8');
    expect(html).toContain('the shipped model (models/mnist)');
    expect(html).not.toContain(appDir);
    expect(html).not.toContain(work);
    expect(trackedHashes()).toEqual(before);
  });
});
