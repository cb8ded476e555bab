import { describe, expect, it } from 'vitest';
import { Rng } from '@cnn-lab/core';
import { BLACK, Board, EMPTY, PASS, WHITE, parseVertex } from '../src/board/index.js';
import type { Player } from '../src/board/index.js';
import {
  ALPHAGO_PLANES as A,
  FEATURE_SET_NAMES,
  SYMMETRIES,
  encodeBoard,
  inverseSymmetry,
  planeCount,
  symmetryTable,
  transformMove,
  transformPlanes,
} from '../src/features/index.js';
import type { Symmetry } from '../src/features/index.js';
import { fromRows } from './positions.js';

/** Board after playing GTP moves, alternating from black. */
function fromMoves(size: number, moves: string[]): Board {
  const b = new Board(size);
  for (const m of moves) b.play(parseVertex(m, size));
  return b;
}

const at = (b: Board, v: string): number => parseVertex(v, b.size);
/** The 48 plane values at one point. */
function planesAt(b: Board, v: string | number): number[] {
  const buf = encodeBoard(b, 'alphago');
  const p = typeof v === 'number' ? v : at(b, v);
  return Array.from(buf.subarray(p * 48, p * 48 + 48));
}
/** The 8 planes of an integer feature group at one point. */
const group8 = (planes: number[], first: number): number[] => planes.slice(first, first + 8);
const hot8 = (i: number): number[] => Array.from({ length: 8 }, (_, k) => (k === i ? 1 : 0));
const zeros = (n: number): number[] => new Array<number>(n).fill(0);

describe('feature sets', () => {
  it('have the documented plane counts', () => {
    expect(Object.fromEntries(FEATURE_SET_NAMES.map((s) => [s, planeCount(s)]))).toEqual({
      alphago: 48,
      'no-ladders': 46,
      'stones+history+liberties': 20,
      'stones+history': 12,
      stones: 4,
    });
  });

  it('smaller sets are the same planes as the full set, minus the groups they leave out', () => {
    const b = fromMoves(9, ['E5', 'D5', 'E4', 'D4', 'E6', 'D6', 'F5', 'C5']);
    const full = encodeBoard(b, 'alphago');
    const noLad = encodeBoard(b, 'no-ladders');
    const stones = encodeBoard(b, 'stones+history');
    for (let p = 0; p < 81; p++) {
      expect(Array.from(noLad.subarray(p * 46, p * 46 + 44))).toEqual(Array.from(full.subarray(p * 48, p * 48 + 44)));
      expect(Array.from(noLad.subarray(p * 46 + 44, p * 46 + 46))).toEqual(
        Array.from(full.subarray(p * 48 + 46, p * 48 + 48)),
      );
      expect(Array.from(stones.subarray(p * 12, p * 12 + 12))).toEqual(Array.from(full.subarray(p * 48, p * 48 + 12)));
    }
  });

  it('writes floats or bytes at an offset and checks the buffer size', () => {
    const b = fromMoves(9, ['E5']);
    const f = new Float32Array(2 * 81 * 4);
    encodeBoard(b, 'stones', f, 81 * 4);
    expect(Array.from(f.subarray(0, 81 * 4)).every((x) => x === 0)).toBe(true);
    const p = at(b, 'E5');
    expect(Array.from(f.subarray(81 * 4 + p * 4, 81 * 4 + p * 4 + 4))).toEqual([0, 1, 0, 1]);
    expect(() => encodeBoard(b, 'alphago', new Uint8Array(100))).toThrow(/needs 3888/);
  });
});

describe('stone colour, ones, zeros (planes 0-3, 47)', () => {
  it('are seen from the player to move', () => {
    const b = fromMoves(9, ['E5', 'D5']); // black to play
    expect(planesAt(b, 'E5').slice(0, 4)).toEqual([1, 0, 0, 1]);
    expect(planesAt(b, 'D5').slice(0, 4)).toEqual([0, 1, 0, 1]);
    expect(planesAt(b, 'A1').slice(0, 4)).toEqual([0, 0, 1, 1]);
    b.play(at(b, 'J9')); // white to play: the view flips
    expect(planesAt(b, 'E5').slice(0, 4)).toEqual([0, 1, 0, 1]);
    expect(planesAt(b, 'D5').slice(0, 4)).toEqual([1, 0, 0, 1]);
    for (let p = 0; p < 81; p++) expect(planesAt(b, p)[A.zeros]).toBe(0);
  });
});

describe('turns since (planes 4-11)', () => {
  // Ten separate stones on 9x9: E5 was played 1 turn ago, C5 2, J7 3, ... E9 9, C9 10.
  const moves = ['C9', 'E9', 'G9', 'A7', 'C7', 'E7', 'G7', 'J7', 'C5', 'E5'];
  const b = fromMoves(9, moves);

  it('puts the last move in plane 4 and counts back', () => {
    expect(group8(planesAt(b, 'E5'), A.turnsSince)).toEqual(hot8(0));
    expect(group8(planesAt(b, 'C5'), A.turnsSince)).toEqual(hot8(1));
    expect(group8(planesAt(b, 'A7'), A.turnsSince)).toEqual(hot8(6)); // 7 turns ago: plane 10
  });

  it('puts 8 and 9 turns ago in plane 11 without touching plane 12', () => {
    // Each of these top-edge stones has 3 liberties: plane 14 set, plane 12 clear.
    expect(planesAt(b, 'G9').slice(A.turnsSince, A.turnsSince + 16)).toEqual([...hot8(7), ...hot8(2)]); // 8 ago
    expect(planesAt(b, 'E9').slice(A.turnsSince, A.turnsSince + 16)).toEqual([...hot8(7), ...hot8(2)]); // 9 ago
    expect(planesAt(b, 'C9').slice(A.turnsSince, A.turnsSince + 16)).toEqual([...hot8(7), ...hot8(2)]); // 10 ago
  });

  it('counts passes as turns, leaves empty points at zero, and puts setup stones at 8+', () => {
    const c = fromMoves(9, ['E5']);
    c.pass();
    expect(group8(planesAt(c, 'E5'), A.turnsSince)).toEqual(hot8(1));
    expect(group8(planesAt(c, 'E4'), A.turnsSince)).toEqual(zeros(8));
    const s = fromRows(['X....', '.....', '.....', '.....', '.....']);
    expect(group8(planesAt(s, 'A5'), A.turnsSince)).toEqual(hot8(7));
  });
});

describe('liberties (planes 12-19)', () => {
  it('one-hot over 1..7 with 8 or more in plane 19, nothing spilling into plane 20', () => {
    // Black chains with 1, 2, 7, 8 and 9 liberties; white stones take liberties where needed.
    const b = fromRows([
      'XO.......', // A9: 1 liberty
      '.........',
      '.........',
      '..XXX....', // C6-E6 line: 8 liberties
      '.........',
      '.........',
      'OXXX.....', // B3-D3 with A3 white: 7 liberties
      '.........',
      '.........',
    ]);
    expect(b.liberties(at(b, 'A9'))).toBe(1);
    expect(group8(planesAt(b, 'A9'), A.liberties)).toEqual(hot8(0));
    expect(b.liberties(at(b, 'C3'))).toBe(7);
    expect(group8(planesAt(b, 'C3'), A.liberties)).toEqual(hot8(6));
    expect(b.liberties(at(b, 'D6'))).toBe(8);
    expect(planesAt(b, 'D6').slice(A.liberties, A.liberties + 9)).toEqual([...hot8(7), 0]);
    const n = fromRows([
      '.........',
      '.........',
      '.........',
      '..XXXX...',
      '...O.....',
      '.........',
      '.........',
      '.........',
      '.........',
    ]);
    expect(n.liberties(at(n, 'C6'))).toBe(9);
    expect(planesAt(n, 'C6').slice(A.liberties, A.liberties + 9)).toEqual([...hot8(7), 0]);
    // A stone point has no move planes at all.
    expect(planesAt(n, 'C6').slice(A.captureSize, 48)).toEqual(zeros(48 - A.captureSize));
  });
});

describe('capture size (planes 20-27)', () => {
  /** A white chain of k stones on the top row, black under it, its last liberty at column k. */
  function captureBoard(k: number): Board {
    const top = 'O'.repeat(k) + '.'.repeat(9 - k);
    const second = 'X'.repeat(k) + '.'.repeat(9 - k);
    return fromRows([
      top,
      second,
      '.........',
      '.........',
      '.........',
      '.........',
      '.........',
      '.........',
      '.........',
    ]);
  }
  const cols = 'ABCDEFGHJ';

  it('counts 6, 7 and 8 captured stones as planes 26, 27, 27 and 0 as plane 20', () => {
    const expected: Record<number, number> = { 1: 1, 6: 6, 7: 7, 8: 7 };
    for (const [k, i] of Object.entries(expected)) {
      const b = captureBoard(Number(k));
      const p = `${cols[Number(k)]}9`;
      expect(b.clone().play(at(b, p))).toHaveLength(Number(k));
      const planes = planesAt(b, p);
      expect(group8(planes, A.captureSize), `${k} captured`).toEqual(hot8(i));
      // No spill into the self-atari group: the capturing stone is not in atari.
      expect(group8(planes, A.selfAtari)).toEqual(zeros(8));
    }
    const b = captureBoard(6);
    expect(group8(planesAt(b, 'E5'), A.captureSize)).toEqual(hot8(0));
  });

  it('is zero at illegal points (suicide, ko, occupied)', () => {
    const b = fromRows(['.X...', 'X....', '.....', '.....', '.....'], WHITE);
    expect(planesAt(b, 'A5').slice(A.captureSize, A.zeros)).toEqual(zeros(A.zeros - A.captureSize)); // suicide
    const k = fromRows(['.XO..', 'X.XO.', '.XO..', '.....', '.....'], WHITE);
    k.play(at(k, 'B4')); // white takes the ko; black may not retake at C4 now
    expect(planesAt(k, 'C4').slice(A.captureSize, A.zeros)).toEqual(zeros(A.zeros - A.captureSize));
    expect(planesAt(k, 'B4').slice(A.captureSize, A.zeros)).toEqual(zeros(A.zeros - A.captureSize));
  });
});

describe('self-atari size (planes 28-35) and liberties after the move (planes 36-43)', () => {
  /** 13x13: a black chain of k-1 stones on the top row with two liberties; playing the first leaves a k-stone chain in atari. */
  function selfAtariBoard(k: number): Board {
    const rows = Array.from({ length: 13 }, () => '.'.repeat(13).split(''));
    for (let c = 0; c < k - 1; c++) rows[0]![c] = 'X';
    for (let c = 0; c <= k; c++) rows[1]![c] = 'O';
    rows[0]![k + 1] = 'O';
    return fromRows(rows.map((r) => r.join('')));
  }
  const cols = 'ABCDEFGHJKLMN';

  it('gives the size of the chain left in atari: 7, 8, 9 stones in planes 34, 35, 35', () => {
    for (const [k, i] of [
      [1, 0],
      [7, 6],
      [8, 7],
      [9, 7],
    ] as const) {
      const b = selfAtariBoard(k);
      const p = `${cols[k - 1]}13`;
      const after = b.clone();
      after.play(at(b, p));
      expect(after.groupSize(at(b, p))).toBe(k);
      expect(after.liberties(at(b, p))).toBe(1);
      const planes = planesAt(b, p);
      // The next group (liberties after) legitimately starts with a 1 here: the chain has one liberty.
      expect(planes.slice(A.selfAtari, A.selfAtari + 16), `size ${k}`).toEqual([...hot8(i), ...hot8(0)]);
    }
  });

  it('counts liberties after the move: 7, 8, 9 around a line, and freed points after a capture', () => {
    const b = fromRows([
      '.........',
      '.........',
      '.........',
      '...O.....',
      '...XXX...',
      '.........',
      '.........',
      '.........',
      '.........',
    ]);
    // D5-F5 with white on D6; E4 makes a T with 7 liberties, D4 an L with 8, G5 a line with 9.
    for (const [v, libs] of [
      ['E4', 7],
      ['D4', 8],
      ['G5', 9],
      ['A1', 2],
      ['B2', 4],
    ] as const) {
      const after = b.clone();
      after.play(at(b, v));
      expect(after.liberties(at(b, v)), v).toBe(libs);
      expect(planesAt(b, v).slice(A.libertiesAfter, A.libertiesAfter + 9), v).toEqual([
        ...hot8(Math.min(libs, 8) - 1),
        0,
      ]);
    }
    // Black C3 captures B4-B2 and joins C4 and C2: the freed B4, B3, B2 all touch the new chain,
    // which has C5, D4, D3, D2, C1 besides: 8 liberties.
    const c = fromRows(['.X...', 'XOX..', 'XO...', 'XOX..', '.X...']);
    const after = c.clone();
    expect(after.play(at(c, 'C3'))).toHaveLength(3);
    expect(after.liberties(at(c, 'C3'))).toBe(8);
    expect(group8(planesAt(c, 'C3'), A.libertiesAfter)).toEqual(hot8(7));
    expect(group8(planesAt(c, 'C3'), A.captureSize)).toEqual(hot8(3));
  });
});

describe('ladders (planes 44, 45)', () => {
  const board = (rows: string[], toPlay: Player): Board => fromRows(rows, toPlay);
  // White E5 has two liberties (E4, F5); black D5, E6, F4 around it.
  const open = [
    '.........',
    '.........',
    '.........',
    '....X....',
    '...XO....',
    '.....X...',
    '.........',
    '.........',
    '.........',
  ];

  it('marks moves that start a working ladder, and not one that runs into a breaker', () => {
    const b = board(open, BLACK);
    expect(planesAt(b, 'F5')[A.ladderCapture]).toBe(1); // chases white down-left to the edge
    expect(planesAt(b, 'E4')[A.ladderCapture]).toBe(1); // chases it up-right
    expect(planesAt(b, 'D4')[A.ladderCapture]).toBe(0); // not an atari
    const broken = [...open];
    broken[2] = '......O..'; // a white breaker at G7 on the up-right path
    const c = board(broken, BLACK);
    expect(planesAt(c, 'E4')[A.ladderCapture]).toBe(0);
    expect(planesAt(c, 'F5')[A.ladderCapture]).toBe(1);
  });

  it('marks the extension that escapes only when a breaker waits', () => {
    const inAtari = [
      '.........',
      '.........',
      '.........',
      '....X....',
      '...XOX...',
      '.....X...',
      '.........',
      '.........',
      '.........',
    ];
    const b = board(inAtari, WHITE);
    expect(planesAt(b, 'E4')[A.ladderEscape]).toBe(0);
    const withBreaker = [...inAtari];
    withBreaker[7] = '..O......'; // white C2 on the down-left path
    const c = board(withBreaker, WHITE);
    expect(planesAt(c, 'E4')[A.ladderEscape]).toBe(1);
    expect(planesAt(c, 'D4')[A.ladderEscape]).toBe(0);
  });
});

describe('sensibleness (plane 46)', () => {
  it('is set on legal moves that do not fill an own eye', () => {
    const b = fromRows(['.X.X.', 'XXXXX', '.....', '.....', '.....']);
    expect(planesAt(b, 'A5')[A.sensibleness]).toBe(0); // own eye
    expect(planesAt(b, 'C5')[A.sensibleness]).toBe(0);
    expect(planesAt(b, 'C3')[A.sensibleness]).toBe(1);
    const w = fromRows(['.X.X.', 'XXXXX', '.....', '.....', '.....'], WHITE);
    expect(planesAt(w, 'A5')[A.sensibleness]).toBe(0); // suicide for white: illegal
    expect(planesAt(w, 'C3')[A.sensibleness]).toBe(1);
  });
});

describe('move planes agree with playing the move', () => {
  it('on every empty point of random positions', () => {
    const rng = new Rng(3);
    let checked = 0;
    for (let g = 0; g < 12; g++) {
      const b = new Board(9);
      for (let n = 0; n < 60 + rng.int(40); n++) {
        const legal = b.legalMoves().filter((p) => !b.isEye(p, b.toPlay));
        b.play(legal.length ? legal[rng.int(legal.length)]! : PASS);
      }
      const buf = encodeBoard(b, 'alphago');
      for (let p = 0; p < b.area; p++) {
        if (b.cells[p] !== EMPTY) continue;
        const planes = Array.from(buf.subarray(p * 48, p * 48 + 48));
        const legal = b.isLegalSimple(p, b.toPlay);
        if (!legal) {
          expect(planes.slice(A.captureSize, A.zeros)).toEqual(zeros(A.zeros - A.captureSize));
          continue;
        }
        const after = b.clone();
        const captured = after.play(p).length;
        const libs = after.liberties(p);
        expect(group8(planes, A.captureSize)).toEqual(hot8(Math.min(captured, 7)));
        expect(group8(planes, A.libertiesAfter)).toEqual(hot8(Math.min(libs, 8) - 1));
        expect(group8(planes, A.selfAtari)).toEqual(libs === 1 ? hot8(Math.min(after.groupSize(p), 8) - 1) : zeros(8));
        expect(planes[A.sensibleness]).toBe(b.isEye(p, b.toPlay) ? 0 : 1);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(200);
  });
});

describe('symmetries', () => {
  const n = 9;
  const moves = ['C3', 'D7', 'E5', 'F5', 'E4', 'F4', 'E6', 'F6', 'D5', 'G7', 'F3', 'G4', 'B8', 'H2'];

  it('are permutations whose inverses undo them', () => {
    for (let s = 0; s < SYMMETRIES; s++) {
      const t = symmetryTable(s, n);
      expect(new Set(t).size).toBe(n * n);
      const inv = symmetryTable(inverseSymmetry(s as Symmetry), n);
      for (let p = 0; p < n * n; p++) expect(inv[t[p]!]).toBe(p);
    }
    // rot90 turns the top-left corner into the top-right one; flip-lr mirrors columns.
    expect(transformMove(parseVertex('A9', 9), 1, 9)).toBe(parseVertex('J9', 9));
    expect(transformMove(parseVertex('C3', 9), 4, 9)).toBe(parseVertex('G3', 9));
    expect(transformMove(PASS, 3, 9)).toBe(PASS);
    // All 8 images of an asymmetric point are different.
    expect(new Set(Array.from({ length: 8 }, (_, s) => transformMove(parseVertex('B3', 9), s, 9))).size).toBe(8);
  });

  it('transform the position then encode == encode then transform the planes, for all 48 planes', () => {
    const b = fromMoves(n, moves);
    const planes = encodeBoard(b, 'alphago');
    for (let s = 0; s < SYMMETRIES; s++) {
      const t = new Board(n);
      for (const m of b.history) t.play(transformMove(m.move, s, n), m.colour);
      const direct = encodeBoard(t, 'alphago');
      const mapped = transformPlanes(planes, s, n, 48, new Uint8Array(planes.length));
      expect(Array.from(mapped), `symmetry ${s}`).toEqual(Array.from(direct));
      // And back again.
      const back = transformPlanes(mapped, inverseSymmetry(s as Symmetry), n, 48, new Uint8Array(planes.length));
      expect(Array.from(back)).toEqual(Array.from(planes));
    }
  });
});
