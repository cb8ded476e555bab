// Counting a finished game with dead stones: the playouts' ownership says which chains die (their
// points end up the opponent's in most playouts); those are taken off and the rest counted by area.
import { BLACK, Board, EMPTY, WHITE, score, type Score } from '../board/index.js';

/** Roots of the chains whose stones end up the opponent's in most playouts (mean ownership against them). */
export function deadChains(board: Board, ownership: Float32Array): number[] {
  const dead: number[] = [];
  for (let p = 0; p < board.area; p++) {
    const c = board.cells[p];
    if (c === EMPTY || board.head[p] !== p) continue;
    const sign = c === BLACK ? 1 : -1;
    let sum = 0;
    const stones = board.chainStones(p);
    for (const s of stones) sum += ownership[s]! * sign;
    if (sum / stones.length < 0) dead.push(p);
  }
  return dead;
}

/** The points of the dead stones, ascending. */
export function deadStones(board: Board, ownership: Float32Array): number[] {
  return deadChains(board, ownership)
    .flatMap((h) => board.chainStones(h))
    .sort((a, b) => a - b);
}

/**
 * Area score with the dead stones taken off: the live stones plus the empty regions bordered by one
 * colour only (the dead stones' points join the region around them); regions touching both are dame.
 */
export function scoreWithDead(board: Board, ownership: Float32Array, komi: number): Score & { dead: number[] } {
  const dead = new Set(deadStones(board, ownership));
  const alive = new Board(board.size);
  const black: number[] = [];
  const white: number[] = [];
  for (let p = 0; p < board.area; p++) {
    if (dead.has(p)) continue;
    if (board.cells[p] === BLACK) black.push(p);
    else if (board.cells[p] === WHITE) white.push(p);
  }
  try {
    if (black.length) alive.setup(BLACK, black);
    if (white.length) alive.setup(WHITE, white);
  } catch {
    // Live stones without a liberty cannot happen after a real game; count the board as it is then.
    return { ...score(board, komi, 'area'), dead: [] };
  }
  return { ...score(alive, komi, 'area'), dead: [...dead] };
}

/**
 * Points (stones or empty) whose owner at the end is still open: |mean ownership| below `threshold`
 * (0.9: one side owns it in fewer than 95% of the playouts). None left means nothing to gain by playing.
 */
export function unsettledPoints(board: Board, ownership: Float32Array, threshold = 0.9): number[] {
  const out: number[] = [];
  for (let p = 0; p < board.area; p++) if (Math.abs(ownership[p]!) < threshold) out.push(p);
  return out;
}
