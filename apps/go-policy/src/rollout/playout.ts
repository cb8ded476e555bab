// Playouts by the rollout policy, to the end of the game, counted by area. Every empty point keeps its
// weight for both colours (exp of its pattern, move-effect and edge features); after a move only the
// points whose features can have changed are recomputed: the 3x3 around the move and the captured
// stones, and around every chain whose liberties changed while it had three or fewer. The distance
// features to the last two moves multiply the weights near them at sampling time. Weights are summed
// per row (kept as running sums as weights change), so drawing a move costs two short scans; the
// weighted sum near our own last move is carried over from the move before, when it was the window
// around the opponent's last move, and only the weights changed since are added in.
import type { Rng } from '@cnn-lab/core';
import { BLACK, Board, EMPTY, PASS, WHITE, type Player } from '../board/index.js';
import {
  NEAR_OFFSETS,
  S_EDGE,
  S_EMPTY,
  moveEffects,
  patternGeometry,
  swapColours,
  withEffects,
  type PatternGeometry,
} from './pattern.js';
import type { RolloutTables } from './policy.js';

export interface PlayoutResult {
  /** Black's area minus white's, komi included. */
  margin: number;
  /** Moves played in the playout (passes included). */
  moves: number;
}

/** Stamp ids start again from 1 here, well before a stored stamp would wrap around in an Int32Array. */
const STAMP_LIMIT = 0x3fffffff;

/** What a search's root saves and each simulation restores: the board, the 3x3 fields and every weight. */
interface PlayoutState {
  board: Board;
  codes: Int32Array;
  state: Uint8Array;
  gamma: [Float64Array, Float64Array];
  rowSum: [Float64Array, Float64Array];
  total: Float64Array;
}

function newPlayoutState(size: number): PlayoutState {
  const a = size * size;
  return {
    board: new Board(size),
    codes: new Int32Array(2 * a),
    state: new Uint8Array(a + 1),
    gamma: [new Float64Array(a), new Float64Array(a)],
    rowSum: [new Float64Array(size), new Float64Array(size)],
    total: new Float64Array(2),
  };
}

function copyPlayoutState(from: PlayoutState, to: PlayoutState): void {
  to.board.copyFrom(from.board);
  to.codes.set(from.codes);
  to.state.set(from.state);
  to.gamma[0].set(from.gamma[0]);
  to.gamma[1].set(from.gamma[1]);
  to.rowSum[0].set(from.rowSum[0]);
  to.rowSum[1].set(from.rowSum[1]);
  to.total.set(from.total);
}

/** A reusable playout runner for one board size (not thread-safe; one per worker). */
export class Playout {
  readonly board: Board;
  readonly size: number;
  private readonly area: number;
  private readonly pg: PatternGeometry;
  private readonly tables: RolloutTables;
  /** Weight of each point for black (index 0) and white (index 1) to play. */
  readonly gamma: [Float64Array, Float64Array];
  private readonly rowSum: [Float64Array, Float64Array];
  /** Sum of every weight for black (index 0) and white (index 1). */
  private readonly total = new Float64Array(2);
  private readonly stamp: Int32Array;
  private stampId = 1;
  private readonly dirty: Int32Array;
  private nDirty = 0;
  private readonly localStamp: Int32Array;
  private localId = 1;
  private readonly localPts: Int32Array;
  private readonly localFac: Float64Array;
  private nLocal = 0;
  /** Near-point tables: for each point, the points within the distance features' reach and their feature index. */
  private readonly nearStart: Int32Array;
  private readonly nearPts: Int16Array;
  private readonly nearIdx: Uint8Array;
  /**
   * Windows around recent moves, for choose(): window k marks its points with k in winStamp[k & 1] and
   * their distance feature index in winIdx[k & 1], so the window of the last move and the one before it
   * live side by side.
   */
  private readonly winStamp: [Int32Array, Int32Array];
  private readonly winIdx: [Uint8Array, Uint8Array];
  private winId = 0;
  /**
   * The window around the last move choose() saw (-1: none, or no longer followed): its centre, and for
   * the colour to play after it (trackColour, 0 black 1 white) the sums of its weights times the own-move
   * distance factors (trackW) and plain (trackB), kept up to date by recompute() as weights change.
   */
  private trackId = -1;
  private trackCentre = -1;
  private trackColour = 0;
  private trackW = 0;
  private trackB = 0;
  /**
   * The 3x3 field of every point as neighbourCode writes it from black's view (0 empty, 2-4 black stone
   * whose chain has 1/2/3+ liberties, 5-7 white), kept up to date as stones come, go and change bucket;
   * the extra entry at index `area` is S_EDGE, where `aroundPad` sends the neighbours off the board.
   */
  private readonly state: Uint8Array;
  private readonly aroundPad: Int16Array;
  /** Last code of each point for black (2p) and white (2p + 1); -1 on stones. */
  private readonly codes: Int32Array;
  /** Final owner of every point after the last run: 1 black, 2 white, 0 neither. */
  readonly owner: Uint8Array;

  constructor(tables: RolloutTables, size = 19) {
    this.tables = tables;
    this.size = size;
    this.area = size * size;
    this.board = new Board(size);
    this.pg = patternGeometry(size);
    const a = this.area;
    this.gamma = [new Float64Array(a), new Float64Array(a)];
    this.rowSum = [new Float64Array(size), new Float64Array(size)];
    this.stamp = new Int32Array(a);
    this.dirty = new Int32Array(a * 2);
    this.localStamp = new Int32Array(a);
    this.localPts = new Int32Array(a);
    this.localFac = new Float64Array(a);
    this.winStamp = [new Int32Array(a), new Int32Array(a)];
    this.winIdx = [new Uint8Array(a), new Uint8Array(a)];
    this.owner = new Uint8Array(a);
    this.codes = new Int32Array(2 * a);
    this.state = new Uint8Array(a + 1);
    this.state[a] = S_EDGE;
    this.aroundPad = Int16Array.from(this.pg.around, (q) => (q < 0 ? a : q));
    this.live = {
      board: this.board,
      codes: this.codes,
      state: this.state,
      gamma: this.gamma,
      rowSum: this.rowSum,
      total: this.total,
    };
    const start = new Int32Array(a + 1);
    const pts: number[] = [];
    const idx: number[] = [];
    for (let p = 0; p < a; p++) {
      start[p] = pts.length;
      const r = Math.floor(p / size);
      const c = p % size;
      for (const [dr, dc, d] of NEAR_OFFSETS) {
        const rr = r + dr;
        const cc = c + dc;
        if (rr < 0 || rr >= size || cc < 0 || cc >= size) continue;
        pts.push(rr * size + cc);
        idx.push(d);
      }
    }
    start[a] = pts.length;
    this.nearStart = start;
    this.nearPts = Int16Array.from(pts);
    this.nearIdx = Uint8Array.from(idx);
  }

  /**
   * Set up the playout board from `root` (its stones, ko and player to move; not its history) and
   * compute every weight from scratch.
   */
  reset(root: Board): void {
    this.board.copyFrom(root);
    for (let p = 0; p < this.area; p++) this.setState(p);
    this.codes.fill(-2);
    for (let p = 0; p < this.area; p++) this.recompute(p);
    this.sumRows();
  }

  /** Every row sum and both totals from scratch. */
  private sumRows(): void {
    const { size } = this;
    const g0 = this.gamma[0];
    const g1 = this.gamma[1];
    let t0 = 0;
    let t1 = 0;
    for (let r = 0; r < size; r++) {
      let s0 = 0;
      let s1 = 0;
      const base = r * size;
      for (let c = 0; c < size; c++) {
        s0 += g0[base + c]!;
        s1 += g1[base + c]!;
      }
      this.rowSum[0][r] = s0;
      this.rowSum[1][r] = s1;
      t0 += s0;
      t1 += s1;
    }
    this.total[0] = t0;
    this.total[1] = t1;
    this.trackId = -1;
  }

  /** This playout's own board and weights, as one PlayoutState (the same arrays, not a copy). */
  private readonly live: PlayoutState;
  /** The state saved by saveRoot(), restored by restoreRoot(). */
  private saved: PlayoutState | null = null;

  /**
   * Remember the current position and weights (after reset(), for a search's root): restoreRoot() brings
   * them back by copying arrays, much cheaper than reset() recomputing every point.
   */
  saveRoot(): void {
    copyPlayoutState(this.live, (this.saved ??= newPlayoutState(this.size)));
  }

  /** Back to the state of the last saveRoot(): the same weights as reset() on that position would give. */
  restoreRoot(): void {
    if (!this.saved) throw new Error('Playout.restoreRoot before saveRoot');
    copyPlayoutState(this.saved, this.live);
    this.trackId = -1;
  }

  private recompute(p: number): void {
    const { board, tables, pg, codes } = this;
    let g0: number;
    let g1: number;
    if (board.cells[p] !== EMPTY) {
      if (codes[2 * p] === -1) return;
      codes[2 * p] = -1;
      codes[2 * p + 1] = -1;
      g0 = 0;
      g1 = 0;
    } else {
      const n = this.neighbours(p);
      const e = moveEffects(board, p);
      const cb = withEffects(n, e & 15);
      const cw = withEffects(swapColours(n), e >>> 4);
      if (cb === codes[2 * p] && cw === codes[2 * p + 1]) return;
      const line = pg.line[p]!;
      g0 = cb !== codes[2 * p] ? tables.baseGamma(cb, line) : this.gamma[0][p]!;
      g1 = cw !== codes[2 * p + 1] ? tables.baseGamma(cw, line) : this.gamma[1][p]!;
      codes[2 * p] = cb;
      codes[2 * p + 1] = cw;
    }
    const d0 = g0 - this.gamma[0][p]!;
    const d1 = g1 - this.gamma[1][p]!;
    this.gamma[0][p] = g0;
    this.gamma[1][p] = g1;
    const r = (p / this.size) | 0;
    this.rowSum[0][r]! += d0;
    this.rowSum[1][r]! += d1;
    this.total[0]! += d0;
    this.total[1]! += d1;
    if (this.trackId >= 0 && this.stampOf(this.trackId)[p] === this.trackId) {
      const d = this.trackColour === 0 ? d0 : d1;
      this.trackW += d * this.tables.ownGamma[this.idxOf(this.trackId)[p]!]!;
      this.trackB += d;
    }
  }

  /** The neighbour part of p's code from black's view (as neighbourCode), from the kept states. */
  private neighbours(p: number): number {
    const st = this.state;
    const a = this.aroundPad;
    const b = 8 * p;
    return (
      st[a[b]!]! |
      (st[a[b + 1]!]! << 3) |
      (st[a[b + 2]!]! << 6) |
      (st[a[b + 3]!]! << 9) |
      (st[a[b + 4]!]! << 12) |
      (st[a[b + 5]!]! << 15) |
      (st[a[b + 6]!]! << 18) |
      (st[a[b + 7]!]! << 21)
    );
  }

  /** Bring the state of point p up to date from the board. */
  private setState(p: number): void {
    const { cells, head, libCount } = this.board;
    const c = cells[p]!;
    if (c === EMPTY) this.state[p] = S_EMPTY;
    else {
      const l = libCount[head[p]!]!;
      this.state[p] = (c === BLACK ? 2 : 5) + (l >= 3 ? 2 : l - 1);
    }
  }

  private mark(p: number): void {
    if (this.stamp[p] !== this.stampId) {
      this.stamp[p] = this.stampId;
      this.dirty[this.nDirty++] = p;
    }
  }

  /** Mark p and the empty points around it (a stone's weight is 0 and stays so while it stands). */
  private markAround(p: number): void {
    this.mark(p);
    this.markEmptyAround(p);
  }

  private markEmptyAround(p: number): void {
    const around = this.pg.around;
    const cells = this.board.cells;
    for (let i = 0; i < 8; i++) {
      const q = around[8 * p + i]!;
      if (q >= 0 && cells[q] === EMPTY) this.mark(q);
    }
  }

  /** A chain whose liberty bucket may have changed: its states, and every empty point around it. */
  private markChain(h: number): void {
    const { cells, next, libCount } = this.board;
    const l = libCount[h]!;
    const v = (cells[h] === BLACK ? 2 : 5) + (l >= 3 ? 2 : l - 1);
    let s = h;
    do {
      this.state[s] = v;
      this.markEmptyAround(s);
      s = next[s]!;
    } while (s !== h);
  }

  /** Mark the liberties of the chain rooted at h (the points whose move effects read its liberty set). */
  private markLibs(h: number): void {
    const { libs } = this.board;
    const words = this.board.geo.words;
    const base = h * words;
    for (let w = 0; w < words; w++) {
      let x = libs[base + w]!;
      while (x !== 0) {
        this.mark(w * 32 + (31 - Math.clz32(x & -x)));
        x &= x - 1;
      }
    }
  }

  /**
   * A chain whose liberties went from `before` to `after`: when the 1/2/3+ bucket changed, every point
   * around its stones sees a new pattern; otherwise, while it has three or fewer, only its liberties
   * (whose liberties-after and captures read its liberty set) can change.
   */
  private touched(h: number, before: number, after: number): void {
    const bb = before >= 3 ? 3 : before;
    const ba = after >= 3 ? 3 : after;
    if (bb !== ba) this.markChain(h);
    else if (before <= 3 || after <= 3) this.markLibs(h);
  }

  /** Play `colour` at the empty point p (legal under simple ko) and bring the weights up to date. */
  play(p: number, colour: Player): void {
    const board = this.board;
    const { cells, head, libCount } = board;
    const { nbr, nbrCount } = board.geo;
    const nc = nbrCount[p]!;
    const pre = this.preLibs;
    let ownMin = 99;
    let ownMax = 0;
    for (let i = 0; i < nc; i++) {
      const q = nbr[4 * p + i]!;
      const c = cells[q]!;
      pre[i] = c === EMPTY ? -1 : libCount[head[q]!]!;
      if (c === colour) {
        if (pre[i]! < ownMin) ownMin = pre[i]!;
        if (pre[i]! > ownMax) ownMax = pre[i]!;
      }
    }
    const captured = this.captured;
    captured.length = 0;
    board.applyMove(p, colour, captured);
    if (++this.stampId >= STAMP_LIMIT) {
      // Stamps start again before they outgrow the Int32 array (after some 10^9 moves in one process).
      this.stamp.fill(0);
      this.stampId = 1;
      this.doneStamp = 0;
    }
    this.nDirty = 0;
    this.markAround(p);
    const h = head[p]!;
    const after = libCount[h]!;
    this.state[p] = (colour === BLACK ? 2 : 5) + (after >= 3 ? 2 : after - 1);
    if (ownMax > 0) {
      // Joined chains: each part's bucket against the merged chain's.
      const ba = after >= 3 ? 3 : after;
      if ((ownMin >= 3 ? 3 : ownMin) !== ba || (ownMax >= 3 ? 3 : ownMax) !== ba) this.markChain(h);
      else if (ownMin <= 3 || after <= 3) this.markLibs(h);
    } else if (after <= 3) this.markLibs(h);
    for (let i = 0; i < nc; i++) {
      const q = nbr[4 * p + i]!;
      const c = cells[q]!;
      if (c !== EMPTY && c !== colour) this.touched(head[q]!, pre[i]!, libCount[head[q]!]!);
    }
    for (let k = 0; k < captured.length; k++) {
      const s = captured[k]!;
      this.state[s] = S_EMPTY;
      this.markAround(s);
      for (let i = 0; i < nbrCount[s]!; i++) {
        const q = nbr[4 * s + i]!;
        if (cells[q] === colour) {
          // A chain that gained liberties: its whole surroundings (once per chain).
          const hq = head[q]!;
          if (!this.chainDone(hq)) this.markChain(hq);
        }
      }
    }
    for (let k = 0; k < this.nDirty; k++) this.recompute(this.dirty[k]!);
  }

  private readonly preLibs = new Int32Array(4);
  private readonly captured: number[] = [];

  // Chains marked whole during this update (captures can touch one chain many times).
  private readonly doneChains: number[] = [];
  private doneStamp = 0;
  private chainDone(h: number): boolean {
    if (this.doneStamp !== this.stampId) {
      this.doneStamp = this.stampId;
      this.doneChains.length = 0;
    }
    if (this.doneChains.includes(h)) return true;
    this.doneChains.push(h);
    return false;
  }

  /** Build the list of points whose weight the last moves change, with their factors (ko point: 0). */
  private buildLocal(colour: Player, last: number, own: number): void {
    if (++this.localId >= STAMP_LIMIT) {
      this.localStamp.fill(0);
      this.localId = 1;
    }
    this.nLocal = 0;
    const t = this.tables;
    if (last >= 0) this.addNear(last, t.lastGamma);
    if (own >= 0) this.addNear(own, t.ownGamma);
    const b = this.board;
    if (b.koPoint >= 0 && b.koColour === colour && (colour === BLACK ? this.gamma[0] : this.gamma[1])[b.koPoint]! > 0) {
      this.addLocal(b.koPoint, 0);
    }
  }

  /**
   * Every point near `centre` joins the local list with its factor, weight 0 or not (a point of weight 0
   * adds nothing to the sums nor to a draw, and skipping no point saves a hard-to-predict branch).
   */
  private addNear(centre: number, factors: Float32Array): void {
    const { nearPts, nearIdx, localStamp, localPts, localFac, localId } = this;
    const end = this.nearStart[centre + 1]!;
    let n = this.nLocal;
    for (let k = this.nearStart[centre]!; k < end; k++) {
      const q = nearPts[k]!;
      const f = factors[nearIdx[k]!]!;
      if (localStamp[q] !== localId) {
        localStamp[q] = localId;
        localPts[n++] = q;
        localFac[q] = f;
      } else localFac[q]! *= f;
    }
    this.nLocal = n;
  }

  private addLocal(q: number, f: number): void {
    if (this.localStamp[q] !== this.localId) {
      this.localStamp[q] = this.localId;
      this.localPts[this.nLocal++] = q;
      this.localFac[q] = f;
    } else this.localFac[q]! *= f;
  }

  /**
   * The rollout policy's weight of every point for `colour` to play now, the distance features to
   * `last` and `own` and the ko rule applied, written into `out` (0 where it never plays).
   */
  weights(colour: Player, last: number, own: number, out: Float64Array): Float64Array {
    const gamma = colour === BLACK ? this.gamma[0] : this.gamma[1];
    out.set(gamma);
    this.buildLocal(colour, last, own);
    for (let k = 0; k < this.nLocal; k++) {
      const q = this.localPts[k]!;
      out[q] = gamma[q]! * this.localFac[q]!;
    }
    return out;
  }

  private stampOf(id: number): Int32Array {
    return (id & 1) === 0 ? this.winStamp[0] : this.winStamp[1];
  }

  private idxOf(id: number): Uint8Array {
    return (id & 1) === 0 ? this.winIdx[0] : this.winIdx[1];
  }

  /** The weighted sum of the last buildWindow(). */
  private sumW = 0;

  /**
   * Mark the window around `centre` as window `id` and return the sum of the weights `g` in it; their sum
   * times the distance `factors` is left in sumW.
   */
  private buildWindow(centre: number, id: number, g: Float64Array, factors: Float32Array): number {
    const { nearPts, nearIdx } = this;
    const stamp = this.stampOf(id);
    const idx = this.idxOf(id);
    const end = this.nearStart[centre + 1]!;
    let w = 0;
    let b = 0;
    for (let k = this.nearStart[centre]!; k < end; k++) {
      const q = nearPts[k]!;
      const d = nearIdx[k]!;
      stamp[q] = id;
      idx[q] = d;
      const x = g[q]!;
      b += x;
      w += x * factors[d]!;
    }
    this.sumW = w;
    return b;
  }

  /** Draw a point for `colour` from the rollout policy, or PASS when it has none. */
  choose(colour: Player, last: number, own: number, rng: Rng): number {
    const k = colour === BLACK ? 0 : 1;
    const gamma = k === 0 ? this.gamma[0] : this.gamma[1];
    const next = k === 0 ? this.gamma[1] : this.gamma[0];
    const rows = k === 0 ? this.rowSum[0] : this.rowSum[1];
    const total = this.total[k]!;
    const { size, nearPts, nearIdx, nearStart } = this;
    const fl = this.tables.lastGamma;
    const fo = this.tables.ownGamma;
    if (this.winId >= STAMP_LIMIT) {
      // Window ids start again before they outgrow the Int32 stamps.
      this.winStamp[0].fill(0);
      this.winStamp[1].fill(0);
      this.winId = 0;
      this.trackId = -1;
    }
    // The window around our own last move: carried over from the last call, or summed now.
    let oId = -1;
    let oW = 0;
    let oB = 0;
    if (own >= 0) {
      if (this.trackId >= 0 && own === this.trackCentre && this.trackColour === k) {
        oId = this.trackId;
        oW = this.trackW;
        oB = this.trackB;
      } else {
        oId = ++this.winId;
        oB = this.buildWindow(own, oId, gamma, fo);
        oW = this.sumW;
      }
    }
    const oStamp = this.stampOf(oId);
    const oIdx = this.idxOf(oId);
    // The window around the opponent's last move: its weighted sum with the own-move factors where the
    // two overlap, the overlap's share of the own window's sums, and the sums the next call needs.
    this.trackId = -1;
    let lId = -1;
    let lW = 0;
    let lB = 0;
    let ovW = 0;
    let ovB = 0;
    if (last >= 0) {
      lId = ++this.winId;
      const stamp = this.stampOf(lId);
      const idx = this.idxOf(lId);
      const end = nearStart[last + 1]!;
      let tW = 0;
      let tB = 0;
      for (let j = nearStart[last]!; j < end; j++) {
        const q = nearPts[j]!;
        const d = nearIdx[j]!;
        stamp[q] = lId;
        idx[q] = d;
        const g = gamma[q]!;
        const h = next[q]!;
        tB += h;
        tW += h * fo[d]!;
        lB += g;
        let f = fl[d]!;
        if (oStamp[q] === oId) {
          const go = g * fo[oIdx[q]!]!;
          ovW += go;
          ovB += g;
          f *= fo[oIdx[q]!]!;
        }
        lW += g * f;
      }
      this.trackId = lId;
      this.trackCentre = last;
      this.trackColour = 1 - k;
      this.trackW = tW;
      this.trackB = tB;
    }
    const lStamp = this.stampOf(lId);
    const lIdx = this.idxOf(lId);
    // Our own window less its overlap (rounding leaves dust where nothing is left).
    let oOnlyW = oW - ovW;
    if (!(oOnlyW > oW * 1e-12)) oOnlyW = 0;
    let rest = total - lB - (oB - ovB);
    if (!(rest > total * 1e-12)) rest = 0;
    // A ko point we may not retake: taken out of whichever part holds it.
    let ko = -1;
    const b = this.board;
    if (b.koPoint >= 0 && b.koColour === colour && gamma[b.koPoint]! > 0) {
      ko = b.koPoint;
      const g = gamma[ko]!;
      if (lStamp[ko] === lId) lW -= g * fl[lIdx[ko]!]! * (oStamp[ko] === oId ? fo[oIdx[ko]!]! : 1);
      else if (oStamp[ko] === oId) oOnlyW -= g * fo[oIdx[ko]!]!;
      else rest -= g;
      if (!(lW > 0)) lW = 0;
      if (!(oOnlyW > 0)) oOnlyW = 0;
      if (!(rest > total * 1e-12)) rest = 0;
    }
    const all = rest + lW + oOnlyW;
    if (!(all > 0)) return PASS;
    let x = rng.next() * all;
    let found = PASS;
    if (x < lW) {
      const end = nearStart[last + 1]!;
      for (let j = nearStart[last]!; j < end; j++) {
        const q = nearPts[j]!;
        const g = gamma[q]!;
        if (g === 0 || q === ko) continue;
        found = q;
        let f = fl[nearIdx[j]!]!;
        if (oStamp[q] === oId) f *= fo[oIdx[q]!]!;
        x -= g * f;
        if (x < 0) return q;
      }
      if (found !== PASS) return found;
      x = rng.next() * (rest + oOnlyW);
    } else x -= lW;
    if (x < oOnlyW) {
      const end = nearStart[own + 1]!;
      for (let j = nearStart[own]!; j < end; j++) {
        const q = nearPts[j]!;
        const g = gamma[q]!;
        if (g === 0 || q === ko || lStamp[q] === lId) continue;
        found = q;
        x -= g * fo[nearIdx[j]!]!;
        if (x < 0) return q;
      }
      if (found !== PASS) return found;
    }
    // A point away from the recent moves, in proportion to its weight: draw from all and reject local ones.
    if (rest > 0) {
      for (let tries = 0; tries < 8; tries++) {
        let y = rng.next() * total;
        let r = 0;
        while (r < size - 1 && y >= rows[r]!) y -= rows[r++]!;
        const base = r * size;
        let c = 0;
        while (c < size - 1 && (y >= gamma[base + c]! || gamma[base + c] === 0)) y -= gamma[base + c++]!;
        const p = base + c;
        if (gamma[p]! > 0 && lStamp[p] !== lId && oStamp[p] !== oId && p !== ko) return p;
      }
      // Mostly local weight: an exact scan over the rest.
      let y = rng.next() * rest;
      for (let p = 0; p < this.area; p++) {
        const g = gamma[p]!;
        if (g === 0 || lStamp[p] === lId || oStamp[p] === oId || p === ko) continue;
        found = p;
        y -= g;
        if (y < 0) return p;
      }
      if (found !== PASS) return found;
    }
    // Rounding left weight where none is: any point it may play.
    for (let p = 0; p < this.area; p++) if (gamma[p]! > 0 && p !== ko) return p;
    return PASS;
  }

  /**
   * Play the position set by reset() to the end: both sides draw moves from the rollout policy until both
   * pass (no point left that it plays) or `maxMoves` moves; the final board is counted by area. The
   * owners of the points are left in `owner`.
   */
  run(toPlay: Player, last: number, own: number, komi: number, rng: Rng, maxMoves = this.area * 3): PlayoutResult {
    let colour = toPlay;
    let passes = 0;
    let moves = 0;
    let l = last;
    let o = own;
    while (passes < 2 && moves < maxMoves) {
      const p = this.choose(colour, l, o, rng);
      if (p === PASS) passes++;
      else {
        passes = 0;
        this.play(p, colour);
      }
      moves++;
      o = l;
      l = p;
      colour = colour === BLACK ? WHITE : BLACK;
    }
    return { margin: this.countArea(komi), moves };
  }

  /**
   * Area count of the playout board: stones, and empty points whose neighbours are all of one colour
   * (after a finished playout the empty points are eyes and single dame). Fills `owner`.
   */
  countArea(komi: number): number {
    const { cells } = this.board;
    const { nbr, nbrCount } = this.board.geo;
    let black = 0;
    let white = 0;
    for (let p = 0; p < this.area; p++) {
      let c = cells[p]!;
      if (c === EMPTY) {
        let seen = 0;
        for (let i = 0; i < nbrCount[p]!; i++) seen |= cells[nbr[4 * p + i]!]!;
        c = seen === BLACK || seen === WHITE ? seen : 0;
      }
      this.owner[p] = c;
      if (c === BLACK) black++;
      else if (c === WHITE) white++;
    }
    return black - white - komi;
  }
}
