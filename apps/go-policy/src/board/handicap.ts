// Fixed handicap placement as GTP's fixed_handicap defines it (the same points GNU Go uses).
import { checkSize } from './geometry.js';

/** Most fixed handicap stones a board of `size` takes: 9 on odd boards from 9x9, 4 on 7x7 and even ones, 0 below 7. */
export function maxHandicap(size: number): number {
  checkSize(size);
  if (size < 7) return 0;
  return size % 2 === 1 && size > 7 ? 9 : 4;
}

/** The points of `stones` fixed handicap stones (2..maxHandicap(size)), in GTP's order. */
export function fixedHandicap(size: number, stones: number): number[] {
  const max = maxHandicap(size);
  if (!Number.isInteger(stones) || stones < 2 || stones > max) {
    throw new RangeError(`fixed handicap on ${size}x${size} takes 2 to ${max} stones, got ${stones}`);
  }
  const e = size >= 13 ? 3 : 2;
  const f = size - 1 - e;
  const m = (size - 1) / 2;
  const at = (row: number, col: number): number => row * size + col;
  // Rows count from the top: "D4" is the bottom-left star point (row f, column e).
  const corners = [at(f, e), at(e, f), at(e, e), at(f, f)];
  const sides = [at(m, e), at(m, f)];
  const tops = [at(f, m), at(e, m)];
  const centre = at(m, m);
  switch (stones) {
    case 2:
      return corners.slice(0, 2);
    case 3:
      return corners.slice(0, 3);
    case 4:
      return corners;
    case 5:
      return [...corners, centre];
    case 6:
      return [...corners, ...sides];
    case 7:
      return [...corners, ...sides, centre];
    case 8:
      return [...corners, ...sides, ...tops];
    default:
      return [...corners, ...sides, ...tops, centre];
  }
}
