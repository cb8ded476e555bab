// A tactical guard over the policy: the moves a beginner is taught never to miss (take the stones that
// are in atari, save your own stones from atari when they can run) and the one never to play (atari on
// yourself). A 5-layer net sees liberties only as input planes and misses these often; GNU Go does not.
import { isLadderEscape, type Board, type Player } from '../board/index.js';

export interface UrgentMove {
  move: number;
  /** Stones taken (a capture) or saved (an escape). */
  stones: number;
  kind: 'capture' | 'escape' | 'ladder';
}

/** Roots of the chains of `colour` that have exactly `libs` liberties. */
export function chainsWith(board: Board, colour: Player, libs: number): number[] {
  const roots: number[] = [];
  for (let p = 0; p < board.area; p++) {
    if (board.cells[p] === colour && board.head[p] === p && board.libCount[p] === libs) roots.push(p);
  }
  return roots;
}

/**
 * Captures of opponent chains in atari, and escapes that save one of `player`'s chains in atari (by
 * extending or by capturing a neighbour, checked with the ladder reader so a chain that would only be
 * caught again is not "saved"). Legal moves only (simple ko; the caller checks superko). One entry per
 * move, with the most stones at stake; `more` (an experiment's extra moves) are merged in the same way.
 */
export function urgentMoves(
  board: Board,
  player: Player,
  more?: (board: Board, player: Player) => UrgentMove[],
): UrgentMove[] {
  const found = new Map<number, UrgentMove>();
  const add = (u: UrgentMove): void => {
    const had = found.get(u.move);
    if (!had || had.stones < u.stones) found.set(u.move, u);
  };
  const other = (3 - player) as Player;
  for (const h of chainsWith(board, other, 1)) {
    const lib = board.libertyPoints(h)[0]!;
    if (board.isLegalSimple(lib, player)) add({ move: lib, stones: board.chainSize[h]!, kind: 'capture' });
  }
  for (const h of chainsWith(board, player, 1)) {
    for (const m of rescuePoints(board, h)) {
      if (isLadderEscape(board, m, player)) add({ move: m, stones: board.chainSize[h]!, kind: 'escape' });
    }
  }
  if (more) for (const u of more(board, player)) add(u);
  return [...found.values()];
}

/** The chain's liberty and the liberties of the opponent chains in atari that touch it. */
function rescuePoints(board: Board, h: number): number[] {
  const { cells, head, libCount } = board;
  const { nbr, nbrCount } = board.geo;
  const own = cells[h]!;
  const points = board.libertyPoints(h);
  for (const s of board.chainStones(h)) {
    for (let i = 0; i < nbrCount[s]!; i++) {
      const q = nbr[4 * s + i]!;
      if (cells[q] !== 0 && cells[q] !== own && libCount[head[q]!] === 1) {
        const lib = board.libertyPoints(q)[0]!;
        if (!points.includes(lib)) points.push(lib);
      }
    }
  }
  return points;
}

/**
 * Would `player` at p put a chain of two or more of its own stones in atari without capturing anything?
 * (A single stone in atari can be a sacrifice or a throw-in; a larger chain almost never is.)
 */
export function isSelfAtari(board: Board, p: number, player: Player): boolean {
  const { cells, head, libCount } = board;
  const { nbr, nbrCount } = board.geo;
  let ownNeighbour = false;
  let freeLibs = 0;
  for (let i = 0; i < nbrCount[p]!; i++) {
    const q = nbr[4 * p + i]!;
    const c = cells[q];
    if (c === 0) freeLibs++;
    else if (c === player) ownNeighbour = true;
    else if (libCount[head[q]!] === 1) return false; // captures
  }
  // A lone stone, or two empty neighbours of its own: never a multi-stone atari.
  if (!ownNeighbour || freeLibs >= 2) return false;
  board.tryMove(p, player);
  const h = board.head[p]!;
  const atari = board.libCount[h] === 1 && board.chainSize[h]! >= 2;
  board.undoTry();
  return atari;
}
