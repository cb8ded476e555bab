// End-of-game scoring with every stone on the board counted as alive (no dead-stone judgement).
import { BLACK, WHITE } from './board.js';
import { emptyRegions } from './regions.js';
import type { Board, Player } from './board.js';

export type ScoringRule = 'area' | 'territory';

export interface Score {
  black: number;
  white: number;
  /** black - white, komi included. */
  margin: number;
  winner: Player | null;
  /** SGF style: "B+3.5", "W+0.5", "0" for a draw. */
  result: string;
}

/**
 * Empty regions reached by one colour only, as [black points, white points]; a region touching both
 * colours (or none) is neutral (dame).
 */
export function territory(board: Board): { black: number; white: number } {
  const { size, borders } = emptyRegions(board);
  let black = 0;
  let white = 0;
  for (let r = 0; r < size.length; r++) {
    if (borders[r] === BLACK) black += size[r]!;
    else if (borders[r] === WHITE) white += size[r]!;
  }
  return { black, white };
}

/** Area (Chinese) scoring: stones plus surrounded empty points; territory (Japanese): surrounded points plus prisoners. */
export function score(board: Board, komi: number, rule: ScoringRule = 'area'): Score {
  const t = territory(board);
  let black = t.black;
  let white = t.white + komi;
  if (rule === 'area') {
    for (let p = 0; p < board.area; p++) {
      if (board.cells[p] === BLACK) black++;
      else if (board.cells[p] === WHITE) white++;
    }
  } else {
    black += board.prisoners.black;
    white += board.prisoners.white;
  }
  const margin = black - white;
  const winner = margin > 0 ? BLACK : margin < 0 ? WHITE : null;
  const result = winner === null ? '0' : `${winner === BLACK ? 'B' : 'W'}+${Math.abs(margin)}`;
  return { black, white, margin, winner, result };
}
