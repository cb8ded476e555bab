// Test fixtures shared by the board, ladder and feature tests.
import { BLACK, Board, WHITE } from '../src/board/index.js';
import type { Player } from '../src/board/index.js';

/** A position from rows of text (X black, O white, . empty; row 0 at the top; spaces ignored) as setup stones. */
export function fromRows(rows: string[], toPlay: Player = BLACK): Board {
  const n = rows.length;
  const b = new Board(n);
  const black: number[] = [];
  const white: number[] = [];
  rows.forEach((row, r) =>
    row
      .replace(/\s/g, '')
      .split('')
      .forEach((ch, c) => {
        if (ch === 'X') black.push(r * n + c);
        if (ch === 'O') white.push(r * n + c);
      }),
  );
  if (black.length) b.setup(BLACK, black);
  if (white.length) b.setup(WHITE, white);
  b.toPlay = toPlay;
  return b;
}
