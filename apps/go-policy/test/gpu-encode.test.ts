import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  bytesPerPosition,
  encodeFolder,
  packPlanes,
  unpackPlanes,
  type EncodedManifest,
  type EncodedPart,
} from '../gpu/encode.js';
import { listGames } from '../src/data/games.js';
import { encodeGame } from '../src/data/positions.js';
import { SPLITS, splitGames } from '../src/data/split.js';
import { randomGameFolder } from './gpu-fixtures.js';

const APP = resolve(import.meta.dirname, '..');

function readSplit(dir: string, m: EncodedManifest, name: 'train' | 'validation' | 'test') {
  const s = m.splits[name];
  if (!s) throw new Error(`split ${name} missing`);
  const parts = s.parts;
  const cat = (file: (p: EncodedPart) => string) => Buffer.concat(parts.map((p) => readFileSync(join(dir, file(p)))));
  const bits = new Uint8Array(cat((p) => p.bits));
  const moves = new Int16Array(new Uint8Array(cat((p) => p.moves)).buffer);
  const nums = new Int16Array(new Uint8Array(cat((p) => p.nums)).buffer);
  return { bits, moves, nums, positions: s.positions };
}

describe('bit packing of the planes', () => {
  it('puts plane k, point p at bit k*361+p, most significant bit first', () => {
    const planes = 48;
    const nhwc = new Uint8Array(361 * planes);
    nhwc[0 * planes + 0] = 1; // point 0, plane 0 -> bit 0
    nhwc[360 * planes + 47] = 1; // point 360, plane 47 -> bit 17327, the last
    nhwc[5 * planes + 1] = 1; // point 5, plane 1 -> bit 366 = byte 45, bit 6 from the top
    const bits = packPlanes(nhwc, 1, planes);
    expect(bits.length).toBe(bytesPerPosition(planes));
    expect(bits.length).toBe(2166);
    expect(bits[0]).toBe(0x80);
    expect(bits[2165]).toBe(0x01);
    expect(bits[45]).toBe(0x80 >> 6);
    expect(bits.reduce((n, b) => n + (b ? 1 : 0), 0)).toBe(3);
    expect(Buffer.from(unpackPlanes(bits, 1, planes)).equals(Buffer.from(nhwc))).toBe(true);
  });

  it('refuses a plane value other than 0 or 1', () => {
    const nhwc = new Uint8Array(361 * 4);
    nhwc[7] = 2;
    expect(() => packPlanes(nhwc, 1, 4)).toThrow(/plane 3 at point 1 of position 0 is 2/);
  });
});

describe('encodeFolder', () => {
  it("writes every split's positions exactly as the app's encoder makes them, in the app's split", async () => {
    const data = randomGameFolder(40, 90);
    const out = mkdtempSync(join(tmpdir(), 'go-policy-enc-'));
    const m = await encodeFolder({ dataDir: data, outDir: out, workers: 3 });
    expect(JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'))).toEqual(m);
    const split = splitGames(await listGames(data), 1);
    let total = 0;
    for (const name of SPLITS) {
      const files = split[name];
      const s = m.splits[name];
      expect(s?.files).toBe(files.length);
      const got = readSplit(out, m, name);
      const planes: Uint8Array[] = [];
      const moves: number[] = [];
      const nums: number[] = [];
      let games = 0;
      for (const f of files) {
        let e;
        try {
          e = encodeGame(readFileSync(join(data, f)), f, { featureSet: 'alphago', symmetry: () => 0 });
        } catch {
          continue;
        }
        games++;
        planes.push(e.planes);
        moves.push(...e.moves);
        nums.push(...e.moveNumbers);
      }
      expect(s?.games).toBe(games);
      expect(got.positions).toBe(moves.length);
      expect(Buffer.from(got.moves.buffer).equals(Buffer.from(Int16Array.from(moves).buffer))).toBe(true);
      expect(Buffer.from(got.nums.buffer).equals(Buffer.from(Int16Array.from(nums).buffer))).toBe(true);
      // Buffer.equals: toEqual walks a typed array element by element (millions here).
      expect(Buffer.from(unpackPlanes(got.bits, got.positions, 48)).equals(Buffer.concat(planes))).toBe(true);
      total += got.positions;
    }
    expect(total).toBeGreaterThan(40 * 80);
    // The truncated record is counted under its reason in whichever split it falls.
    const skipped = SPLITS.flatMap((n) => Object.entries(m.splits[n]?.skipped ?? {}));
    expect(skipped).toEqual([['truncated', { count: 1, example: join(data, '9p', 'broken.sgf') }]]);
  });

  it('bundles into one file that a bare node runs, writing the same bytes', async () => {
    const data = randomGameFolder(8, 60);
    const work = mkdtempSync(join(tmpdir(), 'go-policy-bundle-'));
    const bundle = join(work, 'encode.mjs');
    execFileSync('npx', ['tsx', 'gpu/bundle.ts', '--out', bundle], { cwd: APP, stdio: 'pipe' });
    // Run from an empty folder: nothing may be resolved from node_modules at run time.
    execFileSync(process.execPath, [bundle, '--data-dir', data, '--out', join(work, 'a'), '--workers', '2'], {
      cwd: work,
      stdio: 'pipe',
    });
    const viaSource = await encodeFolder({ dataDir: data, outDir: join(work, 'b'), workers: 2 });
    const viaBundle = JSON.parse(readFileSync(join(work, 'a', 'manifest.json'), 'utf8')) as EncodedManifest;
    expect({ ...viaBundle, seconds: 0 }).toEqual({ ...viaSource, seconds: 0 });
    for (const name of SPLITS) {
      for (const part of viaSource.splits[name]?.parts ?? []) {
        for (const file of [part.bits, part.moves, part.nums]) {
          expect(readFileSync(join(work, 'a', file)).equals(readFileSync(join(work, 'b', file)))).toBe(true);
        }
      }
    }
  });

  it('names the flag when the folder holds no games', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'go-policy-empty-'));
    await expect(encodeFolder({ dataDir: empty, outDir: join(empty, 'out') })).rejects.toThrow(
      /--data-dir .*no \.sgf files/,
    );
  });
});
