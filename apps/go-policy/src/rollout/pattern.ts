// The local features of the fast rollout policy, as in AlphaGo's rollout softmax (Silver et al. 2016,
// Extended Data Table 4): for a candidate point, the 3x3 pattern around it (colour and liberties of every
// neighbour), what the move does (liberties after it, stones it captures), where it lies (distance to the
// edges) and how far it is from the last two moves. Every feature is seen from the player to move.
//
// A point's "code" packs the pattern and the move's effect in one integer:
//   bits 0-23   eight neighbours, 3 bits each, in the order of NEIGHBOUR_OFFSETS: 0 empty, 1 off the board,
//               2/3/4 own stone whose chain has 1/2/3+ liberties, 5/6/7 opponent stone with 1/2/3+ liberties
//   bits 24-25  liberties of the mover's chain after the move: 0 (suicide), 1, 2, 3 or more
//   bits 26-27  opponent stones the move captures: 0, 1, 2-4, 5 or more
// The code depends only on the 3x3 cells, the liberty counts of the chains there and the liberty sets
// of the chains with at most three liberties, which is what lets a playout update it incrementally.
import { EMPTY, type Board, type Player } from '../board/index.js';

/** (row, column) offsets of the eight neighbours: the four orthogonal ones first, then the diagonals. */
export const NEIGHBOUR_OFFSETS: readonly (readonly [number, number])[] = [
  [-1, 0],
  [0, -1],
  [0, 1],
  [1, 0],
  [-1, -1],
  [-1, 1],
  [1, -1],
  [1, 1],
];

export const S_EMPTY = 0;
export const S_EDGE = 1;
const NEIGHBOUR_BITS = 24;
const NEIGHBOUR_MASK = (1 << NEIGHBOUR_BITS) - 1;

/** Per board size: the 8 neighbours of each point in NEIGHBOUR_OFFSETS order, -1 off the board. */
export interface PatternGeometry {
  readonly size: number;
  readonly area: number;
  readonly around: Int16Array;
  /** Line feature index of each point (see lineIndex). */
  readonly line: Uint8Array;
}

const geoCache = new Map<number, PatternGeometry>();

export function patternGeometry(size: number): PatternGeometry {
  const hit = geoCache.get(size);
  if (hit) return hit;
  const area = size * size;
  const around = new Int16Array(area * 8).fill(-1);
  const line = new Uint8Array(area);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const p = r * size + c;
      NEIGHBOUR_OFFSETS.forEach(([dr, dc], i) => {
        const rr = r + dr;
        const cc = c + dc;
        if (rr >= 0 && rr < size && cc >= 0 && cc < size) around[8 * p + i] = rr * size + cc;
      });
      line[p] = lineIndex(Math.min(r, size - 1 - r), Math.min(c, size - 1 - c));
    }
  }
  const g = { size, area, around, line };
  geoCache.set(size, g);
  return g;
}

/** Distances to the edge are capped at LINE_CAP (the 7th line and beyond look alike). */
export const LINE_CAP = 6;
/** Index of the unordered pair (distance to the nearer edge, distance to the other axis' edge), 0-based lines. */
export function lineIndex(a: number, b: number): number {
  const lo = Math.min(a, b, LINE_CAP);
  const hi = Math.min(Math.max(a, b), LINE_CAP);
  return lo * (LINE_CAP + 1) + hi;
}
export const LINE_FEATURES = (LINE_CAP + 1) * (LINE_CAP + 1);

const libBucket = (l: number): number => (l >= 3 ? 2 : l - 1);

/** The captured-stones bucket: 0, 1, 2-4, 5 or more. */
export const captureBucket = (n: number): number => (n === 0 ? 0 : n === 1 ? 1 : n <= 4 ? 2 : 3);

// Scratch for moveEffects (one thread at a time: playouts and training never interleave calls).
const empties = [0, 0, 0, 0];
const blackHeads = [0, 0, 0, 0];
const whiteHeads = [0, 0, 0, 0];
const blackAtari = [0, 0, 0, 0];
const whiteAtari = [0, 0, 0, 0];
const found = [0, 0, 0];

/**
 * What a move at the empty point p does, for both colours at once, packed as
 * black's liberties after (bits 0-1), black's capture bucket (bits 2-3), white's liberties after
 * (bits 4-5), white's capture bucket (bits 6-7). Liberties after the move are counted up to 3 (3 means
 * "3 or more"): the empty neighbours, each adjacent opponent stone the move captures (its point becomes
 * a liberty), and the liberties of the own chains it joins; 0 means suicide. Reads only p's neighbours
 * and their chains.
 */
export function moveEffects(board: Board, p: number): number {
  const { cells, head, libCount, chainSize } = board;
  const { nbr, nbrCount } = board.geo;
  const nc = nbrCount[p]!;
  let ne = 0;
  let nb = 0;
  let nw = 0;
  let ab = 0;
  let aw = 0;
  let capByBlack = 0;
  let capByWhite = 0;
  for (let i = 0; i < nc; i++) {
    const q = nbr[4 * p + i]!;
    const c = cells[q]!;
    if (c === EMPTY) {
      empties[ne++] = q;
      continue;
    }
    const h = head[q]!;
    const inAtari = libCount[h] === 1;
    if (c === 1) {
      let dup = false;
      for (let k = 0; k < nb; k++) if (blackHeads[k] === h) dup = true;
      if (!dup) {
        blackHeads[nb++] = h;
        if (inAtari) capByWhite += chainSize[h]!;
      }
      if (inAtari) blackAtari[ab++] = q;
    } else {
      let dup = false;
      for (let k = 0; k < nw; k++) if (whiteHeads[k] === h) dup = true;
      if (!dup) {
        whiteHeads[nw++] = h;
        if (inAtari) capByBlack += chainSize[h]!;
      }
      if (inAtari) whiteAtari[aw++] = q;
    }
  }
  const lb = libsAfter(board, p, ne, whiteAtari, aw, blackHeads, nb);
  const lw = libsAfter(board, p, ne, blackAtari, ab, whiteHeads, nw);
  return lb | (captureBucket(capByBlack) << 2) | (lw << 4) | (captureBucket(capByWhite) << 6);
}

/** Liberties after a move at p, up to 3: `ne` empties (in `empties`), `nCap` captured neighbour stones, `nOwn` own chains. */
function libsAfter(
  board: Board,
  p: number,
  ne: number,
  caps: number[],
  nCap: number,
  own: number[],
  nOwn: number,
): number {
  let n = ne + nCap;
  if (n >= 3) return 3;
  if (nOwn === 0) return n;
  const { libCount, libs } = board;
  const words = board.geo.words;
  for (let i = 0; i < ne; i++) found[i] = empties[i]!;
  for (let i = 0; i < nCap; i++) found[ne + i] = caps[i]!;
  for (let k = 0; k < nOwn; k++) {
    const h = own[k]!;
    const l = libCount[h]!;
    if (l >= 4) return 3;
    // Walk the chain's liberty bitset (at most three liberties).
    const base = h * words;
    let seen = 0;
    for (let w = 0; w < words && seen < l; w++) {
      let x = libs[base + w]!;
      while (x !== 0) {
        const lib = w * 32 + (31 - Math.clz32(x & -x));
        x &= x - 1;
        seen++;
        if (lib === p) continue;
        let known = false;
        for (let j = 0; j < n; j++) if (found[j] === lib) known = true;
        if (known) continue;
        if (n >= 2) return 3;
        found[n++] = lib;
      }
    }
  }
  return n;
}

/** Liberties of `colour`'s chain after playing the empty point p, up to 3 (see moveEffects); 0 means suicide. */
export function libertiesAfter(board: Board, p: number, colour: Player): number {
  const e = moveEffects(board, p);
  return colour === 1 ? e & 3 : (e >>> 4) & 3;
}

/** The capture bucket (0, 1, 2-4, 5+) of the opponent stones a move of `colour` at p would capture. */
export function captureBucketOf(board: Board, p: number, colour: Player): number {
  const e = moveEffects(board, p);
  return colour === 1 ? (e >>> 2) & 3 : (e >>> 6) & 3;
}

/**
 * The neighbour part of the code of empty point p as seen by black (own = black); `swapColours` turns it
 * into white's view. Off-board neighbours are S_EDGE.
 */
export function neighbourCode(board: Board, pg: PatternGeometry, p: number): number {
  const { cells, head, libCount } = board;
  const { around } = pg;
  let code = 0;
  for (let i = 0; i < 8; i++) {
    const q = around[8 * p + i]!;
    let s: number;
    if (q < 0) s = S_EDGE;
    else {
      const c = cells[q]!;
      if (c === EMPTY) s = S_EMPTY;
      else s = (c === 1 ? 2 : 5) + libBucket(libCount[head[q]!]!);
    }
    code |= s << (3 * i);
  }
  return code;
}

// own (2-4) <-> opponent (5-7) for every 3-bit field; empty and edge stay. SWAP12 does four fields at once.
const SWAP3 = [0, 1, 5, 6, 7, 2, 3, 4];
const SWAP12 = (() => {
  const t = new Int32Array(4096);
  for (let x = 0; x < 4096; x++) {
    let y = 0;
    for (let i = 0; i < 4; i++) y |= SWAP3[(x >>> (3 * i)) & 7]! << (3 * i);
    t[x] = y;
  }
  return t;
})();
/** The neighbour code seen from the other colour. */
export function swapColours(code: number): number {
  return (code & ~NEIGHBOUR_MASK) | SWAP12[code & 0xfff]! | (SWAP12[(code >>> 12) & 0xfff]! << 12);
}

/**
 * The full code of empty point p for `colour` to play, given the neighbour code from black's view
 * (pass neighbourCode's result, so both colours share one read of the neighbours).
 */
export function pointCode(board: Board, p: number, colour: Player, blackView: number): number {
  const e = moveEffects(board, p);
  return colour === 1 ? withEffects(blackView, e & 15) : withEffects(swapColours(blackView), (e >>> 4) & 15);
}

/** A neighbour code with the move-effect bits (liberties after | capture bucket << 2) appended. */
export const withEffects = (neighbours: number, effects: number): number => neighbours | (effects << 24);

/** The code of empty point p for `colour`, from scratch. */
export function codeAt(board: Board, p: number, colour: Player): number {
  return pointCode(board, p, colour, neighbourCode(board, patternGeometry(board.size), p));
}

/** Liberties after the move (0 = suicide) from a code. */
export const codeLiberties = (code: number): number => (code >>> 24) & 3;
export const codeCaptures = (code: number): number => (code >>> 26) & 3;

/**
 * Is the code's point one of the mover's own eyes (as Board.isEye: every on-board orthogonal neighbour
 * is an own stone, and the diagonals hold at most one opponent stone, none on the edge)?
 */
export function isOwnEye(code: number): boolean {
  let edge = false;
  for (let i = 0; i < 4; i++) {
    const s = (code >>> (3 * i)) & 7;
    if (s === S_EDGE) edge = true;
    else if (s < 2 || s > 4) return false;
  }
  let bad = 0;
  for (let i = 4; i < 8; i++) {
    const s = (code >>> (3 * i)) & 7;
    if (s === S_EDGE) edge = true;
    else if (s >= 5) bad++;
  }
  return edge ? bad === 0 : bad <= 1;
}

// Eye tests by table: ORTH_EYE[orthogonal fields] = every orthogonal neighbour own or off the board
// (bit 0) and whether one is off the board (bit 1); DIAG_EYE[diagonal fields] = opponent diagonals
// (bits 0-2) and whether one is off the board (bit 3).
const ORTH_EYE = (() => {
  const t = new Uint8Array(4096);
  for (let x = 0; x < 4096; x++) {
    let ok = 1;
    let edge = 0;
    for (let i = 0; i < 4; i++) {
      const f = (x >>> (3 * i)) & 7;
      if (f === S_EDGE) edge = 2;
      else if (f < 2 || f > 4) ok = 0;
    }
    t[x] = ok | edge;
  }
  return t;
})();
const DIAG_EYE = (() => {
  const t = new Uint8Array(4096);
  for (let x = 0; x < 4096; x++) {
    let bad = 0;
    let edge = 0;
    for (let i = 0; i < 4; i++) {
      const f = (x >>> (3 * i)) & 7;
      if (f === S_EDGE) edge = 8;
      else if (f >= 5) bad++;
    }
    t[x] = bad | edge;
  }
  return t;
})();

/** isOwnEye by table lookups (the same answer). */
function isOwnEyeFast(code: number): boolean {
  const o = ORTH_EYE[code & 0xfff]!;
  if ((o & 1) === 0) return false;
  const d = DIAG_EYE[(code >>> 12) & 0xfff]!;
  return (o & 2) !== 0 || (d & 8) !== 0 ? (d & 7) === 0 : (d & 7) <= 1;
}

/** May the rollout play here at all: legal (not suicide; ko is checked by the caller) and not an own eye. */
export function playable(code: number): boolean {
  return ((code >>> 24) & 3) > 0 && !isOwnEyeFast(code);
}

// ---- symmetry ----------------------------------------------------------------------------------

/** PERMS[s][i]: where neighbour i goes under symmetry s. */
const PERMS: number[][] = (() => {
  const maps: ((r: number, c: number) => [number, number])[] = [
    (r, c) => [r, c],
    (r, c) => [r, -c],
    (r, c) => [-r, c],
    (r, c) => [-r, -c],
    (r, c) => [c, r],
    (r, c) => [c, -r],
    (r, c) => [-c, r],
    (r, c) => [-c, -r],
  ];
  return maps.map((f) =>
    NEIGHBOUR_OFFSETS.map(([r, c]) => {
      const [rr, cc] = f(r, c);
      return NEIGHBOUR_OFFSETS.findIndex(([a, b]) => a === rr && b === cc);
    }),
  );
})();

/** The code under symmetry s (0-7); the move-effect bits are unchanged. */
export function transformCode(code: number, s: number): number {
  const perm = PERMS[s]!;
  let out = code & ~NEIGHBOUR_MASK;
  for (let i = 0; i < 8; i++) out |= ((code >>> (3 * i)) & 7) << (3 * perm[i]!);
  return out;
}

/** The smallest of the code's 8 symmetric variants: one key for a pattern and its rotations/reflections. */
export function canonicalCode(code: number): number {
  let best = code;
  for (let s = 1; s < 8; s++) {
    const t = transformCode(code, s);
    if (t < best) best = t;
  }
  return best;
}

// canonicalCode by tables. A symmetry maps the orthogonal neighbours (bits 0-11) among themselves and the
// diagonal ones (bits 12-23) among themselves, so the smallest variant has the smallest diagonal part and,
// among the symmetries that give it, the smallest orthogonal part.
let symTables: { orth: Int16Array; diagMin: Int16Array; diagSyms: Uint8Array; orthMin: Int16Array } | null = null;

function buildSymTables(): NonNullable<typeof symTables> {
  const orth = new Int16Array(8 * 4096);
  const diagMin = new Int16Array(4096);
  const diagSyms = new Uint8Array(4096);
  const orthMin = new Int16Array(4096);
  for (let x = 0; x < 4096; x++) {
    let dm = 4096;
    let om = 4096;
    for (let s = 0; s < 8; s++) {
      const o = transformCode(x, s) & 0xfff;
      orth[s * 4096 + x] = o;
      if (o < om) om = o;
      const d = (transformCode(x << 12, s) >>> 12) & 0xfff;
      if (d < dm) {
        dm = d;
        diagSyms[x] = 0;
      }
      if (d === dm) diagSyms[x]! |= 1 << s;
    }
    diagMin[x] = dm;
    orthMin[x] = om;
  }
  return { orth, diagMin, diagSyms, orthMin };
}

/** The same as canonicalCode, by a few table lookups instead of eight transforms. */
export function canonicalCodeFast(code: number): number {
  const t = (symTables ??= buildSymTables());
  const o = code & 0xfff;
  const d = (code >>> 12) & 0xfff;
  const syms = t.diagSyms[d]!;
  let om: number;
  if (syms === 0xff) om = t.orthMin[o]!;
  else {
    om = 4096;
    for (let s = 0; s < 8; s++) {
      if ((syms & (1 << s)) !== 0) {
        const v = t.orth[s * 4096 + o]!;
        if (v < om) om = v;
      }
    }
  }
  return (code & ~NEIGHBOUR_MASK) | (t.diagMin[d]! << 12) | om;
}

/**
 * The coarse code: only the four orthogonal neighbours and the move's effect (16 bits), a fallback that
 * every point has even when its full 3x3 pattern was too rare to learn.
 */
export function coarseCode(code: number): number {
  return (code & 0xfff) | ((code >>> 24) << 12);
}

/** Coulom's distance between two points: dx + dy + max(dx, dy) (2 next to it, 3 diagonal, 4 two away...). */
export function moveDistance(size: number, a: number, b: number): number {
  const dr = Math.abs(Math.floor(a / size) - Math.floor(b / size));
  const dc = Math.abs((a % size) - (b % size));
  return dr + dc + Math.max(dr, dc);
}

/** Distances 2..MAX_DISTANCE to a recent move are features; farther points have none. */
export const MAX_DISTANCE = 9;
export const DISTANCE_FEATURES = MAX_DISTANCE - 1;

/** (row, column) offsets of the points within MAX_DISTANCE of a point, with their distance feature index. */
export const NEAR_OFFSETS: readonly (readonly [number, number, number])[] = (() => {
  const out: [number, number, number][] = [];
  for (let dr = -MAX_DISTANCE; dr <= MAX_DISTANCE; dr++) {
    for (let dc = -MAX_DISTANCE; dc <= MAX_DISTANCE; dc++) {
      const a = Math.abs(dr);
      const b = Math.abs(dc);
      const d = a + b + Math.max(a, b);
      if (d >= 2 && d <= MAX_DISTANCE) out.push([dr, dc, d - 2]);
    }
  }
  return out;
})();
