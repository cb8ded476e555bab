import { describe, expect, it } from 'vitest';
import { Rng } from '@cnn-lab/core';
import { BLACK, Board, PASS, WHITE, isLadderCapture, isLadderEscape, parseVertex } from '../src/board/index.js';
import { fromRows } from './positions.js';

const where = (b: Board, f: (b: Board, p: number) => boolean): string[] => {
  const out: string[] = [];
  for (let p = 0; p < b.area; p++) if (f(b, p)) out.push(b.label(p));
  return out;
};

/** 19x19 with white K10 between black J10, K11 and L9: black to play starts ladders. */
function centre(extra: (rows: string[][]) => void = () => {}): Board {
  const rows = Array.from({ length: 19 }, () => '.'.repeat(19).split(''));
  rows[9]![9] = 'O'; // K10
  rows[9]![8] = 'X'; // J10
  rows[8]![9] = 'X'; // K11
  rows[10]![10] = 'X'; // L9
  extra(rows);
  return fromRows(
    rows.map((r) => r.join('')),
    BLACK,
  );
}

describe('ladder reading', () => {
  it('reads a ladder across a 19x19 board to the edge, both directions', () => {
    const b = centre();
    expect(where(b, (x, p) => isLadderCapture(x, p))).toEqual(['L10', 'K9']); // point order: L10 is on a higher row
  });

  it('stops at a breaker far along the path', () => {
    // A white stone on the up-right diagonal, six lines away, breaks the ladder started at K9.
    const b = centre((rows) => (rows[3]![15] = 'O')); // Q16
    expect(where(b, (x, p) => isLadderCapture(x, p))).toEqual(['L10']);
  });

  it('counts capturing a hunter stone in atari as a way out', () => {
    // White C4-C3 is in atari (liberty C5); black C2 is in atari too (liberty C1).
    const b = fromRows(['.....', '.XOX.', '.XOX.', '.OXO.', '.....'], WHITE);
    expect(b.libertyPoints(parseVertex('C3', 5)).map((p) => b.label(p))).toEqual(['C5']);
    expect(where(b, (x, p) => isLadderEscape(x, p))).toContain('C1');
    expect(where(b, (x, p) => isLadderCapture(x, p))).toEqual([]);
  });

  it('bounds the reading depth: a ladder still running at the bound counts as working', () => {
    const rows = [
      '.........',
      '.........',
      '.........',
      '....X....',
      '...XOX...',
      '.....X...',
      '.........',
      '..O......',
      '.........',
    ];
    const b = fromRows(rows, WHITE);
    expect(isLadderEscape(b, parseVertex('E4', 9))).toBe(true); // the breaker at C2 saves it
    expect(isLadderEscape(b, parseVertex('E4', 9), WHITE, 3)).toBe(false); // not seen within 3 plies
  });

  it('is false on illegal points and where no chain is involved', () => {
    const b = centre();
    expect(isLadderCapture(b, parseVertex('K10', 19))).toBe(false); // occupied
    expect(isLadderCapture(b, parseVertex('A1', 19))).toBe(false);
    expect(isLadderEscape(b, parseVertex('A1', 19))).toBe(false);
  });

  it('leaves the board exactly as it found it (trial moves are all taken back)', () => {
    const rng = new Rng(5);
    let reads = 0;
    for (let g = 0; g < 6; g++) {
      const b = new Board(13);
      for (let n = 0; n < 120; n++) {
        const legal = b.legalMoves().filter((p) => !b.isEye(p, b.toPlay));
        b.play(legal.length ? legal[rng.int(legal.length)]! : PASS);
        if (n % 10 !== 9) continue;
        const before = b.clone();
        for (let p = 0; p < b.area; p++) {
          if (isLadderCapture(b, p) || isLadderEscape(b, p)) reads++;
        }
        expect(Array.from(b.cells)).toEqual(Array.from(before.cells));
        expect(b.hash).toBe(before.hash);
        expect(b.koPoint).toBe(before.koPoint);
        for (let p = 0; p < b.area; p++) {
          expect(b.liberties(p)).toBe(before.liberties(p));
          expect(b.groupSize(p)).toBe(before.groupSize(p));
          expect(b.chainStones(p).sort()).toEqual(before.chainStones(p).sort());
          expect(b.libertyPoints(p)).toEqual(before.libertyPoints(p));
          expect(b.turnsSince(p)).toBe(before.turnsSince(p));
        }
      }
    }
    expect(reads).toBeGreaterThan(10);
  });
});
