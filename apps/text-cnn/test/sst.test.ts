// The SST phrase trees: every labelled phrase of the train trees becomes a training example, written as the
// sentence files write sentences; dev and test stay whole sentences. Tiny trees made here.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BENCHMARKS, loadBenchmark, parseTree, phrasesFromTrees, protocolSplits } from '../src/data/index.js';
import { tokenize } from '../src/text/index.js';

const TREES = [
  '(3 (2 (2 The) (2 Rock)) (4 (3 (2 is) (4 great)) (2 .)))',
  '(1 (2 -LRB-) (1 (1 (2 a) (0 dull)) (2 (2 co-writer\\/director) (2 -RRB-))))',
  '(2 (2 The) (2 Rock))',
  '(1 (2 (0 Contempt) (2 and)) (2 8\u00a01\\/2))',
];

describe('SST trees', () => {
  it('reads every phrase of a tree with its label, root first, leaves with their words as written', () => {
    const phrases = parseTree(TREES[0] as string, 'train.txt:1');
    expect(phrases.map((p) => [p.label, p.words.join(' ')])).toEqual([
      [3, 'The Rock is great .'],
      [2, 'The Rock'],
      [2, 'The'],
      [2, 'Rock'],
      [4, 'is great .'],
      [3, 'is great'],
      [2, 'is'],
      [4, 'great'],
      [2, '.'],
    ]);
    // A leaf may hold a (no-break) space: "8 1/2", the film.
    expect(parseTree(TREES[3] as string, 'x').map((p) => p.words.join(' '))[0]).toBe('Contempt and 8\u00a01\\/2');
  });

  it('a line that is not a tree is an error naming file:line and where', () => {
    expect(() => parseTree('(3 (2 The) (2 Rock)', 'train.txt:7')).toThrow(
      /train\.txt:7: expected '\)' at character 20/,
    );
    expect(() => parseTree('(7 word)', 'train.txt:8')).toThrow(/train\.txt:8: expected a label 0-4/);
    expect(() => parseTree('(3 (2 a)) extra', 'train.txt:9')).toThrow(/train\.txt:9: text after the tree/);
    const bytes = Buffer.from(`${TREES[0]}\n(3 (2 broken\n`);
    expect(() => phrasesFromTrees(bytes, 'trees.txt', 'fine')).toThrow(/trees\.txt:2: /);
  });

  it('SST-1: every distinct phrase once, lower-cased with the PTB escapes kept, as in stsa.fine.*', () => {
    const p = phrasesFromTrees(Buffer.from(TREES.join('\n')), 'train.txt', 'fine');
    expect(p.trees).toBe(4);
    expect(p.nodes).toBe(9 + 9 + 3 + 5);
    // "The Rock", "The" and "Rock" of tree 3 were met in tree 1.
    expect(p.repeated).toBe(3);
    const texts = p.examples.map((e) => `${e.label} ${e.text}`);
    expect(texts).toContain('3 the rock is great .');
    expect(texts).toContain('1 -lrb- a dull co-writer\\/director -rrb-');
    expect(texts).toContain('0 dull');
    expect(new Set(texts).size).toBe(texts.length);
    expect(p.examples[0]?.source).toBe('train.txt:1');
    // Tokens then go through clean_str_sst as the sentences do.
    expect(tokenize('-lrb- a dull co-writer\\/director -rrb-', 'sst')).toEqual([
      'lrb',
      'a',
      'dull',
      'co',
      'writer',
      'director',
      'rrb',
    ]);
  });

  it('SST-2: neutral phrases dropped, 0-1 negative and 3-4 positive', () => {
    const p = phrasesFromTrees(Buffer.from(TREES.join('\n')), 'train.txt', 'binary');
    const byText = Object.fromEntries(p.examples.map((e) => [e.text, e.label]));
    expect(byText).toEqual({
      'the rock is great .': '1',
      'is great .': '1',
      'is great': '1',
      great: '1',
      '-lrb- a dull co-writer\\/director -rrb-': '0',
      'a dull co-writer\\/director -rrb-': '0',
      'a dull': '0',
      dull: '0',
      'contempt and 8\u00a01\\/2': '0',
      contempt: '0',
    });
    expect(p.dropped).toBeGreaterThan(0);
  });

  it('loadBenchmark with phrases trains on the trees and keeps dev and test as the sentence files give them', async () => {
    const files: Record<string, string> = {
      'sst-trees/train.txt': TREES.join('\n'),
      'stsa.binary.train': '1 the rock is great .\n0 a dull film\n',
      'stsa.binary.dev': '1 great fun\n',
      'stsa.binary.test': '0 dull\n1 great\n',
    };
    const read = async (name: string) => ({ bytes: Buffer.from(files[name] ?? ''), path: name });
    const withPhrases = await loadBenchmark(BENCHMARKS['SST-2'], read, 'auto', true);
    const [split] = protocolSplits(withPhrases, 1);
    expect(split?.train).toHaveLength(10);
    expect(split?.dev.map((e) => e.text)).toEqual(['great fun']);
    expect(split?.test.map((e) => e.text)).toEqual(['dull', 'great']);
    expect(withPhrases.phrases).toMatch(/10 distinct labelled phrases from 4 trees/);
    const sentences = await loadBenchmark(BENCHMARKS['SST-2'], read, 'auto', false);
    expect(protocolSplits(sentences, 1)[0]?.train).toHaveLength(2);
  });
});

describe('train --phrases / --no-phrases', () => {
  const appDir = join(import.meta.dirname, '..');
  const tsx = join(appDir, '..', '..', 'node_modules', '.bin', 'tsx');
  const dir = mkdtempSync(join(tmpdir(), 'text-cnn-sst-'));
  const dataDir = join(dir, 'text');
  mkdirSync(join(dataDir, 'sst-trees'), { recursive: true });
  const trees = Array.from({ length: 40 }, (_, i) =>
    i % 2 ? `(4 (3 (2 a) (4 (4 wonderful) (2 film${i}))) (2 .))` : `(0 (1 (2 a) (0 (0 dreadful) (2 film${i}))) (2 .))`,
  );
  writeFileSync(join(dataDir, 'sst-trees', 'train.txt'), `${trees.join('\n')}\n`);
  const sentences = (n: number) =>
    Array.from({ length: n }, (_, i) => (i % 2 ? `1 a wonderful film${i} .` : `0 a dreadful film${i} .`)).join('\n');
  writeFileSync(join(dataDir, 'stsa.binary.train'), `${sentences(40)}\n`);
  writeFileSync(join(dataDir, 'stsa.binary.dev'), `${sentences(6)}\n`);
  writeFileSync(join(dataDir, 'stsa.binary.test'), `${sentences(8)}\n`);
  const run = (...args: string[]) => {
    const env = { ...process.env, CNN_LAB_BACKEND: 'wasm', CNN_LAB_RUNS: join(dir, 'runs') };
    const r = spawnSync(
      tsx,
      ['src/cli.ts', 'train', '--set', 'SST-2', '--data-dir', dataDir, '--epochs', '1', '--json', ...args],
      {
        cwd: appDir,
        encoding: 'utf8',
        timeout: 300_000,
        env,
      },
    );
    return { ...r, last: r.stdout.trim().split('\n').pop() ?? '' };
  };

  it('trains SST on the phrases when the trees are there, on sentences with --no-phrases; --phrases needs SST', () => {
    const p = run('--model-dir', join(dir, 'p'));
    expect(p.status, p.stderr).toBe(0);
    // Each tree: the root, "a wonderful filmN", "wonderful filmN" and "wonderful" ("a", "filmN" and "." are
    // neutral): 40 x 3 distinct phrases, and "wonderful" and "dreadful" once each.
    expect(p.stderr).toMatch(
      /train\.txt: 122 distinct labelled phrases from 40 trees \(280 labelled nodes; 38 repeats, 120 neutral dropped\)/,
    );
    expect(p.stderr).toMatch(/SST-2: 122 train, 6 dev, 8 test/);
    expect(JSON.parse(p.last)).toHaveProperty('testAccuracy');
    const s = run('--model-dir', join(dir, 's'), '--no-phrases');
    expect(s.status, s.stderr).toBe(0);
    expect(s.stderr).toMatch(/SST-2: 40 train, 6 dev, 8 test/);
    const bad = spawnSync(tsx, ['src/cli.ts', 'train', '--set', 'TREC', '--phrases', '--data-dir', dataDir], {
      cwd: appDir,
      encoding: 'utf8',
      env: { ...process.env, CNN_LAB_BACKEND: 'wasm' },
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--phrases: TREC has no phrase trees/);
  });
});
