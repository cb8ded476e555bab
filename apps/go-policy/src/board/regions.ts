// The board's empty regions and the colours around them: what territory counting and end-game move
// choice both read.
import { EMPTY, type Board } from './board.js';

export interface Regions {
  /** Region index of each empty point, -1 on stones. */
  readonly id: Int32Array;
  /** Points in each region. */
  readonly size: number[];
  /** Colours touching each region: a mask of BLACK (1) and WHITE (2); 0 for an empty board. */
  readonly borders: number[];
}

/** The board's empty regions (maximal sets of orthogonally connected empty points) and who borders them. */
export function emptyRegions(board: Board): Regions {
  const { cells, area } = board;
  const { nbr, nbrCount } = board.geo;
  const id = new Int32Array(area).fill(-1);
  const size: number[] = [];
  const borders: number[] = [];
  const stack: number[] = [];
  for (let p = 0; p < area; p++) {
    if (cells[p] !== EMPTY || id[p] !== -1) continue;
    const r = size.length;
    let n = 0;
    let touches = 0;
    id[p] = r;
    stack.push(p);
    while (stack.length > 0) {
      const q = stack.pop()!;
      n++;
      for (let i = 0; i < nbrCount[q]!; i++) {
        const s = nbr[4 * q + i]!;
        const c = cells[s]!;
        if (c !== EMPTY) touches |= c;
        else if (id[s] === -1) {
          id[s] = r;
          stack.push(s);
        }
      }
    }
    size.push(n);
    borders.push(touches);
  }
  return { id, size, borders };
}
