// The guards over the policy (src/play/tactics.ts, src/play/endgame.ts) on hand-built small boards.
import { describe, expect, it } from 'vitest';
import { BLACK, PASS, WHITE, emptyRegions, isLadderCapture } from '../src/board/index.js';
import { chooseMove } from '../src/play/engine.js';
import { gainsNothing, opponentJustPassed } from '../src/play/endgame.js';
import { isSelfAtari, urgentMoves } from '../src/play/tactics.js';
import { ladderMoves } from '../src/experiments/ladder-tactics.js';
import { fromRows } from './positions.js';

/** A policy that prefers `favourite` and spreads a little on every other point. */
function prefer(area: number, favourite: number): Float32Array {
  const p = new Float32Array(area).fill(0.001);
  p[favourite] = 0.9;
  return p;
}

/** Two white stones in atari, their last liberty at (2, 3): a capture for black, an escape for white. */
function twoWhiteInAtari() {
  return fromRows(['.......', '.XX....', 'XOO....', '.XX....', '.......', '.......', '.......']);
}

describe('urgentMoves', () => {
  it('finds the capture of an opponent chain in atari, with its size', () => {
    const b = twoWhiteInAtari();
    expect(urgentMoves(b, BLACK)).toEqual([{ move: b.point(2, 3), stones: 2, kind: 'capture' }]);
    // For white the same point is an escape: extending gives the two stones three liberties.
    expect(urgentMoves(b, WHITE)).toEqual([{ move: b.point(2, 3), stones: 2, kind: 'escape' }]);
  });

  it('does not call an escape urgent when running leaves the chain in atari', () => {
    const b = fromRows(['..O....', 'OX.O...', '.O.....', '.......', '.......', '.......', '.......']);
    expect(b.liberties(b.point(1, 1))).toBe(2);
    b.setup(WHITE, [b.point(0, 1)]);
    expect(b.liberties(b.point(1, 1))).toBe(1);
    // Extending to (1,2) gives a two-stone chain with one liberty, (2,2): caught.
    expect(urgentMoves(b, BLACK)).toEqual([]);
  });

  it('calls an escape urgent when the run reaches open space', () => {
    const c = fromRows(['.......', '..O....', '.OXO...', '.......', '.......', '.......', '.......']);
    expect(urgentMoves(c, BLACK)).toEqual([{ move: c.point(3, 2), stones: 1, kind: 'escape' }]);
  });
});

describe('isSelfAtari', () => {
  it('rejects a move that leaves two or more own stones with one liberty, unless it captures', () => {
    // Joining the corner stone at (0,1) with white on (0,2): the two stones keep only (1,1).
    const c = fromRows(['X.O..', 'O....', '.....', '.....', '.....']);
    expect(isSelfAtari(c, c.point(0, 1), BLACK)).toBe(true);
    // Without the white stone on (0,2) the pair has two liberties.
    const b = fromRows(['X....', 'O....', '.....', '.....', '.....']);
    expect(isSelfAtari(b, b.point(0, 1), BLACK)).toBe(false);
    // A lone stone in atari (a throw-in) is not what this guards against.
    const d = fromRows(['.O...', '.....', '.....', '.....', '.....']);
    expect(isSelfAtari(d, d.point(0, 0), BLACK)).toBe(false);
    // Connecting into atari while capturing the white stone at (0,2) is allowed.
    const e = fromRows(['X.OX.', 'OOX..', '.....', '.....', '.....']);
    expect(isSelfAtari(e, e.point(0, 1), BLACK)).toBe(false);
  });
});

describe('endgame', () => {
  const rows = ['.X.O.', 'XX.OO', '...O.', 'XXXO.', '..XO.'];

  it('finds empty regions and their borders', () => {
    const b = fromRows(rows);
    const r = emptyRegions(b);
    expect(r.borders[r.id[b.point(0, 0)]!]).toBe(BLACK);
    expect(r.size[r.id[b.point(0, 0)]!]).toBe(1);
    expect(r.borders[r.id[b.point(0, 4)]!]).toBe(WHITE);
    expect(r.borders[r.id[b.point(1, 2)]!]).toBe(BLACK | WHITE);
    expect(r.id[b.point(0, 1)]).toBe(-1);
  });

  it('never fills small own eye space; leaves open boundaries and the opponent area alone until a pass', () => {
    const b = fromRows(rows);
    const r = emptyRegions(b);
    expect(gainsNothing(b, r, b.point(0, 0), BLACK, false)).toBe(true); // a one-point eye
    expect(gainsNothing(b, r, b.point(4, 0), BLACK, false)).toBe(true); // two-point eye space
    expect(gainsNothing(b, r, b.point(1, 2), BLACK, false)).toBe(false); // contested
    expect(gainsNothing(b, r, b.point(1, 2), BLACK, true)).toBe(false); // still contested after a pass
    expect(gainsNothing(b, r, b.point(2, 4), BLACK, false)).toBe(false); // white's area: an invasion is the policy's call
    expect(gainsNothing(b, r, b.point(2, 4), BLACK, true)).toBe(true); // not after white passed
  });

  it('keeps a single large own region playable (it may be the only eye) until the opponent passes', () => {
    const b = fromRows(['...X.', '...X.', '...XO', 'XXXXO', 'OOOOO']);
    const r = emptyRegions(b);
    expect(gainsNothing(b, r, b.point(1, 1), BLACK, false)).toBe(false);
    expect(gainsNothing(b, r, b.point(1, 1), BLACK, true)).toBe(true);
  });

  it('treats a region as filler when every chain around it has a second eye', () => {
    const b = fromRows(['.X..X', 'XX.XX', 'XXXX.', 'OOOXX', '.O.OO']);
    const r = emptyRegions(b);
    // The three-point region at the top: the one black chain around it also has the eyes (0,0) and (2,4).
    expect(gainsNothing(b, r, b.point(0, 2), BLACK, false)).toBe(true);
  });

  it('knows when the opponent has just passed', () => {
    const b = fromRows(['.....', '.....', '.....', '.....', '.....']);
    expect(opponentJustPassed(b, BLACK)).toBe(false);
    b.play(PASS, WHITE);
    expect(opponentJustPassed(b, BLACK)).toBe(true);
    expect(opponentJustPassed(b, WHITE)).toBe(false);
  });
});

describe('chooseMove with the guards', () => {
  it('takes stones in atari before the policy favourite, and not with tactics off', () => {
    const b = twoWhiteInAtari();
    const probs = prefer(b.area, b.point(5, 5));
    expect(chooseMove(b, BLACK, probs, 0, Math.random).move).toBe(b.point(2, 3));
    expect(chooseMove(b, BLACK, probs, 0, Math.random, { tactics: false }).move).toBe(b.point(5, 5));
  });

  it('passes after the opponent passes when only own territory and the opponent area are left', () => {
    const b = fromRows(['..XO.', '..XO.', '..XO.', '..XO.', '..XO.']);
    b.play(PASS, WHITE);
    b.toPlay = BLACK;
    const probs = prefer(b.area, b.point(2, 1));
    expect(chooseMove(b, BLACK, probs, 0, Math.random).move).toBe(PASS);
    expect(chooseMove(b, BLACK, probs, 1, Math.random).move).toBe(PASS);
    // Without the end-game guard the net fills its own territory.
    expect(chooseMove(b, BLACK, probs, 0, Math.random, { endgame: false }).move).toBe(b.point(2, 1));
  });
});

describe('urgentMoves with the ladder experiment (ladderMoves)', () => {
  // White's two stones have two liberties, (2,4) and (3,3); black's atari at (2,4) drives them down a
  // ladder to the bottom-right edge with no breaker on the way.
  const rows = [
    '.........',
    '..XX.....',
    '.XOO.....',
    '..X......',
    '.........',
    '.........',
    '.........',
    '.........',
    '.........',
  ];

  it('starts a ladder that catches two stones, and only with the experiment on', () => {
    const b = fromRows(rows);
    expect(isLadderCapture(b, b.point(2, 4), BLACK)).toBe(true);
    expect(urgentMoves(b, BLACK, ladderMoves)).toContainEqual({ move: b.point(2, 4), stones: 2, kind: 'ladder' });
    expect(urgentMoves(b, BLACK)).toEqual([]); // off unless asked for
    expect(chooseMove(b, BLACK, new Float32Array(81), 0, Math.random, { extraUrgent: ladderMoves }).move).toBe(
      b.point(2, 4),
    );
  });

  it('runs from the same ladder when the threatened stones are ours', () => {
    const b = fromRows(rows, WHITE);
    const escapes = urgentMoves(b, WHITE, ladderMoves).filter((u) => u.kind === 'escape');
    expect(escapes.length).toBeGreaterThan(0);
    for (const u of escapes) {
      b.play(u.move, WHITE);
      expect(b.liberties(b.point(2, 2))).toBeGreaterThanOrEqual(3);
      b.undo();
    }
  });
});
