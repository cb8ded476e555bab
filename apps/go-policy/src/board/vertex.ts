// GTP vertices ("D4", "pass"): columns A-T skipping I, row 1 at the bottom of the board.
import { COLUMNS, PASS } from './board.js';
import type { Move } from './board.js';

/** Parse a GTP vertex for a board of `size`; throws a RangeError naming the text otherwise. */
export function parseVertex(text: string, size: number): Move {
  const t = text.trim().toUpperCase();
  if (t === 'PASS') return PASS;
  const m = /^([A-HJ-T])(\d{1,2})$/.exec(t);
  const col = m ? COLUMNS.indexOf(m[1]!) : -1;
  const num = m ? Number(m[2]) : 0;
  if (!m || col >= size || num < 1 || num > size) {
    throw new RangeError(
      `"${text}" is not a vertex on a ${size}x${size} board (expected e.g. D4 or pass; there is no column I)`,
    );
  }
  return (size - num) * size + col;
}

export function formatVertex(move: Move, size: number): string {
  if (move === PASS) return 'pass';
  if (!Number.isInteger(move) || move < 0 || move >= size * size)
    throw new RangeError(`move ${move} is off a ${size}x${size} board`);
  return `${COLUMNS[move % size]}${size - Math.floor(move / size)}`;
}
