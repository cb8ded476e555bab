// Every app's train, eval and start, run with their default folders on small fixtures, leave the
// checkout as they found it: `git status` unchanged and every shipped model byte-identical. A default
// never writes into tracked files or over a shipped model; new folders go under the ignored runs/.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const tsx = join(root, 'node_modules', '.bin', 'tsx');
const isGitCheckout = existsSync(join(root, '.git'));
// No data folder, and runs go to the default place (runs/ under the repository, which git ignores).
const env: NodeJS.ProcessEnv = { ...process.env, CNN_LAB_DATA: '' };
delete env.CNN_LAB_RUNS;

function gitStatus(): string {
  return execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: root, encoding: 'utf8' });
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** sha256 of every file in every app's models/ folder, by path. */
function shippedModels(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const app of readdirSync(join(root, 'apps'))) {
    for (const file of filesUnder(join(root, 'apps', app, 'models'))) {
      out[relative(root, file)] = createHash('sha256').update(readFileSync(file)).digest('hex');
    }
  }
  return out;
}

function runsOf(app: string): Set<string> {
  const dir = join(root, 'runs', app);
  return new Set(existsSync(dir) ? readdirSync(dir) : []);
}

function cli(app: string, args: string[]): { code: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(tsx, [join(root, 'apps', app, 'src', 'cli.ts'), ...args], {
      cwd: join(root, 'apps', app),
      env,
      encoding: 'utf8',
      timeout: 600_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { code: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { code: e.status ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Starts `start --port 0`, waits for the URL it prints, fetches the page, then stops it. */
async function startAndFetch(app: string): Promise<{ status: number; body: string }> {
  const child = spawn(tsx, [join(root, 'apps', app, 'src', 'cli.ts'), 'start', '--port', '0'], {
    cwd: join(root, 'apps', app),
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let seen = '';
      const timer = setTimeout(() => reject(new Error(`${app} start printed no URL in 240 s:\n${seen}`)), 240_000);
      const onData = (chunk: Buffer): void => {
        seen += chunk.toString();
        const m = /http:\/\/127\.0\.0\.1:\d+\/?\S*/.exec(seen);
        if (m) {
          clearTimeout(timer);
          resolve(m[0]);
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.on('exit', (code) => reject(new Error(`${app} start exited with ${code}:\n${seen}`)));
    });
    const res = await fetch(url);
    return { status: res.status, body: await res.text() };
  } finally {
    child.kill('SIGTERM');
  }
}

// --- fixtures ---------------------------------------------------------------------------------

function goGames(dir: string): string {
  const game = (moves: string[]): string =>
    `(;GM[1]FF[4]SZ[19]KM[650]RE[B+R]${moves.map((m, i) => `;${i % 2 ? 'W' : 'B'}[${m}]`).join('')})`;
  const folder = join(dir, 'go', '5p');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'one.sgf'), game(['pd', 'dp', 'pp', 'dd', 'fq', 'cn']));
  writeFileSync(join(folder, 'two.sgf'), game(['qd', 'dc', 'pq', 'oc', 'cp']));
  writeFileSync(join(folder, 'three.sgf'), game(['dd', 'pp', 'dp', 'pd', 'fc', 'nq', 'qf']));
  return join(dir, 'go');
}

/** A 16-bit mono PCM WAV: a short tone whose pitch depends on the digit, with a little noise. */
function wav(digit: number, take: number, rate = 8000): Buffer {
  const n = Math.round(rate * (0.3 + 0.02 * take));
  const data = Buffer.alloc(n * 2);
  let seed = digit * 97 + take * 13 + 1;
  for (let i = 0; i < n; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const envelope = Math.sin((Math.PI * i) / n);
    const s = envelope * Math.sin((2 * Math.PI * (200 + 120 * digit) * i) / rate) * 0.6 + (seed / 2 ** 31 - 0.5) * 0.05;
    data.writeInt16LE(Math.round(s * 32767), i * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

function spokenDigits(dir: string): string {
  const folder = join(dir, 'speech', 'fsdd');
  mkdirSync(folder, { recursive: true });
  for (let digit = 0; digit < 10; digit++) {
    for (let take = 0; take < 7; take++) writeFileSync(join(folder, `${digit}_fixture_${take}.wav`), wav(digit, take));
  }
  return folder;
}

function sentences(dir: string): string {
  const good = ['a fine warm film', 'lovely and moving', 'a joy to watch', 'smart funny and kind', 'great acting'];
  const bad = ['a dull mess', 'boring and slow', 'a waste of time', 'flat and lifeless', 'awful script'];
  const lines: string[] = [];
  for (let i = 0; i < 6; i++) {
    for (const s of good) lines.push(`1 ${s} ${i}`);
    for (const s of bad) lines.push(`0 ${s} ${i}`);
  }
  const file = join(dir, 'sentences.txt');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

// --- the test ---------------------------------------------------------------------------------

interface Case {
  app: string;
  train: string[];
  eval: string[];
}

const fixtures = mkdtempSync(join(tmpdir(), 'cnn-lab-defaults-'));
const cases: Case[] = [
  {
    app: 'go-policy',
    train: [
      '--data-dir',
      goGames(fixtures),
      '--epochs',
      '1',
      '--filters',
      '2',
      '--layers',
      '2',
      '--batch-size',
      '4',
      '--val-games',
      '1',
      '--train-workers',
      '1',
    ],
    eval: ['--data-dir', join(fixtures, 'go'), '--split', 'all'],
  },
  {
    app: 'speech-cnn',
    train: ['--data-dir', spokenDigits(fixtures), '--epochs', '1', '--batch-size', '16', '--workers', '1'],
    eval: ['--data-dir', join(fixtures, 'speech', 'fsdd'), '--split', 'fsdd'],
  },
  {
    app: 'text-cnn',
    train: ['--data-file', sentences(fixtures), '--epochs', '1', '--workers', '1'],
    eval: ['--data-file', join(fixtures, 'sentences.txt')],
  },
  {
    app: 'cnn-explorer',
    train: ['--epochs', '1', '--workers', '1'],
    eval: [],
  },
];

describe.skipIf(!isGitCheckout)('default folders leave the checkout clean', () => {
  let before: string;
  let models: Record<string, string>;
  const runsBefore = new Map<string, Set<string>>();

  beforeAll(() => {
    before = gitStatus();
    models = shippedModels();
    for (const { app } of cases) runsBefore.set(app, runsOf(app));
  });

  afterAll(() => {
    // The runs these tests made are theirs to remove; runs a person made stay.
    for (const { app } of cases) {
      for (const name of runsOf(app)) {
        if (!runsBefore.get(app)?.has(name)) rmSync(join(root, 'runs', app, name), { recursive: true, force: true });
      }
    }
    rmSync(fixtures, { recursive: true, force: true });
  });

  describe.each(cases)('$app', (c) => {
    it('train writes a new folder under runs/, nothing else', () => {
      const r = cli(c.app, ['train', ...c.train]);
      expect(r.code, r.stderr).toBe(0);
      const made = [...runsOf(c.app)].filter((n) => !runsBefore.get(c.app)?.has(n));
      expect(made.length).toBeGreaterThan(0);
      expect(gitStatus()).toBe(before);
      expect(shippedModels()).toEqual(models);
    }, 900_000);

    it('eval of the shipped model leaves it and the checkout unchanged', () => {
      const r = cli(c.app, ['eval', ...c.eval]);
      expect(r.code, r.stderr).toBe(0);
      expect(gitStatus()).toBe(before);
      expect(shippedModels()).toEqual(models);
    }, 900_000);

    it('start serves its page and leaves the checkout unchanged', async () => {
      const page = await startAndFetch(c.app);
      expect(page.status).toBe(200);
      expect(page.body).toMatch(/<html/i);
      expect(gitStatus()).toBe(before);
      expect(shippedModels()).toEqual(models);
    }, 300_000);
  });
});
