import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataError, Rng, UsageError } from '@cnn-lab/core';
import { afterAll, describe, expect, it } from 'vitest';
import { BLACK, Board, EMPTY, PASS, WHITE, type Player } from '../src/board/index.js';
import {
  NEIGHBOUR_OFFSETS,
  canonicalCode,
  canonicalCodeFast,
  captureBucket,
  coarseCode,
  codeAt,
  isOwnEye,
  neighbourCode,
  patternGeometry,
  playable,
  swapColours,
  transformCode,
} from '../src/rollout/pattern.js';
import { Playout } from '../src/rollout/playout.js';
import {
  COARSE_CODES,
  RolloutTables,
  emptyWeights,
  loadRollout,
  saveRollout,
  type RolloutWeights,
} from '../src/rollout/policy.js';
import { chooseVocabulary, countPatterns, moveMatch, trainWeights } from '../src/rollout/train.js';
import type { Game } from '../src/sgf/index.js';
import { fromRows } from './positions.js';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const tempDir = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'rollout-'));
  dirs.push(d);
  return d;
};

/** A board after `n` random legal moves that fill no own eye (seeded). */
function randomBoard(size: number, n: number, seed: number): Board {
  const rng = new Rng(seed);
  const b = new Board(size);
  for (let i = 0; i < n; i++) {
    const legal = b.legalMoves().filter((p) => !b.isEye(p, b.toPlay));
    if (legal.length === 0) break;
    b.play(legal[rng.int(legal.length)]!);
  }
  return b;
}

/** Weights with random values everywhere (every code of the vocabulary, coarse codes, distances). */
function randomWeights(seed: number, vocab: Int32Array = new Int32Array(0)): RolloutWeights {
  const rng = new Rng(seed);
  const w = emptyWeights(vocab);
  for (const a of [w.fine, w.coarse, w.line, w.lastDistance, w.ownDistance])
    for (let i = 0; i < a.length; i++) a[i] = rng.normal();
  return w;
}

/** What a move does, read by playing it: liberties of the new chain (capped at 3; 0 if illegal) and stones captured. */
function played(board: Board, p: number, colour: Player): { libs: number; captured: number } {
  if (!board.isLegalSimple(p, colour)) return { libs: 0, captured: 0 };
  const before = board.cells.filter((c) => c !== EMPTY && c !== colour).length;
  board.tryMove(p, colour);
  const libs = Math.min(3, board.liberties(p));
  const after = board.cells.filter((c) => c !== EMPTY && c !== colour).length;
  board.undoTry();
  return { libs, captured: before - after };
}

describe('rollout features', () => {
  it('codes say what the move does, as playing it shows, and what is around it', () => {
    for (const [size, moves, seed] of [
      [9, 50, 1],
      [9, 70, 2],
      [19, 200, 3],
      [19, 300, 4],
    ] as const) {
      const b = randomBoard(size, moves, seed);
      const pg = patternGeometry(size);
      for (let p = 0; p < b.area; p++) {
        if (b.cells[p] !== EMPTY) continue;
        for (const colour of [BLACK, WHITE] as const) {
          const code = codeAt(b, p, colour);
          const want = played(b, p, colour);
          // Liberties after the move: exact up to 3, except that captured stones away from p (freed
          // points next to joined chains) are not counted, so the code may read fewer.
          const libs = (code >>> 24) & 3;
          if (want.libs === 0) expect(libs).toBe(0);
          else {
            expect(libs).toBeGreaterThan(0);
            expect(libs).toBeLessThanOrEqual(want.libs);
            if (want.captured === 0) expect(libs).toBe(want.libs);
          }
          if (want.libs > 0) expect((code >>> 26) & 3).toBe(captureBucket(want.captured));
          // The neighbour fields, from the mover's point of view.
          const r = Math.floor(p / size);
          const c = p % size;
          NEIGHBOUR_OFFSETS.forEach(([dr, dc], i) => {
            const f = (code >>> (3 * i)) & 7;
            const rr = r + dr;
            const cc = c + dc;
            if (rr < 0 || cc < 0 || rr >= size || cc >= size) return expect(f).toBe(1);
            const q = rr * size + cc;
            const v = b.cells[q];
            if (v === EMPTY) return expect(f).toBe(0);
            const l = Math.min(3, b.liberties(q));
            expect(f).toBe((v === colour ? 1 : 4) + l);
          });
          expect(isOwnEye(code)).toBe(b.isEye(p, colour));
          expect(neighbourCode(b, pg, p)).toBe(codeAt(b, p, BLACK) & 0xffffff);
        }
      }
    }
  });

  it('a pattern and its rotations and reflections share one canonical code', () => {
    const b = randomBoard(19, 150, 7);
    for (let p = 0; p < b.area; p += 3) {
      if (b.cells[p] !== EMPTY) continue;
      const code = codeAt(b, p, b.toPlay);
      const canon = canonicalCode(code);
      for (let s = 0; s < 8; s++) expect(canonicalCode(transformCode(code, s))).toBe(canon);
      expect(swapColours(swapColours(code))).toBe(code);
      expect(swapColours(code & 0xffffff)).toBe(codeAt(b, p, b.toPlay === BLACK ? WHITE : BLACK) & 0xffffff);
    }
  });

  it('canonicalises by table exactly as by the eight transforms', () => {
    const rng = new Rng(4);
    const codes: number[] = [0, 0xfffffff];
    // Random fields (empty, edge, own or opponent with 1-3 liberties) and move effects, and codes from boards.
    for (let i = 0; i < 20000; i++) {
      let c = rng.int(16) << 24;
      for (let f = 0; f < 8; f++) c |= rng.int(8) << (3 * f);
      codes.push(c);
    }
    for (const seed of [1, 2, 3]) {
      const b = randomBoard(19, 60 * seed, seed);
      for (let p = 0; p < b.area; p++) if (b.cells[p] === EMPTY) codes.push(codeAt(b, p, BLACK), codeAt(b, p, WHITE));
    }
    for (const code of codes) {
      const want = canonicalCode(code);
      if (canonicalCodeFast(code) !== want) expect(canonicalCodeFast(code)).toBe(want);
      for (let s = 1; s < 8; s++) {
        const t = transformCode(code, s);
        if (canonicalCodeFast(t) !== want) expect(canonicalCodeFast(t)).toBe(want);
      }
    }
  });

  it('never plays suicide or into its own eye', () => {
    // Black's eye at A1 (corner), white's single-point hole at E5 that would be suicide for black.
    const b = fromRows([
      '.X...', //
      'XX.O.',
      '...O.',
      '..O.O',
      '...O.',
    ]);
    expect(playable(codeAt(b, b.point(0, 0), BLACK))).toBe(false);
    expect(playable(codeAt(b, b.point(3, 3), BLACK))).toBe(false);
    expect(playable(codeAt(b, b.point(3, 3), WHITE))).toBe(false);
    expect(playable(codeAt(b, b.point(2, 2), BLACK))).toBe(true);
  });
});

describe('playouts', () => {
  const tables = new RolloutTables(randomWeights(5));

  it('keep every weight equal to the weight computed from scratch, move after move', () => {
    for (const [size, seed] of [
      [9, 1],
      [19, 2],
    ] as const) {
      const po = new Playout(tables, size);
      const rng = new Rng(seed);
      const start = randomBoard(size, size === 9 ? 20 : 120, seed);
      po.reset(start);
      let colour: Player = start.toPlay;
      let last = PASS;
      let own = PASS;
      for (let m = 0; m < (size === 9 ? 150 : 500); m++) {
        const p = po.choose(colour, last, own, rng);
        if (p === PASS) break;
        po.play(p, colour);
        [own, last] = [last, p];
        colour = colour === BLACK ? WHITE : BLACK;
        for (const c of [BLACK, WHITE] as const) {
          const base = c === BLACK ? po.gamma[0] : po.gamma[1];
          for (let q = 0; q < size * size; q++) {
            if (q === po.board.koPoint) continue;
            const want =
              po.board.cells[q] === EMPTY
                ? tables.baseGamma(codeAt(po.board, q, c), patternGeometry(size).line[q]!)
                : 0;
            expect(base[q]).toBeCloseTo(want, 12);
          }
        }
      }
    }
  });

  it('after restoreRoot, play on exactly as from a fresh reset of the root', () => {
    const start = randomBoard(19, 140, 4);
    const po = new Playout(tables, 19);
    po.reset(start);
    po.saveRoot();
    const fresh = new Playout(tables, 19);
    for (let k = 0; k < 3; k++) {
      // Wander off (captures and bucket changes on the way), come back, then both play the same playout.
      po.run(start.toPlay, PASS, PASS, 7.5, new Rng(20 + k), 60 + 40 * k);
      po.restoreRoot();
      fresh.reset(start);
      const a = po.run(start.toPlay, PASS, PASS, 7.5, new Rng(30 + k));
      const b = fresh.run(start.toPlay, PASS, PASS, 7.5, new Rng(30 + k));
      expect(a).toEqual(b);
      expect(Array.from(po.board.cells)).toEqual(Array.from(fresh.board.cells));
      po.restoreRoot();
    }
  });

  it('look up every symmetric variant of a learned pattern, and the coarse weight alone for the rest', () => {
    const b = randomBoard(19, 150, 8);
    const pg = patternGeometry(19);
    const seen = new Set<number>();
    for (let p = 0; p < b.area; p++) {
      if (b.cells[p] !== EMPTY) continue;
      for (const c of [BLACK, WHITE] as const) {
        const k = canonicalCode(codeAt(b, p, c));
        if (seen.size < 40) seen.add(k);
      }
    }
    const vocab = Int32Array.from([...seen].sort((a, x) => a - x));
    const withVocab = randomWeights(6, vocab);
    const t = new RolloutTables(withVocab);
    const exp32 = (x: number): number => Math.fround(Math.exp(x));
    let learned = 0;
    for (let p = 0; p < b.area; p++) {
      if (b.cells[p] !== EMPTY) continue;
      for (const c of [BLACK, WHITE] as const) {
        const code = codeAt(b, p, c);
        const line = pg.line[p]!;
        const i = vocab.indexOf(canonicalCode(code));
        if (i >= 0) learned++;
        const want = !playable(code)
          ? 0
          : (i >= 0 ? exp32(withVocab.fine[i]!) : 1) * t.coarseGamma[coarseCode(code)]! * exp32(withVocab.line[line]!);
        for (let s = 0; s < 8; s++) {
          // A symmetric variant of the whole position would have the same weight; here the code alone turns.
          expect(t.baseGamma(transformCode(code, s), line)).toBe(want);
        }
      }
    }
    expect(learned).toBeGreaterThan(40);
  });

  it('play to the end, and count the area of what is left', () => {
    const po = new Playout(tables, 9);
    const rng = new Rng(3);
    for (let g = 0; g < 20; g++) {
      po.reset(new Board(9));
      const r = po.run(BLACK, PASS, PASS, 7, rng);
      expect(r.moves).toBeLessThan(9 * 9 * 3);
      let black = 0;
      let white = 0;
      for (let p = 0; p < 81; p++) {
        const c = po.board.cells[p];
        if (c === EMPTY) {
          // What is left empty is an eye the rollout would not fill, or a point no one can play.
          expect(po.gamma[0][p]! === 0 || po.gamma[1][p]! === 0).toBe(true);
        }
        if (po.owner[p] === BLACK) black++;
        else if (po.owner[p] === WHITE) white++;
      }
      expect(r.margin).toBe(black - white - 7);
    }
  });

  it('the same seed plays the same playout', () => {
    const run = (seed: number): number[] => {
      const po = new Playout(tables, 9);
      po.reset(new Board(9));
      po.run(BLACK, PASS, PASS, 7, new Rng(seed));
      return Array.from(po.board.cells);
    };
    expect(run(11)).toEqual(run(11));
    expect(run(11)).not.toEqual(run(12));
  });

  it('draw each point in proportion to its weight near the last two moves', () => {
    const b = randomBoard(19, 120, 6);
    const po = new Playout(tables, 19);
    po.reset(b);
    po.saveRoot();
    const last = b.lastMove?.move ?? PASS;
    // Our own last stone: one of ours near the last move, so that the two windows overlap.
    let own = PASS;
    for (let q = last - 40; q < last + 40; q++) if (q >= 0 && q < 361 && b.cells[q] === b.toPlay) own = q;
    expect(last).toBeGreaterThanOrEqual(0);
    expect(own).not.toBe(PASS);
    const want = po.weights(b.toPlay, last, own, new Float64Array(361));
    const sum = want.reduce((a, x) => a + x, 0);
    const opponent = b.toPlay === BLACK ? WHITE : BLACK;
    const rng = new Rng(7);
    const n = 60000;
    for (const carried of [false, true]) {
      const count = new Float64Array(361);
      for (let k = 0; k < n; k++) {
        // A draw for the opponent around `own` first leaves that window's sums for the next call to carry over.
        if (carried) po.choose(opponent, own, PASS, rng);
        else po.restoreRoot();
        count[po.choose(b.toPlay, last, own, rng)]!++;
      }
      let tv = 0;
      let local = 0;
      for (let q = 0; q < 361; q++) {
        tv += Math.abs(count[q]! / n - want[q]! / sum) / 2;
        if (want[q] === 0) expect(count[q]).toBe(0);
        if (want[q] !== po.gamma[b.toPlay === BLACK ? 0 : 1][q]) local += count[q]!;
      }
      // Sampling noise alone: about 0.03 over some 250 points at this n.
      expect(tv).toBeLessThan(0.045);
      expect(local).toBeGreaterThan(n / 10);
    }
  });

  it('play on exactly as a fresh playout when the stamps run out and start again', () => {
    const start = randomBoard(19, 140, 12);
    const worn = new Playout(tables, 19);
    const fresh = new Playout(tables, 19);
    // Ids just short of 2^31, where an Int32Array would store them wrapped round, as after a long session.
    const ids = worn as unknown as { stampId: number; localId: number; winId: number };
    ids.stampId = 2 ** 31 - 5;
    ids.localId = 2 ** 31 - 1;
    ids.winId = 2 ** 31 - 1;
    worn.reset(start);
    fresh.reset(start);
    const last = start.lastMove?.move ?? PASS;
    const own = start.history.at(-2)?.move ?? PASS;
    expect(own).toBeGreaterThanOrEqual(0);
    for (let k = 0; k < 3; k++) {
      expect(Array.from(worn.weights(start.toPlay, last, own, new Float64Array(361)))).toEqual(
        Array.from(fresh.weights(start.toPlay, last, own, new Float64Array(361))),
      );
    }
    const a = worn.run(start.toPlay, last, own, 7.5, new Rng(5));
    const b = fresh.run(start.toPlay, last, own, 7.5, new Rng(5));
    expect(a).toEqual(b);
    expect(a.moves).toBeGreaterThan(20);
    expect(Array.from(worn.board.cells)).toEqual(Array.from(fresh.board.cells));
    expect(ids.stampId).toBeLessThan(0x3fffffff);
    expect(ids.winId).toBeLessThan(0x3fffffff);
  });

  it('draw the same move with the window of the move before carried over as with every sum afresh', () => {
    const start = randomBoard(19, 100, 9);
    const po = new Playout(tables, 19);
    const fresh = new Playout(tables, 19);
    po.reset(start);
    let colour: Player = start.toPlay;
    let last = start.lastMove?.move ?? PASS;
    let own = PASS;
    let moves = 0;
    for (let m = 0; m < 300; m++) {
      fresh.reset(po.board);
      const p = po.choose(colour, last, own, new Rng(100 + m));
      expect(fresh.choose(colour, last, own, new Rng(100 + m))).toBe(p);
      if (p === PASS) break;
      po.play(p, colour);
      moves++;
      [own, last] = [last, p];
      colour = colour === BLACK ? WHITE : BLACK;
    }
    expect(moves).toBeGreaterThan(150);
  });
});

/** Games sampled from a teacher policy: self-play by the playout's own move choice. */
function teacherGames(tables: RolloutTables, n: number, moves: number, seed: number): Game[] {
  const rng = new Rng(seed);
  const po = new Playout(tables, 19);
  const games: Game[] = [];
  for (let g = 0; g < n; g++) {
    po.reset(new Board(19));
    const list: Game['moves'] = [];
    let colour: Player = BLACK;
    let last = PASS;
    let own = PASS;
    for (let m = 0; m < moves; m++) {
      const p = po.choose(colour, last, own, rng);
      if (p === PASS) break;
      po.play(p, colour);
      list.push({ colour, move: p });
      [own, last] = [last, p];
      colour = colour === BLACK ? WHITE : BLACK;
    }
    games.push({
      size: 19,
      komi: 7.5,
      handicap: 0,
      setup: { black: [], white: [] },
      moves: list,
      winner: null,
      info: {},
    });
  }
  return games;
}

describe('training', () => {
  it('learns a teacher policy back from games the teacher played', async () => {
    // The teacher: strong preferences for some coarse patterns, for the edge lines and for answering near the last move.
    const rng = new Rng(9);
    const teacherW = emptyWeights();
    for (let i = 0; i < COARSE_CODES; i++) teacherW.coarse[i] = 2 * rng.normal();
    for (let i = 0; i < teacherW.line.length; i++) teacherW.line[i] = rng.normal();
    teacherW.lastDistance.set([3, 2.5, 2, 1.5, 1, 0.5, 0.3, 0.1]);
    const teacher = new RolloutTables(teacherW);
    const train = teacherGames(teacher, 40, 120, 1);
    const test = teacherGames(teacher, 10, 120, 2);
    const counts = countPatterns(train);
    const vocab = chooseVocabulary(counts, 20, 3);
    const losses: number[] = [];
    const weights = await trainWeights(train, vocab, {
      epochs: 2,
      learningRate: 0.1,
      l2: 1e-4,
      onEpoch: (_e, _w, loss) => void losses.push(loss),
    });
    expect(losses[1]).toBeLessThan(losses[0]!);
    const student = moveMatch(new RolloutTables(weights), test);
    const untrained = moveMatch(new RolloutTables(emptyWeights()), test);
    const ideal = moveMatch(teacher, test);
    // The teacher samples, so even it matches its own moves only sometimes; the student must get most of the way.
    expect(student.positions).toBeGreaterThan(1000);
    expect(student.rate).toBeGreaterThan(3 * untrained.rate);
    expect(student.rate).toBeGreaterThan(0.7 * ideal.rate);
    // Distance to the last move is learnt in the teacher's order.
    expect(weights.lastDistance[0]).toBeGreaterThan(weights.lastDistance[5]!);
  });
});

describe('rollout files', () => {
  it('round-trip through rollout.json', async () => {
    const dir = tempDir();
    const vocab = Int32Array.from(
      new Set(
        [codeAt(randomBoard(19, 30, 1), 100, BLACK), codeAt(randomBoard(19, 40, 2), 200, WHITE)].map(canonicalCode),
      ),
    ).sort();
    const w = randomWeights(3, vocab);
    await saveRollout(dir, w, { moveMatch: 0.25 });
    const back = await loadRollout(dir);
    expect(back.info.moveMatch).toBe(0.25);
    expect(Array.from(back.weights.fineCodes)).toEqual(Array.from(vocab));
    expect(Array.from(back.weights.fine)).toEqual(Array.from(w.fine));
    expect(Array.from(back.weights.coarse)).toEqual(Array.from(w.coarse));
    back.weights.line.forEach((x, i) => expect(x).toBeCloseTo(w.line[i]!, 5));
  });

  it('refuse a missing or damaged file with the file and the field named', async () => {
    const dir = tempDir();
    await expect(loadRollout(join(dir, 'nowhere'))).rejects.toThrow(UsageError);
    await saveRollout(dir, randomWeights(1));
    const file = join(dir, 'rollout.json');
    const good = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const bad = async (patch: Record<string, unknown>, field: RegExp): Promise<void> => {
      writeFileSync(file, JSON.stringify({ ...good, ...patch }));
      const err = await loadRollout(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataError);
      expect(String(err)).toContain(file);
      expect(String(err)).toMatch(field);
    };
    await bad({ format: 'something else' }, /format/);
    await bad({ line: [1, 2] }, /line must be a list of 49 numbers/);
    await bad({ coarse: Buffer.from(new Float32Array(3).buffer).toString('base64') }, /coarse must hold 65536/);
    await bad(
      {
        fineCodes: Buffer.from(Int32Array.of(7 << 21).buffer).toString('base64'),
        fine: Buffer.from(Float32Array.of(1).buffer).toString('base64'),
      },
      /not a canonical code/,
    );
    writeFileSync(file, '{ not json');
    await expect(loadRollout(dir)).rejects.toThrow(/is not JSON/);
  });
});
