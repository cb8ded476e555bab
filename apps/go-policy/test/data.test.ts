import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countMoves, listGames } from '../src/data/games.js';
import { planesOf } from '../src/data/positions.js';
import { splitGames, splitOf } from '../src/data/split.js';
import { epochFiles, gameStream, type ArrayBatch } from '../src/data/stream.js';

/** A short legal game record: alternating moves down two columns, far apart, then a pass. */
function sgfGame(moves: number, extra = ''): string {
  const letters = 'abcdefghijklmnopqrs';
  const body: string[] = [];
  for (let i = 0; i < moves; i++) {
    const col = i % 2 === 0 ? 'c' : 'p';
    body.push(`;${i % 2 === 0 ? 'B' : 'W'}[${col}${letters[Math.floor(i / 2)]}]`);
  }
  return `(;GM[1]FF[4]SZ[19]KM[650]${extra}${body.join('')};B[])`;
}

function fixtureDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'go-policy-data-'));
  mkdirSync(join(dir, '1p'));
  mkdirSync(join(dir, '9p'));
  writeFileSync(join(dir, '1p', 'a.sgf'), sgfGame(10));
  writeFileSync(join(dir, '1p', 'b.sgf'), sgfGame(7));
  writeFileSync(join(dir, '9p', 'c.sgf'), sgfGame(12));
  writeFileSync(join(dir, '9p', 'broken.sgf'), '(;GM[1]SZ[19];B[aa];W[');
  writeFileSync(join(dir, '9p', 'small.sgf'), '(;GM[1]SZ[9];B[cc];W[gg])');
  writeFileSync(join(dir, '9p', 'notes.txt'), 'not a game');
  return dir;
}

async function collect(batches: AsyncIterable<ArrayBatch>): Promise<ArrayBatch[]> {
  const out: ArrayBatch[] = [];
  for await (const b of batches) out.push(b);
  return out;
}

describe('split by game', () => {
  const paths = Array.from({ length: 2000 }, (_, i) => `${1 + (i % 9)}p/game-${i}.sgf`);

  it('puts every game in exactly one split, in roughly the asked proportions', () => {
    const s = splitGames(paths, 1);
    expect(s.train.length + s.validation.length + s.test.length).toBe(paths.length);
    expect(new Set([...s.train, ...s.validation, ...s.test]).size).toBe(paths.length);
    expect(s.test.length / paths.length).toBeGreaterThan(0.03);
    expect(s.test.length / paths.length).toBeLessThan(0.07);
    expect(s.validation.length / paths.length).toBeGreaterThan(0.01);
    expect(s.validation.length / paths.length).toBeLessThan(0.03);
  });

  it("decides a game's split from its own path and the seed, not from the other games", () => {
    const all = splitGames(paths, 1);
    const half = splitGames(paths.slice(0, 1000), 1);
    for (const name of ['train', 'validation', 'test'] as const) {
      expect(half[name]).toEqual(all[name].filter((p) => paths.indexOf(p) < 1000));
    }
    expect(splitOf('1p\\x.sgf', 5)).toBe(splitOf('1p/x.sgf', 5));
    expect(splitGames(paths, 2).test).not.toEqual(all.test);
  });
});

describe('games on disk', () => {
  it('lists .sgf files recursively, relative and sorted', async () => {
    expect(await listGames(fixtureDir())).toEqual([
      '1p/a.sgf',
      '1p/b.sgf',
      '9p/broken.sgf',
      '9p/c.sgf',
      '9p/small.sgf',
    ]);
  });

  it('counts moves without parsing, ignoring passes', () => {
    expect(countMoves(sgfGame(10))).toBe(10);
    expect(countMoves('(;SZ[19];B[pd];W[tt];B[];W[dd])')).toBe(2);
  });
});

describe('epochFiles', () => {
  const files = Array.from({ length: 10 }, (_, i) => `g${i}`);

  it('walks one fixed order slice by slice, wrapping round, when an epoch is a slice', () => {
    const seen = [0, 1, 2, 3].map((e) => epochFiles(files, e, 7, 4, true));
    expect(seen[0]).toHaveLength(4);
    expect(new Set([...seen[0]!, ...seen[1]!]).size).toBe(8);
    expect(seen[2]!.slice(2)).toEqual(seen[0]!.slice(0, 2));
    expect(epochFiles(files, 1, 7, 4, true)).toEqual(seen[1]);
  });

  it('reshuffles all games every epoch otherwise, and keeps order without shuffling', () => {
    expect(epochFiles(files, 0, 7, undefined, true).sort()).toEqual([...files].sort());
    expect(epochFiles(files, 0, 7, undefined, true)).not.toEqual(epochFiles(files, 1, 7, undefined, true));
    expect(epochFiles(files, 3, 7, undefined, false)).toEqual(files);
  });
});

describe('gameStream', () => {
  const planes = planesOf('alphago');

  it('streams every non-pass move of the good games once, skipping bad records with reasons', async () => {
    const dir = fixtureDir();
    const files = (await listGames(dir)).map((f) => join(dir, f));
    const stream = gameStream({
      files,
      featureSet: 'alphago',
      planes,
      size: 29,
      workers: 2,
      symmetries: false,
      shuffleBuffer: 0,
      chunkSize: 4,
    });
    const batches = await collect(stream.batches(0, 8, 1));
    const targets = batches.flatMap((b) => Array.from(b.ys));
    expect(targets).toHaveLength(10 + 7 + 12);
    expect(batches.slice(0, -1).every((b) => b.ys.length === 8)).toBe(true);
    expect(batches[0]!.xs.shape).toEqual([8, 19, 19, planes]);
    const stats = stream.lastStats()!;
    expect(stats.games).toBe(3);
    expect(stats.positions).toBe(29);
    expect(Object.values(stats.skipped).reduce((n, s) => n + s.count, 0)).toBe(2);
    // Without symmetries the targets are the recorded points: black plays column c (2), white column p (15).
    const moveNumbersOfC = batches.flatMap((b) => Array.from(b.moveNumbers)).filter((m) => m === 1);
    expect(moveNumbersOfC).toHaveLength(3);
    for (const t of targets) expect([2, 15]).toContain(t % 19);
  });

  it('with a shuffle buffer and symmetries yields the same examples as a multiset, repeatably per seed', async () => {
    const dir = fixtureDir();
    const files = (await listGames(dir)).map((f) => join(dir, f));
    const opts = {
      files,
      featureSet: 'alphago',
      planes,
      size: 29,
      workers: 1,
      symmetries: true,
      shuffleBuffer: 16,
      chunkSize: 4,
    };
    const a = await collect(gameStream(opts).batches(0, 5, 3));
    const b = await collect(gameStream(opts).batches(0, 5, 3));
    const c = await collect(gameStream(opts).batches(1, 5, 3));
    const ys = (x: ArrayBatch[]) => x.flatMap((bt) => Array.from(bt.ys));
    expect(ys(a)).toEqual(ys(b));
    expect(ys(a)).toHaveLength(29);
    expect(ys(c)).not.toEqual(ys(a));
    // Each example's planes still mark its target as an empty, legal point (the symmetry moved both together).
    for (const bt of a) {
      for (let i = 0; i < bt.ys.length; i++) {
        const t = bt.ys[i]!;
        const emptyPlane = 2;
        expect(bt.xs.data[(i * 361 + t) * planes + emptyPlane]).toBe(1);
      }
    }
  });
});
