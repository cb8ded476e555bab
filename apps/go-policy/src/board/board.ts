// A Go board of any size from 5 to 19 with incremental chains: every stone knows its chain (a circular
// list through `next`, rooted at `head`), and every chain keeps its liberties as a bitset, so a move
// costs a few neighbour updates and never a flood fill. Points are indices row * size + col with row 0
// at the top (as in SGF); GTP's "A1" is the bottom-left corner (see vertex.ts).
import { geometry, popcount32 } from './geometry.js';
import type { Geometry } from './geometry.js';

export const EMPTY = 0;
export const BLACK = 1;
export const WHITE = 2;
export type Colour = 0 | 1 | 2;
export type Player = 1 | 2;
/** A move is a point index, or PASS. */
export type Move = number;
export const PASS = -1;

export const opponent = (c: Player): Player => (3 - c) as Player;

/**
 * 'simple': only the immediate recapture of a single-stone ko is illegal (GNU Go's default).
 * 'positional-superko': also any move that recreates an earlier whole-board position.
 */
export type KoRule = 'simple' | 'positional-superko';

export type IllegalReason = 'off-board' | 'occupied' | 'suicide' | 'ko' | 'superko';

export interface BoardOptions {
  koRule?: KoRule;
}

export interface MoveRecord {
  readonly colour: Player;
  readonly move: Move;
  /** Points of the stones this move captured. */
  readonly captured: readonly number[];
}

export class IllegalMoveError extends Error {
  constructor(
    readonly move: Move,
    readonly colour: Player,
    readonly reason: IllegalReason,
    label: string,
  ) {
    super(`illegal move ${colour === BLACK ? 'B' : 'W'} ${label}: ${reason}`);
    this.name = 'IllegalMoveError';
  }
}

// Array ids for the trial journal, in the order of Board.arrays.
const CELLS = 0;
const HEAD = 1;
const NEXT = 2;
const SIZE = 3;
const LIBCOUNT = 4;
const LIBS = 5;
const PLAYED = 6;

/** Setup stones live far in the past, so their "turns since" is always the 8-or-more bucket. */
const SETUP_TIME = -1_000_000;
const TWO32 = 4294967296;

type SetupEntry = { kind: 'setup'; colour: Player; points: number[] };

export class Board {
  readonly size: number;
  readonly area: number;
  readonly koRule: KoRule;
  /** Shared per-size tables; treat as read-only. */
  readonly geo: Geometry;

  /** Colour at each point. Read-only outside this module. */
  readonly cells: Uint8Array;
  /** Root point of the chain holding each stone (meaningless on empty points). */
  readonly head: Int16Array;
  /** Next stone of the same chain (a circular list). */
  readonly next: Int16Array;
  /** Stones in the chain, at its root. */
  readonly chainSize: Int16Array;
  /** Number of liberties of the chain, at its root. */
  readonly libCount: Int16Array;
  /** Liberty bitset of the chain, `words` words at root * words. */
  readonly libs: Uint32Array;
  /** Move number that placed each stone (1 = the first move); setup stones are far in the past. */
  readonly playedAt: Int32Array;

  toPlay: Player = BLACK;
  /** Point where `koColour` may not play this turn (simple ko), or -1. */
  koPoint = -1;
  koColour: Player = BLACK;
  /** Moves played so far, passes included. */
  moveNumber = 0;
  consecutivePasses = 0;
  /** Stones captured by black and by white (prisoners). */
  readonly prisoners = { black: 0, white: 0 };
  private hashHi = 0;
  private hashLo = 0;
  private readonly log: (SetupEntry | MoveRecord)[] = [];
  // Trial moves for search (see tryMove/undoTry): old values of every array write, as
  // (array id << 16 | index, value), plus the scalars saved at each trial.
  private trials = 0;
  private jCode = new Int32Array(1024);
  private jVal = new Int32Array(1024);
  private jLen = 0;
  private readonly trialStack: number[] = [];
  private readonly arrays: (Uint8Array | Int16Array | Int32Array | Uint32Array)[];
  private readonly seen = new Set<number>();

  constructor(size = 19, options: BoardOptions = {}) {
    this.geo = geometry(size);
    this.size = size;
    this.area = this.geo.area;
    this.koRule = options.koRule ?? 'simple';
    const n = this.area;
    this.cells = new Uint8Array(n);
    this.head = new Int16Array(n);
    this.next = new Int16Array(n);
    this.chainSize = new Int16Array(n);
    this.libCount = new Int16Array(n);
    this.libs = new Uint32Array(n * this.geo.words);
    this.playedAt = new Int32Array(n);
    this.arrays = [this.cells, this.head, this.next, this.chainSize, this.libCount, this.libs, this.playedAt];
    this.seen.add(0);
  }

  // ---- queries -------------------------------------------------------------------------------

  point(row: number, col: number): number {
    if (
      !Number.isInteger(row) ||
      !Number.isInteger(col) ||
      row < 0 ||
      col < 0 ||
      row >= this.size ||
      col >= this.size
    ) {
      throw new RangeError(`point (${row}, ${col}) is off a ${this.size}x${this.size} board`);
    }
    return row * this.size + col;
  }

  at(p: number): Colour {
    return this.cells[p] as Colour;
  }

  /** Liberties of the chain through stone p (0 for an empty point). */
  liberties(p: number): number {
    return this.cells[p] === EMPTY ? 0 : this.libCount[this.head[p]!]!;
  }

  /** Stones in the chain through stone p (0 for an empty point). */
  groupSize(p: number): number {
    return this.cells[p] === EMPTY ? 0 : this.chainSize[this.head[p]!]!;
  }

  /** The stones of the chain through p, in list order. */
  chainStones(p: number): number[] {
    if (this.cells[p] === EMPTY) return [];
    const out: number[] = [];
    let s = p;
    do {
      out.push(s);
      s = this.next[s]!;
    } while (s !== p);
    return out;
  }

  /** The liberty points of the chain through p, ascending. */
  libertyPoints(p: number): number[] {
    if (this.cells[p] === EMPTY) return [];
    const out: number[] = [];
    const w = this.geo.words;
    const base = this.head[p]! * w;
    for (let i = 0; i < w; i++) {
      let x = this.libs[base + i]!;
      while (x !== 0) {
        const b = 31 - Math.clz32(x & -x);
        out.push(i * 32 + b);
        x &= x - 1;
      }
    }
    return out;
  }

  /** How many moves ago the stone at p was played (1 = the last move), or Infinity for empty/setup points. */
  turnsSince(p: number): number {
    if (this.cells[p] === EMPTY || this.playedAt[p]! <= SETUP_TIME) return Infinity;
    return this.moveNumber - this.playedAt[p]! + 1;
  }

  get history(): readonly MoveRecord[] {
    return this.log.filter((e): e is MoveRecord => !('kind' in e));
  }

  get lastMove(): MoveRecord | undefined {
    const e = this.log[this.log.length - 1];
    return e && !('kind' in e) ? e : undefined;
  }

  /** A 53-bit Zobrist hash of the stones on the board (not of the player to move). */
  get hash(): number {
    return (this.hashHi >>> 0) * TWO32 + (this.hashLo >>> 0);
  }

  /**
   * An eye of `colour` at p: an empty point whose on-board neighbours are all `colour` stones and whose
   * diagonals hold at most one opponent stone, and none when p is on the edge or in a corner.
   */
  isEye(p: number, colour: Player): boolean {
    const { cells } = this;
    const { nbr, nbrCount, diag, diagCount } = this.geo;
    if (cells[p] !== EMPTY) return false;
    const nc = nbrCount[p]!;
    for (let i = 0; i < nc; i++) if (cells[nbr[4 * p + i]!] !== colour) return false;
    const other = 3 - colour;
    let bad = 0;
    const dc = diagCount[p]!;
    for (let i = 0; i < dc; i++) if (cells[diag[4 * p + i]!] === other) bad++;
    return nc === 4 ? bad <= 1 : bad === 0;
  }

  // ---- legality ------------------------------------------------------------------------------

  /** Why `colour` may not play `move` now, or null if it may. */
  whyIllegal(move: Move, colour: Player = this.toPlay): IllegalReason | null {
    if (move === PASS) return null;
    if (!Number.isInteger(move) || move < 0 || move >= this.area) return 'off-board';
    if (this.cells[move] !== EMPTY) return 'occupied';
    if (move === this.koPoint && colour === this.koColour) return 'ko';
    if (!this.hasLibertyAfter(move, colour)) return 'suicide';
    if (this.koRule === 'positional-superko' && this.seen.has(this.hashAfter(move, colour))) return 'superko';
    return null;
  }

  isLegal(move: Move, colour: Player = this.toPlay): boolean {
    return this.whyIllegal(move, colour) === null;
  }

  /** Every legal point for `colour` (passing is always legal and not listed). */
  legalMoves(colour: Player = this.toPlay): number[] {
    const out: number[] = [];
    for (let p = 0; p < this.area; p++) if (this.cells[p] === EMPTY && this.isLegal(p, colour)) out.push(p);
    return out;
  }

  /**
   * Legal under the simple-ko rule: empty, not the ko point, not suicide. Cheap; used by the feature
   * planes and ladder reading, which look at one position and never at its history.
   */
  isLegalSimple(p: number, colour: Player): boolean {
    return (
      this.cells[p] === EMPTY && !(p === this.koPoint && colour === this.koColour) && this.hasLibertyAfter(p, colour)
    );
  }

  private hasLibertyAfter(p: number, colour: Player): boolean {
    const { cells, head, libCount } = this;
    const { nbr, nbrCount } = this.geo;
    const nc = nbrCount[p]!;
    for (let i = 0; i < nc; i++) {
      const q = nbr[4 * p + i]!;
      const c = cells[q]!;
      if (c === EMPTY) return true;
      const l = libCount[head[q]!]!;
      if (c === colour ? l > 1 : l === 1) return true;
    }
    return false;
  }

  private hashAfter(p: number, colour: Player): number {
    const { cells, head, libCount, next } = this;
    const { nbr, nbrCount, zobHi, zobLo } = this.geo;
    const o = 3 - colour;
    let hi = this.hashHi ^ zobHi[2 * p + colour - 1]!;
    let lo = this.hashLo ^ zobLo[2 * p + colour - 1]!;
    const done: number[] = [];
    const nc = nbrCount[p]!;
    for (let i = 0; i < nc; i++) {
      const q = nbr[4 * p + i]!;
      if (cells[q] !== o) continue;
      const h = head[q]!;
      if (libCount[h] !== 1 || done.includes(h)) continue;
      done.push(h);
      let s = h;
      do {
        hi ^= zobHi[2 * s + o - 1]!;
        lo ^= zobLo[2 * s + o - 1]!;
        s = next[s]!;
      } while (s !== h);
    }
    return (hi >>> 0) * TWO32 + (lo >>> 0);
  }

  // ---- moves ---------------------------------------------------------------------------------

  /**
   * Play `move` for `colour` (default: the player to move), capturing as needed; the other player is
   * then to move. Throws IllegalMoveError for an illegal move. Returns the captured points.
   */
  play(move: Move, colour: Player = this.toPlay): number[] {
    const why = this.whyIllegal(move, colour);
    if (why) throw new IllegalMoveError(move, colour, why, this.label(move));
    this.moveNumber++;
    let captured: number[] = [];
    if (move === PASS) {
      this.koPoint = -1;
      this.consecutivePasses++;
    } else {
      captured = this.applyMove(move, colour);
      this.consecutivePasses = 0;
      this.seen.add(this.hash);
    }
    if (colour === BLACK) this.prisoners.black += captured.length;
    else this.prisoners.white += captured.length;
    this.toPlay = opponent(colour);
    this.log.push({ colour, move, captured });
    return captured;
  }

  pass(colour: Player = this.toPlay): void {
    this.play(PASS, colour);
  }

  /**
   * Place setup stones (SGF AB/AW, handicap) without playing moves. A point already holding a stone is
   * an error, as is a setup that leaves a chain with no liberties.
   */
  setup(colour: Player, points: readonly number[]): void {
    for (const p of points) {
      if (!Number.isInteger(p) || p < 0 || p >= this.area) throw new RangeError(`setup point ${p} is off the board`);
      if (this.cells[p] !== EMPTY) throw new RangeError(`setup point ${this.label(p)} is already occupied`);
      this.placeStone(p, colour);
      this.playedAt[p] = SETUP_TIME;
    }
    for (const p of points) {
      if (this.libCount[this.head[p]!] === 0)
        throw new RangeError(`setup leaves the chain at ${this.label(p)} without liberties`);
      for (let i = 0; i < this.geo.nbrCount[p]!; i++) {
        const q = this.geo.nbr[4 * p + i]!;
        if (this.cells[q] !== EMPTY && this.libCount[this.head[q]!] === 0) {
          throw new RangeError(`setup leaves the chain at ${this.label(q)} without liberties`);
        }
      }
    }
    this.koPoint = -1;
    this.seen.add(this.hash);
    this.log.push({ kind: 'setup', colour, points: [...points] });
  }

  /** Take back the last move (or setup) by replaying the rest; cheap at game lengths. False if none. */
  undo(): boolean {
    if (this.log.length === 0) return false;
    const entries = this.log.slice(0, -1);
    const toPlay = this.toPlay;
    const last = this.log[this.log.length - 1]!;
    this.reset();
    for (const e of entries) {
      if ('kind' in e) this.setup(e.colour, e.points);
      else this.play(e.move, e.colour);
    }
    this.toPlay = 'kind' in last ? toPlay : last.colour;
    return true;
  }

  /** Empty the board and forget the history. */
  reset(): void {
    this.cells.fill(0);
    this.koPoint = -1;
    this.moveNumber = 0;
    this.consecutivePasses = 0;
    this.prisoners.black = 0;
    this.prisoners.white = 0;
    this.hashHi = 0;
    this.hashLo = 0;
    this.toPlay = BLACK;
    this.log.length = 0;
    this.seen.clear();
    this.seen.add(0);
  }

  clone(): Board {
    const b = new Board(this.size, { koRule: this.koRule });
    b.copyFrom(this);
    b.log.push(...this.log);
    for (const h of this.seen) b.seen.add(h);
    return b;
  }

  /**
   * Copy the position (stones, chains, ko, player to move, move number) from a board of the same size,
   * reusing this board's buffers. History and superko memory are not copied: for scratch boards.
   */
  copyFrom(src: Board): void {
    if (src.size !== this.size)
      throw new RangeError(`cannot copy a ${src.size}x${src.size} board into a ${this.size}x${this.size} one`);
    this.cells.set(src.cells);
    this.head.set(src.head);
    this.next.set(src.next);
    this.chainSize.set(src.chainSize);
    this.libCount.set(src.libCount);
    this.libs.set(src.libs);
    this.playedAt.set(src.playedAt);
    this.toPlay = src.toPlay;
    this.koPoint = src.koPoint;
    this.koColour = src.koColour;
    this.moveNumber = src.moveNumber;
    this.consecutivePasses = src.consecutivePasses;
    this.prisoners.black = src.prisoners.black;
    this.prisoners.white = src.prisoners.white;
    this.hashHi = src.hashHi;
    this.hashLo = src.hashLo;
  }

  /**
   * Put a stone of `colour` at empty point p, resolve captures and ko; no legality
   * check, no history and no move clock. For search code that has already checked `isLegalSimple`.
   * The captured points are appended to `captured` (pass a reused array to save an allocation a move).
   */
  applyMove(p: number, colour: Player, captured: number[] = []): number[] {
    const { cells, head } = this;
    const { nbr, nbrCount } = this.geo;
    const o = 3 - colour;
    this.placeStone(p, colour);
    if (this.trials) this.save(PLAYED, p);
    this.playedAt[p] = this.moveNumber;
    const start = captured.length;
    const nc = nbrCount[p]!;
    for (let i = 0; i < nc; i++) {
      const q = nbr[4 * p + i]!;
      if (cells[q] === o && this.libCount[head[q]!] === 0) this.removeChain(head[q]!, captured);
    }
    const h = head[p]!;
    if (captured.length - start === 1 && this.chainSize[h] === 1 && this.libCount[h] === 1) {
      this.koPoint = captured[start]!;
      this.koColour = o as Player;
    } else {
      this.koPoint = -1;
    }
    return captured;
  }

  /**
   * Play a trial move for search: like applyMove, but undoTry() restores the exact position
   * afterwards without copying the board. Trials nest; each must be undone in reverse order.
   */
  tryMove(p: number, colour: Player): void {
    this.trialStack.push(this.jLen, this.hashHi, this.hashLo, this.koPoint, this.koColour);
    this.trials++;
    this.applyMove(p, colour);
  }

  undoTry(): void {
    if (this.trials === 0) throw new Error('undoTry without tryMove');
    const st = this.trialStack;
    this.koColour = st.pop() as Player;
    this.koPoint = st.pop()!;
    this.hashLo = st.pop()!;
    this.hashHi = st.pop()!;
    const len = st.pop()!;
    const { jCode, jVal, arrays } = this;
    for (let k = this.jLen - 1; k >= len; k--) {
      const code = jCode[k]!;
      arrays[code >>> 16]![code & 0xffff] = jVal[k]!;
    }
    this.jLen = len;
    this.trials--;
  }

  private save(id: number, i: number): void {
    if (this.jLen === this.jCode.length) {
      const code = new Int32Array(this.jLen * 2);
      code.set(this.jCode);
      this.jCode = code;
      const val = new Int32Array(this.jLen * 2);
      val.set(this.jVal);
      this.jVal = val;
    }
    this.jCode[this.jLen] = (id << 16) | i;
    this.jVal[this.jLen++] = this.arrays[id]![i]!;
  }

  /** Place a stone and merge chains, without removing captured chains. */
  private placeStone(p: number, colour: Player): void {
    const { cells, head, next, libs } = this;
    const { nbr, nbrCount, words, zobHi, zobLo } = this.geo;
    if (this.trials) {
      this.save(CELLS, p);
      this.save(HEAD, p);
      this.save(NEXT, p);
      this.save(SIZE, p);
      this.save(LIBCOUNT, p);
      for (let i = 0; i < words; i++) this.save(LIBS, p * words + i);
    }
    cells[p] = colour;
    head[p] = p;
    next[p] = p;
    this.chainSize[p] = 1;
    libs.fill(0, p * words, p * words + words);
    this.libCount[p] = 0;
    this.hashHi ^= zobHi[2 * p + colour - 1]!;
    this.hashLo ^= zobLo[2 * p + colour - 1]!;
    const nc = nbrCount[p]!;
    for (let i = 0; i < nc; i++) {
      const q = nbr[4 * p + i]!;
      const c = cells[q];
      if (c === EMPTY) this.addLib(head[p]!, q);
      else if (c === colour) {
        const hq = head[q]!;
        const hp = head[p]!;
        if (hq !== hp) this.merge(hp, hq);
      } else this.removeLib(head[q]!, p);
    }
    this.removeLib(head[p]!, p);
  }

  private addLib(h: number, q: number): void {
    const i = h * this.geo.words + (q >>> 5);
    const bit = 1 << (q & 31);
    const w = this.libs[i]!;
    if ((w & bit) === 0) {
      if (this.trials) {
        this.save(LIBS, i);
        this.save(LIBCOUNT, h);
      }
      this.libs[i] = w | bit;
      this.libCount[h]!++;
    }
  }

  private removeLib(h: number, q: number): void {
    const i = h * this.geo.words + (q >>> 5);
    const bit = 1 << (q & 31);
    const w = this.libs[i]!;
    if ((w & bit) !== 0) {
      if (this.trials) {
        this.save(LIBS, i);
        this.save(LIBCOUNT, h);
      }
      this.libs[i] = w & ~bit;
      this.libCount[h]!--;
    }
  }

  /** Merge the chains rooted at a and b; the larger root survives. */
  private merge(a: number, b: number): void {
    const { head, next, chainSize, libs } = this;
    if (chainSize[a]! < chainSize[b]!) [a, b] = [b, a];
    const w = this.geo.words;
    const trial = this.trials > 0;
    if (trial) {
      this.save(NEXT, a);
      this.save(NEXT, b);
      this.save(SIZE, a);
      this.save(LIBCOUNT, a);
      for (let i = 0; i < w; i++) this.save(LIBS, a * w + i);
    }
    let s = b;
    do {
      if (trial) this.save(HEAD, s);
      head[s] = a;
      s = next[s]!;
    } while (s !== b);
    const na = next[a]!;
    next[a] = next[b]!;
    next[b] = na;
    chainSize[a]! += chainSize[b]!;
    let count = 0;
    for (let i = 0; i < w; i++) {
      const x = libs[a * w + i]! | libs[b * w + i]!;
      libs[a * w + i] = x;
      count += popcount32(x);
    }
    this.libCount[a] = count;
  }

  private removeChain(h: number, captured: number[]): void {
    const { cells, head, next } = this;
    const { nbr, nbrCount, zobHi, zobLo } = this.geo;
    const o = cells[h]!;
    const start = captured.length;
    let s = h;
    do {
      if (this.trials) this.save(CELLS, s);
      cells[s] = EMPTY;
      this.hashHi ^= zobHi[2 * s + o - 1]!;
      this.hashLo ^= zobLo[2 * s + o - 1]!;
      captured.push(s);
      s = next[s]!;
    } while (s !== h);
    // Every stone next to a removed chain belongs to the capturer and gains the freed point.
    for (let k = start; k < captured.length; k++) {
      const r = captured[k]!;
      const nc = nbrCount[r]!;
      for (let i = 0; i < nc; i++) {
        const q = nbr[4 * r + i]!;
        if (cells[q] !== EMPTY) this.addLib(head[q]!, r);
      }
    }
  }

  // ---- display -------------------------------------------------------------------------------

  /** A point as GTP writes it ("D4", "pass"), columns skipping I, row 1 at the bottom. */
  label(move: Move): string {
    if (move === PASS) return 'pass';
    if (!Number.isInteger(move) || move < 0 || move >= this.area) return `#${move}`;
    const row = Math.floor(move / this.size);
    const col = move % this.size;
    return `${COLUMNS[col]}${this.size - row}`;
  }

  /** The board as text, like GTP showboard: X black, O white, . empty, + hoshi, last move in (). */
  toString(): string {
    const n = this.size;
    const cols = COLUMNS.slice(0, n).split('').join(' ');
    const last = this.lastMove?.move ?? PASS;
    const lines = [`   ${cols}`];
    for (let r = 0; r < n; r++) {
      const num = String(n - r).padStart(2);
      let line = num;
      for (let c = 0; c < n; c++) {
        const p = r * n + c;
        const v = this.cells[p];
        const ch = v === BLACK ? 'X' : v === WHITE ? 'O' : isHoshi(n, r, c) ? '+' : '.';
        line += (p === last ? '(' : c > 0 && p - 1 === last ? ')' : ' ') + ch;
      }
      line += last === r * n + n - 1 ? ')' : ' ';
      lines.push(`${line}${n - r}`);
    }
    lines.push(`   ${cols}`);
    lines.push(
      `${this.toPlay === BLACK ? 'Black' : 'White'} to play; captures: black ${this.prisoners.black}, white ${this.prisoners.white}`,
    );
    return lines.join('\n');
  }
}

export const COLUMNS = 'ABCDEFGHJKLMNOPQRST';

function isHoshi(n: number, r: number, c: number): boolean {
  if (n < 9) return false;
  const e = n >= 13 ? 3 : 2;
  const lines = n % 2 === 1 && n >= 13 ? [e, (n - 1) / 2, n - 1 - e] : [e, n - 1 - e];
  if (n === 9 && r === 4 && c === 4) return true;
  return lines.includes(r) && lines.includes(c);
}
