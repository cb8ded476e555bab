// Ladder reading as AlphaGo's features define it. A ladder is a forcing sequence: the hunter keeps the
// prey in atari, the prey extends from its one liberty (or captures a hunter chain in atari), until the
// prey has three or more liberties (escaped) or stays at one (captured). Reading is bounded by a depth
// in plies; a ladder still running at the bound counts as working for the hunter, because a ladder
// that long without reaching a breaker runs into the edge.
import type { Board } from './board.js';
import { popcount32 } from './geometry.js';
import type { Player } from './board.js';

export const DEFAULT_LADDER_DEPTH = 80;

// The search plays trial moves on the board it is given (Board.tryMove) and takes each back
// (Board.undoTry) before returning, so the board is left exactly as it was and nothing is copied.

/**
 * Would `colour` playing at p start a ladder that captures an adjacent opponent chain? The move must be
 * legal (simple ko) and put a two-liberty opponent chain in atari that cannot then escape.
 */
export function isLadderCapture(
  board: Board,
  p: number,
  colour: Player = board.toPlay,
  maxDepth = DEFAULT_LADDER_DEPTH,
): boolean {
  if (!board.isLegalSimple(p, colour)) return false;
  const { cells, head, libCount } = board;
  const { nbr, nbrCount } = board.geo;
  const o = 3 - colour;
  const tried: number[] = [];
  for (let i = 0; i < nbrCount[p]!; i++) {
    const q = nbr[4 * p + i]!;
    if (cells[q] !== o) continue;
    const h = head[q]!;
    if (libCount[h] !== 2 || tried.includes(h)) continue;
    tried.push(h);
    // Cheap proof of escape before any copying: the prey's extension at its other liberty already
    // has three liberties (a lower bound: captures it might make would only add more).
    if (!capturesAny(board, p, colour)) {
      const libs = board.libertyPoints(q);
      const run = libs[0] === p ? libs[1]! : libs[0]!;
      if (libsLowerBound(board, run, o as Player, p) >= 3) continue;
    }
    board.tryMove(p, colour);
    const captured =
      board.cells[q] === o && board.libCount[board.head[q]!] === 1 && preyIsCaptured(board, q, 1, maxDepth);
    board.undoTry();
    if (captured) return true;
  }
  return false;
}

/**
 * Would `colour` playing at p save one of its chains in atari from a ladder? The chain must touch p
 * (p is its liberty) or touch an opponent chain that p captures; after the move it must have three or
 * more liberties, or two that the opponent cannot turn into a working ladder.
 */
export function isLadderEscape(
  board: Board,
  p: number,
  colour: Player = board.toPlay,
  maxDepth = DEFAULT_LADDER_DEPTH,
): boolean {
  if (!board.isLegalSimple(p, colour)) return false;
  const targets = chainsInAtariSavedBy(board, p, colour);
  if (targets.length === 0) return false;
  board.tryMove(p, colour);
  let saved = false;
  for (const s of targets) {
    const libs = board.libCount[board.head[s]!]!;
    if (libs >= 3 || (libs === 2 && !hunterCaptures(board, s, 1, maxDepth))) {
      saved = true;
      break;
    }
  }
  board.undoTry();
  return saved;
}

/** Stones (one per chain) of `colour`'s chains in atari that a move at p extends or relieves by capturing. */
function chainsInAtariSavedBy(board: Board, p: number, colour: Player): number[] {
  const { cells, head, libCount, next } = board;
  const { nbr, nbrCount } = board.geo;
  const o = 3 - colour;
  const out: number[] = [];
  const heads: number[] = [];
  const add = (s: number): void => {
    const h = head[s]!;
    if (!heads.includes(h)) {
      heads.push(h);
      out.push(s);
    }
  };
  for (let i = 0; i < nbrCount[p]!; i++) {
    const q = nbr[4 * p + i]!;
    if (cells[q] === colour && libCount[head[q]!] === 1) add(q);
    else if (cells[q] === o && libCount[head[q]!] === 1) {
      // p captures this chain: every own chain in atari touching it gains liberties.
      const h = head[q]!;
      let s = h;
      do {
        for (let j = 0; j < nbrCount[s]!; j++) {
          const t = nbr[4 * s + j]!;
          if (cells[t] === colour && libCount[head[t]!] === 1) add(t);
        }
        s = next[s]!;
      } while (s !== h);
    }
  }
  return out;
}

/** Prey (the chain through stone s) has one liberty and is to move: is it lost whatever it does? */
function preyIsCaptured(b: Board, s: number, ply: number, maxDepth: number): boolean {
  if (ply >= maxDepth) return true;
  const prey = b.cells[s] as Player;
  const hunter = (3 - prey) as Player;
  const moves = escapeMoves(b, s, hunter);
  for (const m of moves) {
    if (!b.isLegalSimple(m, prey)) continue;
    if (libsLowerBound(b, m, prey, -1) >= 3) return false;
    b.tryMove(m, prey);
    const libs = b.libCount[b.head[s]!]!;
    const escaped = libs >= 3 || (libs === 2 && !hunterCaptures(b, s, ply + 1, maxDepth));
    b.undoTry();
    if (escaped) return false;
  }
  return true;
}

/** The prey's liberty, and the liberty of every hunter chain in atari that touches the prey. */
function escapeMoves(b: Board, s: number, hunter: Player): number[] {
  const { cells, head, libCount, next } = b;
  const { nbr, nbrCount } = b.geo;
  const moves = b.libertyPoints(s);
  const h = head[s]!;
  let t = h;
  do {
    for (let i = 0; i < nbrCount[t]!; i++) {
      const q = nbr[4 * t + i]!;
      if (cells[q] === hunter && libCount[head[q]!] === 1) {
        const lib = b.libertyPoints(q)[0]!;
        if (!moves.includes(lib)) moves.push(lib);
      }
    }
    t = next[t]!;
  } while (t !== h);
  return moves;
}

/** Prey (the chain through s) has two liberties and the hunter is to move: can an atari capture it? */
function hunterCaptures(b: Board, s: number, ply: number, maxDepth: number): boolean {
  if (ply >= maxDepth) return true;
  const prey = b.cells[s] as Player;
  const hunter = (3 - prey) as Player;
  const libs = b.libertyPoints(s);
  for (const lib of libs) {
    if (!b.isLegalSimple(lib, hunter)) continue;
    // An atari the prey answers by extending to three liberties needs no reading.
    const run = lib === libs[0] ? libs[1]! : libs[0]!;
    if (!capturesAny(b, lib, hunter) && libsLowerBound(b, run, prey, lib) >= 3) continue;
    b.tryMove(lib, hunter);
    const captured = b.cells[s] !== prey || (b.libCount[b.head[s]!] === 1 && preyIsCaptured(b, s, ply + 1, maxDepth));
    b.undoTry();
    if (captured) return true;
  }
  return false;
}

/** Does `colour` at p capture anything (an adjacent opponent chain with one liberty)? */
function capturesAny(b: Board, p: number, colour: Player): boolean {
  const { cells, head, libCount } = b;
  const { nbr, nbrCount } = b.geo;
  for (let i = 0; i < nbrCount[p]!; i++) {
    const q = nbr[4 * p + i]!;
    if (cells[q] === 3 - colour && libCount[head[q]!] === 1) return true;
  }
  return false;
}

let unionBits = new Uint32Array(16);

/**
 * Liberties of the chain `colour` would form by playing at p, not counting points freed by captures
 * and not counting `blocked` (a point about to be occupied): a lower bound on the real count.
 */
function libsLowerBound(b: Board, p: number, colour: Player, blocked: number): number {
  const { cells, head, libs } = b;
  const { nbr, nbrCount, words } = b.geo;
  if (unionBits.length < words) unionBits = new Uint32Array(words);
  const u = unionBits;
  u.fill(0, 0, words);
  for (let i = 0; i < nbrCount[p]!; i++) {
    const q = nbr[4 * p + i]!;
    const c = cells[q];
    if (c === 0) u[q >>> 5]! |= 1 << (q & 31);
    else if (c === colour) {
      const base = head[q]! * words;
      for (let w = 0; w < words; w++) u[w]! |= libs[base + w]!;
    }
  }
  u[p >>> 5]! &= ~(1 << (p & 31));
  if (blocked >= 0) u[blocked >>> 5]! &= ~(1 << (blocked & 31));
  let n = 0;
  for (let w = 0; w < words; w++) n += popcount32(u[w]!);
  return n;
}
