import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  DataError,
  UsageError,
  createProgram,
  parseIntIn,
  isWithin,
  resolveDataDir,
  resolveFolderOption,
  resolveUserPath,
  runAction,
  runProgram,
  withCommonOptions,
} from '../src/cli/index.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => (out.push(String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
  return { out, err };
}

function program(handler: Parameters<typeof runAction>[0]) {
  const p = createProgram('demo', 'a test app');
  withCommonOptions(p.command('train').description('train it'), undefined, { epochs: 3 }).action(
    runAction(handler, { backend: false }),
  );
  return p;
}

afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = 0;
});

describe('shared CLI conventions', () => {
  it('ends a --json run with exactly one JSON line and keeps human text off stdout', async () => {
    const io = capture();
    await runProgram(
      program(async ({ opts, log }) => {
        log('training...');
        return { epochs: opts.epochs, batchSize: opts.batchSize };
      }),
      ['node', 'demo', 'train', '--json', '--batch-size', '8'],
    );
    expect(io.out).toHaveLength(1);
    expect(JSON.parse(io.out[0]!)).toEqual({ epochs: 3, batchSize: 8 });
    expect(io.err.join('')).toContain('training...');
    expect(process.exitCode ?? 0).toBe(0);
  });

  it('rejects a bad number and names the flag, with exit code 2', async () => {
    const io = capture();
    await runProgram(
      program(async () => ({})),
      ['node', 'demo', 'train', '--epochs', 'ten'],
    );
    expect(io.err.join('')).toMatch(/--epochs.*expected an integer >= 1, got 'ten'/);
    expect(process.exitCode).toBe(2);
  });

  it('turns a data error into a message naming file and line, exit 1, and a JSON error line', async () => {
    const io = capture();
    await runProgram(
      program(async () => {
        throw new DataError('games/a.sgf', 'expected SZ[19], found SZ[13]', 4);
      }),
      ['node', 'demo', 'train', '--json'],
    );
    expect(io.err.join('')).toContain('error: games/a.sgf:4: expected SZ[19], found SZ[13]');
    expect(JSON.parse(io.out.at(-1)!)).toMatchObject({ error: 'games/a.sgf:4: expected SZ[19], found SZ[13]' });
    expect(process.exitCode).toBe(1);
  });

  it('gives usage errors exit code 2', async () => {
    capture();
    await runProgram(
      program(async () => {
        throw new UsageError('--split: expected fsdd, random or speaker:<name>');
      }),
      ['node', 'demo', 'train'],
    );
    expect(process.exitCode).toBe(2);
  });

  it('makes --model-dir and --data-dir absolute against the folder the command was typed in', async () => {
    const io = capture();
    const saved = process.env.INIT_CWD;
    process.env.INIT_CWD = '/home/someone/work';
    try {
      await runProgram(
        program(async ({ opts }) => ({ modelDir: opts.modelDir, dataDir: opts.dataDir })),
        ['node', 'demo', 'train', '--json', '--model-dir', 'runs/mine', '--data-dir', '/data/go'],
      );
    } finally {
      if (saved === undefined) delete process.env.INIT_CWD;
      else process.env.INIT_CWD = saved;
    }
    expect(JSON.parse(io.out.at(-1)!)).toEqual({ modelDir: '/home/someone/work/runs/mine', dataDir: '/data/go' });
  });

  it('parses integers strictly', () => {
    expect(parseIntIn(1)('12')).toBe(12);
    expect(() => parseIntIn(1)('0')).toThrow(/>= 1/);
    expect(() => parseIntIn(1, 19)('20')).toThrow(/in 1..19/);
    expect(() => parseIntIn(1)('1.5')).toThrow();
  });
});

describe('resolveFolderOption and isWithin', () => {
  it('names the flag when its value is not a folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnnlab-'));
    expect(resolveFolderOption('--extra-train', dir, 'WAV files')).toBe(dir);
    expect(() => resolveFolderOption('--extra-train', join(dir, 'nope'), 'WAV files')).toThrow(
      /--extra-train: '.*nope' is not a folder \(expected WAV files\)/,
    );
  });

  it('tells a folder and what lies inside it from its neighbours', () => {
    expect(isWithin('/a/b', '/a/b')).toBe(true);
    expect(isWithin('/a/b', '/a/b/c/d')).toBe(true);
    expect(isWithin('/a/b', '/a/b/..c')).toBe(true);
    expect(isWithin('/a/b', '/a')).toBe(false);
    expect(isWithin('/a/b', '/a/bc')).toBe(false);
    expect(isWithin('/a/b', '/x/b')).toBe(false);
  });
});

describe('resolveDataDir', () => {
  it('uses --data-dir as given and refuses a missing one by name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnnlab-'));
    expect(resolveDataDir({ dataDir: dir }, 'go/fox-pro', 'a folder of SGF files')).toBe(dir);
    expect(() => resolveDataDir({ dataDir: join(dir, 'nope') }, 'go', 'a folder of SGF files')).toThrow(
      /--data-dir: '.*nope' is not a folder \(expected a folder of SGF files\)/,
    );
  });

  it('reads a relative --data-dir from where the command was typed (INIT_CWD under pnpm), not the package folder', () => {
    const typedIn = mkdtempSync(join(tmpdir(), 'cnnlab-'));
    mkdirSync(join(typedIn, 'data', 'go'), { recursive: true });
    const saved = process.env.INIT_CWD;
    try {
      process.env.INIT_CWD = typedIn;
      expect(resolveDataDir({ dataDir: 'data/go' }, 'go', 'SGF files')).toBe(join(typedIn, 'data', 'go'));
      expect(resolveUserPath('model', { INIT_CWD: typedIn })).toBe(join(typedIn, 'model'));
      expect(resolveUserPath('/abs/model', { INIT_CWD: typedIn })).toBe('/abs/model');
    } finally {
      if (saved === undefined) delete process.env.INIT_CWD;
      else process.env.INIT_CWD = saved;
    }
  });

  it('falls back to $CNN_LAB_DATA/<sub> and says what is missing', () => {
    const root = mkdtempSync(join(tmpdir(), 'cnnlab-'));
    mkdirSync(join(root, 'speech', 'fsdd'), { recursive: true });
    const saved = process.env.CNN_LAB_DATA;
    const cwd = process.cwd();
    try {
      process.env.CNN_LAB_DATA = root;
      expect(resolveDataDir({}, 'speech/fsdd', 'WAV files')).toBe(join(root, 'speech', 'fsdd'));
      process.chdir(root); // outside the checkout, so no ../shared fallback
      expect(() => resolveDataDir({}, 'text', 'Kim sentence files')).toThrow(
        /no data: expected Kim sentence files.*CNN_LAB_DATA/,
      );
    } finally {
      process.chdir(cwd);
      if (saved === undefined) delete process.env.CNN_LAB_DATA;
      else process.env.CNN_LAB_DATA = saved;
    }
  });
});
