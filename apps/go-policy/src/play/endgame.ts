// Which moves gain nothing, judged from the empty regions of the board. A policy net trained on
// professional games never saw the end of a game played out (professionals stop before it), so near the
// end it happily fills its own territory until its groups lose their eyes, and after the opponent passes
// it keeps invading settled areas. This module names those moves so that move choice can skip them and
// pass when nothing else is left.
import { BLACK, WHITE, type Board, type Player, type Regions } from '../board/index.js';

/**
 * Own chains (their roots) touching region r, and whether every one of them also touches a second
 * region bordered by `player` alone: then r is one of at least two eyes of each, and filling it can
 * only take an eye away.
 */
function hasOtherEyes(board: Board, regions: Regions, r: number, player: Player): boolean {
  const { cells, head, next } = board;
  const { nbr, nbrCount } = board.geo;
  const roots = new Set<number>();
  for (let p = 0; p < board.area; p++) {
    if (regions.id[p] !== r) continue;
    for (let i = 0; i < nbrCount[p]!; i++) {
      const q = nbr[4 * p + i]!;
      if (cells[q] === player) roots.add(head[q]!);
    }
  }
  for (const h of roots) {
    let other = false;
    let s = h;
    do {
      for (let i = 0; i < nbrCount[s]! && !other; i++) {
        const e = regions.id[nbr[4 * s + i]!]!;
        if (e >= 0 && e !== r && regions.borders[e] === player) other = true;
      }
      s = next[s]!;
    } while (s !== h && !other);
    if (!other) return false;
  }
  return roots.size > 0;
}

/** Regions of this many points or fewer, bordered by one side only, are eye space, never territory to fill. */
export const SMALL_EYE = 2;

/**
 * Does `player` at empty point p gain nothing? True when p lies in a region bordered by `player` alone
 * (own territory or eye space) and the region is a small eye, or one of two or more eyes of every chain
 * around it, or the opponent has just passed and the board is divided into more than one region (the game is
 * over unless a move changes the count); and,
 * after the opponent's pass, also when p lies in a region bordered by the opponent alone (an invasion
 * the opponent has already judged dead). Tactics (captures, escapes from atari) are for the caller to
 * weigh first: this only looks at the shape of the empty regions.
 */
export function gainsNothing(
  board: Board,
  regions: Regions,
  p: number,
  player: Player,
  opponentPassed: boolean,
): boolean {
  const r = regions.id[p]!;
  if (r < 0) return false;
  const borders = regions.borders[r]!;
  if (borders === player) {
    // A pass ends the game only once the stones divide the board: one region holding every empty point (a
    // single black stone on an empty board, say) is still the opening, whoever passed, not territory.
    const divided = regions.size.length > 1;
    if ((opponentPassed && divided) || regions.size[r]! <= SMALL_EYE) return true;
    return hasOtherEyes(board, regions, r, player);
  }
  const other = player === BLACK ? WHITE : BLACK;
  return opponentPassed && borders === other;
}

/** Did the opponent of `player` pass on the last move? */
export function opponentJustPassed(board: Board, player: Player): boolean {
  const last = board.lastMove;
  return last !== undefined && last.move < 0 && last.colour !== player;
}
