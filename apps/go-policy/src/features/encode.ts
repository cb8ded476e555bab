// Board -> feature planes, NHWC ([size, size, planes], plane fastest) so a buffer of positions feeds
// tfjs directly. Everything is seen from the player to move. Move-based planes (capture size onward)
// are computed from the chains' liberty bitsets without playing the move; only ladders search.
import { EMPTY } from '../board/index.js';
import type { Board } from '../board/index.js';
import { isLadderCapture, isLadderEscape, DEFAULT_LADDER_DEPTH } from '../board/ladder.js';
import { popcount32 } from '../board/geometry.js';
import { groupOffsets, planeCount } from './sets.js';
import type { FeatureGroup, FeatureSetName } from './sets.js';

export type PlaneBuffer = Uint8Array | Float32Array;

export interface EncodeOptions {
  /** Ladder reading depth in plies (default 80). */
  ladderDepth?: number;
}

const offsetCache = new Map<FeatureSetName, Record<FeatureGroup, number>>();

function offsetsOf(set: FeatureSetName): Record<FeatureGroup, number> {
  let o = offsetCache.get(set);
  if (!o) offsetCache.set(set, (o = groupOffsets(set)));
  return o;
}

/** Bucket an integer feature 1.. into 8 planes: 1..7 -> 0..6, 8 or more -> 7. */
const bucket8 = (v: number): number => (v >= 8 ? 7 : v - 1);

let bits = new Uint32Array(16);

/**
 * Write the planes of `set` for `board` (player to move = board.toPlay) into `out` at `offset`
 * (size * size * planes values, overwritten). Returns `out`.
 */
export function encodeBoard<T extends PlaneBuffer>(
  board: Board,
  set: FeatureSetName,
  out?: T,
  offset = 0,
  options: EncodeOptions = {},
): T {
  const P = planeCount(set);
  const area = board.area;
  const buf = (out ?? new Uint8Array(area * P)) as T;
  if (buf.length < offset + area * P) {
    throw new RangeError(
      `feature buffer holds ${buf.length} values, needs ${offset + area * P} (${board.size}x${board.size}x${P})`,
    );
  }
  buf.fill(0, offset, offset + area * P);
  const off = offsetsOf(set);
  const own = board.toPlay;
  const { cells, head, libCount, chainSize, playedAt, libs, next } = board;
  const { nbr, nbrCount, words } = board.geo;
  if (bits.length < words) bits = new Uint32Array(words);
  const depth = options.ladderDepth ?? DEFAULT_LADDER_DEPTH;
  const oColour = off.colour;
  const oOnes = off.ones;
  const oTurns = off.turnsSince;
  const oLibs = off.liberties;
  const oCap = off.captureSize;
  const oSelf = off.selfAtari;
  const oAfter = off.libertiesAfter;
  const oLadC = off.ladderCapture;
  const oLadE = off.ladderEscape;
  const oSens = off.sensibleness;
  const moveFeatures = oCap >= 0 || oSelf >= 0 || oAfter >= 0 || oLadC >= 0 || oLadE >= 0 || oSens >= 0;
  const ownHeads = [-1, -1, -1, -1];
  const capHeads = [-1, -1, -1, -1];

  for (let p = 0; p < area; p++) {
    const base = offset + p * P;
    const v = cells[p]!;
    if (oOnes >= 0) buf[base + oOnes] = 1;
    if (v !== EMPTY) {
      if (oColour >= 0) buf[base + oColour + (v === own ? 0 : 1)] = 1;
      if (oTurns >= 0) {
        const t = board.moveNumber - playedAt[p]! + 1;
        buf[base + oTurns + bucket8(t)] = 1;
      }
      if (oLibs >= 0) buf[base + oLibs + bucket8(libCount[head[p]!]!)] = 1;
      continue;
    }
    if (oColour >= 0) buf[base + oColour + 2] = 1;
    if (!moveFeatures) continue;

    // What a move by the player to move at p would do, read off the neighbouring chains.
    const nc = nbrCount[p]!;
    let empties = 0;
    let nOwn = 0;
    let nCap = 0;
    let ownSize = 0;
    let captured = 0;
    let ownSafe = false;
    let ownAtari = false;
    let preyNear = false;
    for (let i = 0; i < nc; i++) {
      const q = nbr[4 * p + i]!;
      const c = cells[q]!;
      if (c === EMPTY) {
        empties++;
        continue;
      }
      const h = head[q]!;
      const l = libCount[h]!;
      if (c === own) {
        if (l > 1) ownSafe = true;
        else ownAtari = true;
        if (!isOneOf(h, ownHeads, nOwn)) {
          ownHeads[nOwn++] = h;
          ownSize += chainSize[h]!;
        }
      } else if (l === 1) {
        if (!isOneOf(h, capHeads, nCap)) {
          capHeads[nCap++] = h;
          captured += chainSize[h]!;
        }
      } else if (l === 2) preyNear = true;
    }
    const legal = !(p === board.koPoint && own === board.koColour) && (empties > 0 || ownSafe || nCap > 0);
    if (!legal) continue;

    let after: number;
    if (nOwn === 0 && nCap === 0) after = empties;
    else {
      bits.fill(0, 0, words);
      for (let k = 0; k < nOwn; k++) {
        const b0 = ownHeads[k]! * words;
        for (let w = 0; w < words; w++) bits[w]! |= libs[b0 + w]!;
      }
      for (let i = 0; i < nc; i++) {
        const q = nbr[4 * p + i]!;
        if (cells[q] === EMPTY) bits[q >>> 5]! |= 1 << (q & 31);
      }
      // Captured stones next to the new chain become its liberties.
      for (let k = 0; k < nCap; k++) {
        const h = capHeads[k]!;
        let s = h;
        do {
          for (let j = 0; j < nbrCount[s]!; j++) {
            const t = nbr[4 * s + j]!;
            if (t === p || (cells[t] === own && isOneOf(head[t]!, ownHeads, nOwn))) {
              bits[s >>> 5]! |= 1 << (s & 31);
              break;
            }
          }
          s = next[s]!;
        } while (s !== h);
      }
      bits[p >>> 5]! &= ~(1 << (p & 31));
      after = 0;
      for (let w = 0; w < words; w++) after += popcount32(bits[w]!);
    }

    if (oCap >= 0) buf[base + oCap + (captured >= 7 ? 7 : captured)] = 1;
    if (oSelf >= 0 && after === 1) buf[base + oSelf + bucket8(1 + ownSize)] = 1;
    if (oAfter >= 0) buf[base + oAfter + bucket8(after)] = 1;
    if (oLadC >= 0 && preyNear && isLadderCapture(board, p, own, depth)) buf[base + oLadC] = 1;
    if (oLadE >= 0 && (ownAtari || nCap > 0) && isLadderEscape(board, p, own, depth)) buf[base + oLadE] = 1;
    if (oSens >= 0 && !board.isEye(p, own)) buf[base + oSens] = 1;
  }
  return buf;
}

function isOneOf(h: number, heads: number[], n: number): boolean {
  for (let k = 0; k < n; k++) if (heads[k] === h) return true;
  return false;
}
