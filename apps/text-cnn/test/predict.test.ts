// predict's input: one sentence as the argument, or one per line from a file or stdin; and its output by class name.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DataError, UsageError } from '@cnn-lab/core';
import { readInputs, sentencesFromBytes } from '../src/commands/predict.js';

const appDir = join(import.meta.dirname, '..');
const tsx = join(appDir, '..', '..', 'node_modules', '.bin', 'tsx');
const dir = mkdtempSync(join(tmpdir(), 'text-cnn-predict-'));

function cli(args: string[], input?: string) {
  const env = { ...process.env, CNN_LAB_BACKEND: 'wasm', CNN_LAB_RUNS: join(dir, 'runs') };
  const r = spawnSync(tsx, ['src/cli.ts', ...args], {
    cwd: appDir,
    encoding: 'utf8',
    timeout: 120_000,
    env,
    // Without input, stdin is a closed pipe: not a terminal, and empty.
    input: input ?? '',
  });
  const lines = r.stdout.trim().split('\n');
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, last: lines[lines.length - 1] ?? '' };
}

const stdin = (text: string, isTTY = false) => Object.assign(Readable.from([Buffer.from(text)]), { isTTY });

interface PredictJson {
  classes: string[];
  results: Array<{ sentence: string; label: string; probabilities: Record<string, number>; ngrams: unknown[] }>;
}

describe('reading sentences', () => {
  it('takes one per line, skipping blank lines, with \\r\\n, a byte-order mark and Latin-1 lines', () => {
    const bytes = Buffer.concat([
      Buffer.from('\uFEFFfirst line\r\n\r\n   \n  second  \n'),
      Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]), // "café" in Latin-1
    ]);
    expect(sentencesFromBytes(bytes, 'f.txt')).toEqual([
      { text: 'first line', file: 'f.txt', line: 1 },
      { text: 'second', file: 'f.txt', line: 4 },
      { text: 'café', file: 'f.txt', line: 5 },
    ]);
  });

  it('names the file and line of a line that is not text, and refuses a file of blank lines', () => {
    const bytes = Buffer.concat([Buffer.from('fine\nalso fine\n'), Buffer.from([0x00, 0x01, 0x02, 0x0a])]);
    expect(() => sentencesFromBytes(bytes, 'bin.dat')).toThrow(DataError);
    expect(() => sentencesFromBytes(bytes, 'bin.dat')).toThrow(/^bin\.dat:3: not a line of text/);
    expect(() => sentencesFromBytes(Buffer.from('\n  \n'), 'stdin')).toThrow(/^stdin: no sentences/);
  });

  it('reads stdin for "-" or for no argument when stdin is not a terminal', async () => {
    expect(await readInputs(['-'], undefined, stdin('one\ntwo\n', true))).toEqual([
      { text: 'one', file: 'stdin', line: 1 },
      { text: 'two', file: 'stdin', line: 2 },
    ]);
    expect(await readInputs([], undefined, stdin('one\n'))).toHaveLength(1);
    // Words as arguments are one sentence, whatever stdin is.
    expect(await readInputs(['a', 'fine', 'film'], undefined, stdin('ignored\n'))).toEqual([{ text: 'a fine film' }]);
  });

  it('refuses no input at a terminal, an argument beside --file, and a file it cannot read, naming --file', async () => {
    await expect(readInputs([], undefined, stdin('', true))).rejects.toThrow(/give a sentence/);
    await expect(readInputs(['x'], 'f.txt', stdin(''))).rejects.toThrow(/either as the argument or with --file/);
    await expect(readInputs([], join(dir, 'missing.txt'), stdin(''))).rejects.toThrow(UsageError);
    await expect(readInputs([], join(dir, 'missing.txt'), stdin(''))).rejects.toThrow(
      /--file: cannot read '.*missing\.txt' \(no such file\)/,
    );
  });
});

describe('predict', () => {
  it('labels lines piped to it by class name, in one JSON line', () => {
    const r = cli(['predict', '--json'], 'an utterly charming and hilarious film\n\na dull , tedious mess\n');
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.last) as PredictJson;
    expect(out.classes).toEqual(['negative', 'positive']);
    expect(out.results.map((x) => [x.sentence, x.label])).toEqual([
      ['an utterly charming and hilarious film', 'positive'],
      ['a dull , tedious mess', 'negative'],
    ]);
    for (const x of out.results) expect(Object.keys(x.probabilities)).toEqual(['negative', 'positive']);
  });

  it('labels the lines of --file, and prints each sentence above its answer', () => {
    const file = join(dir, 'reviews.txt');
    writeFileSync(file, 'a witty , moving film\n\nboring\n');
    const r = cli(['predict', '--file', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/a witty , moving film\nlabel positive {3}\(negative: [\d.]+% {2}positive: [\d.]+%\)/);
    expect(r.stdout).toMatch(/\nboring\nlabel negative/);
    expect(r.stdout).toMatch(/answered 2 sentences in/);
  });

  it('stops at a line with no words, naming the file and line', () => {
    const file = join(dir, 'bad.txt');
    writeFileSync(file, 'a fine film\n\n... --- ...\n');
    const r = cli(['predict', '--file', file, '--json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: .*bad\.txt:3: no words left of '\.\.\. --- \.\.\.' after tokenising/);
    expect(JSON.parse(r.last)).toMatchObject({ kind: 'DataError' });
  });

  it('draws a picture for one sentence only', () => {
    const r = cli(['predict', '-', '--out', join(dir, 'x.png')], 'one\ntwo\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out draws one sentence's explanation; got 2 sentences/);
  });
});
