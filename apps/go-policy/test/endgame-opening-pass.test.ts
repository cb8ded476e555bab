// The end-game guard after an opponent's pass on a board that is not divided yet: one black stone, White passes.
// Passing then (B+354.5 by area) is not the end of a game but a degenerate opening; the guard must leave the
// board to the policy.
import { describe, expect, it } from 'vitest';
import { BLACK, Board, PASS, WHITE, emptyRegions } from '../src/board/index.js';
import { gainsNothing } from '../src/play/endgame.js';
import { chooseMove } from '../src/play/engine.js';

describe('the end-game guard on an undivided board', () => {
  it('does not pass after White passes with one black stone on the board', () => {
    const b = new Board(19);
    b.play(b.point(3, 15), BLACK);
    b.play(PASS, WHITE);
    b.toPlay = BLACK;
    const probs = new Float32Array(b.area).fill(0.001);
    probs[b.point(15, 3)] = 0.9;
    const r = emptyRegions(b);
    expect(gainsNothing(b, r, b.point(15, 3), BLACK, true)).toBe(false);
    const choice = chooseMove(b, BLACK, probs, 0, Math.random);
    expect(choice.move).toBe(b.point(15, 3));
  });

  it('still passes once the stones divide the board and the opponent has passed', () => {
    const b = new Board(19);
    for (let row = 0; row < 19; row++) {
      b.play(b.point(row, 9), BLACK);
      b.play(b.point(row, 10), WHITE);
    }
    b.play(PASS, WHITE);
    b.toPlay = BLACK;
    const probs = new Float32Array(b.area).fill(0.001);
    probs[b.point(5, 3)] = 0.9;
    expect(chooseMove(b, BLACK, probs, 0, Math.random).move).toBe(PASS);
  });
});
