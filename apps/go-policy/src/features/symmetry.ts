// The 8 symmetries of a square board (the dihedral group D4), for augmentation and symmetry averaging.
// A symmetry maps a point (row, col) to another; planes and the target move are mapped together.
import { PASS } from '../board/index.js';
import type { Move } from '../board/index.js';
import type { PlaneBuffer } from './encode.js';

export const SYMMETRIES = 8;
export type Symmetry = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** Names in index order: 0 identity, 1-3 quarter turns clockwise, 4-7 reflections. */
export const SYMMETRY_NAMES = [
  'identity',
  'rot90',
  'rot180',
  'rot270',
  'flip-lr',
  'flip-ud',
  'transpose',
  'anti-transpose',
] as const;

function mapRowCol(s: number, n: number, r: number, c: number): [number, number] {
  const m = n - 1;
  switch (s) {
    case 0:
      return [r, c];
    case 1:
      return [c, m - r];
    case 2:
      return [m - r, m - c];
    case 3:
      return [m - c, r];
    case 4:
      return [r, m - c];
    case 5:
      return [m - r, c];
    case 6:
      return [c, r];
    case 7:
      return [m - c, m - r];
    default:
      throw new RangeError(`symmetry must be 0-7, got ${s}`);
  }
}

const tables = new Map<number, Int16Array>();

/** point -> image point under symmetry s on an n x n board (cached). */
export function symmetryTable(s: number, n: number): Int16Array {
  const key = s * 32 + n;
  let t = tables.get(key);
  if (!t) {
    t = new Int16Array(n * n);
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < n; c++) {
        const [rr, cc] = mapRowCol(s, n, r, c);
        t[r * n + c] = rr * n + cc;
      }
    }
    tables.set(key, t);
  }
  return t;
}

/** The symmetry that undoes s (quarter turns swap, reflections undo themselves). */
export function inverseSymmetry(s: Symmetry): Symmetry {
  return s === 1 ? 3 : s === 3 ? 1 : s;
}

export function transformMove(move: Move, s: number, n: number): Move {
  return move === PASS ? PASS : symmetryTable(s, n)[move]!;
}

/**
 * Map NHWC planes ([n, n, planes] at srcOffset) by symmetry s into dst at dstOffset. src and dst must
 * not overlap.
 */
export function transformPlanes<T extends PlaneBuffer>(
  src: PlaneBuffer,
  s: number,
  n: number,
  planes: number,
  dst: T,
  srcOffset = 0,
  dstOffset = 0,
): T {
  const t = symmetryTable(s, n);
  for (let p = 0; p < n * n; p++) {
    const from = srcOffset + p * planes;
    const to = dstOffset + t[p]! * planes;
    for (let k = 0; k < planes; k++) dst[to + k] = src[from + k]!;
  }
  return dst;
}
