// Counting a finished game with dead stones: the playouts' ownership says which chains die (their
// points end up the opponent's in most playouts); those are taken off and the rest counted by area.
// Seki is read from the board instead: a playout goes on until neither side has a move left, so at its
// end one side must fill a shared liberty of a seki and loses its chain, and which side that is depends
// on who is to move, not on the position.
import { BLACK, Board, EMPTY, WHITE, emptyRegions, score, type Player, type Score } from '../board/index.js';

/** Roots of the chains whose stones end up the opponent's in most playouts (mean ownership against them). */
function ownershipDead(board: Board, ownership: Float32Array): number[] {
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

/** `board`'s stones less the chains rooted at `off`, or null if that leaves a chain without a liberty. */
function without(board: Board, off: readonly number[]): Board | null {
  const gone = new Set(off.flatMap((h) => board.chainStones(h)));
  const out = new Board(board.size);
  const black: number[] = [];
  const white: number[] = [];
  for (let p = 0; p < board.area; p++) {
    if (gone.has(p)) continue;
    if (board.cells[p] === BLACK) black.push(p);
    else if (board.cells[p] === WHITE) white.push(p);
  }
  try {
    if (black.length) out.setup(BLACK, black);
    if (white.length) out.setup(WHITE, white);
  } catch {
    return null;
  }
  return out;
}

/** Whether `colour` can fill the empty point p without leaving its own chain in atari (a capture always can). */
function canFill(board: Board, p: number, colour: Player): boolean {
  if (!board.isLegalSimple(p, colour)) return false;
  const { nbr, nbrCount } = board.geo;
  for (let i = 0; i < nbrCount[p]!; i++) {
    const q = nbr[4 * p + i]!;
    if (board.cells[q] === 3 - colour && board.libCount[board.head[q]!] === 1) return true;
  }
  board.tryMove(p, colour);
  const libs = board.libCount[board.head[p]!]!;
  board.undoTry();
  return libs >= 2;
}

/**
 * Roots of the chains in seki on `board` as it stands. A shared liberty is an empty point in a region
 * that touches both colours where neither colour can play without putting its own chain in atari
 * (capturing nothing). A chain is in seki when it has two or more liberties, each either shared or in a
 * region that only its own colour touches (an eye), and one of its shared liberties is also a liberty
 * of an opponent chain in seki: neither side can approach the other.
 */
export function sekiChains(board: Board): number[] {
  const regions = emptyRegions(board);
  const shared = new Map<number, boolean>();
  const isShared = (p: number): boolean => {
    let v = shared.get(p);
    if (v === undefined) {
      v = regions.borders[regions.id[p]!] === (BLACK | WHITE) && !canFill(board, p, BLACK) && !canFill(board, p, WHITE);
      shared.set(p, v);
    }
    return v;
  };
  const candidates = new Map<number, number[]>();
  for (let h = 0; h < board.area; h++) {
    const colour = board.cells[h]!;
    if (colour === EMPTY || board.head[h] !== h) continue;
    const libs = board.libertyPoints(h);
    if (libs.length < 2) continue;
    const sharedLibs = libs.filter(isShared);
    if (sharedLibs.length === 0) continue;
    if (libs.every((l) => isShared(l) || regions.borders[regions.id[l]!] === colour)) candidates.set(h, sharedLibs);
  }
  const { nbr, nbrCount } = board.geo;
  const seki: number[] = [];
  for (const [h, libs] of candidates) {
    const other = 3 - board.cells[h]!;
    const facing = libs.some((l) => {
      for (let i = 0; i < nbrCount[l]!; i++) {
        const q = nbr[4 * l + i]!;
        if (board.cells[q] === other && candidates.has(board.head[q]!)) return true;
      }
      return false;
    });
    if (facing) seki.push(h);
  }
  return seki;
}

/** Roots of the dead chains: those the playouts' ownership gives to the opponent, less those in seki. */
export function deadChains(board: Board, ownership: Float32Array): number[] {
  const seki = new Set(sekiChains(board));
  return ownershipDead(board, ownership).filter((h) => !seki.has(h));
}

/** The stones of the chains in seki, ascending. */
export function sekiStones(board: Board): number[] {
  return sekiChains(board)
    .flatMap((h) => board.chainStones(h))
    .sort((a, b) => a - b);
}

/** The points of the dead stones, ascending. */
export function deadStones(board: Board, ownership: Float32Array): number[] {
  return deadChains(board, ownership)
    .flatMap((h) => board.chainStones(h))
    .sort((a, b) => a - b);
}

/**
 * Area score with the dead stones taken off: the live stones (those in seki included) plus the empty
 * regions bordered by one colour only (the dead stones' points join the region around them); regions
 * touching both are dame, the shared liberties of a seki among them.
 */
export function scoreWithDead(board: Board, ownership: Float32Array, komi: number): Score & { dead: number[] } {
  const deadHeads = deadChains(board, ownership);
  const alive = without(board, deadHeads);
  // Live stones without a liberty cannot happen after a real game; count the board as it is then.
  if (!alive) return { ...score(board, komi, 'area'), dead: [] };
  const dead = deadHeads.flatMap((h) => board.chainStones(h)).sort((a, b) => a - b);
  return { ...score(alive, komi, 'area'), dead };
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
