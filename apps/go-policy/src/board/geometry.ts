// Per-size lookup tables shared by every board of that size: neighbours, diagonals and Zobrist keys.
// Built lazily on first use (never at import time) and cached, so a board costs no setup per game.

export const MIN_SIZE = 5;
export const MAX_SIZE = 19;

export interface Geometry {
  readonly size: number;
  /** size * size */
  readonly area: number;
  /** 32-bit words in a liberty bitset over the board's points. */
  readonly words: number;
  /** Up to 4 orthogonal neighbours of point p at [4p, 4p + nbrCount[p]). */
  readonly nbr: Int16Array;
  readonly nbrCount: Uint8Array;
  /** Up to 4 diagonal neighbours of point p at [4p, 4p + diagCount[p]). */
  readonly diag: Int16Array;
  readonly diagCount: Uint8Array;
  /** Zobrist keys: 53-bit hashes split into a 21-bit high and a 32-bit low part, index 2p + colour - 1. */
  readonly zobHi: Uint32Array;
  readonly zobLo: Uint32Array;
}

const cache = new Map<number, Geometry>();

export function checkSize(size: number): void {
  if (!Number.isInteger(size) || size < MIN_SIZE || size > MAX_SIZE) {
    throw new RangeError(`board size must be an integer from ${MIN_SIZE} to ${MAX_SIZE}, got ${size}`);
  }
}

export function geometry(size: number): Geometry {
  const hit = cache.get(size);
  if (hit) return hit;
  checkSize(size);
  const area = size * size;
  const nbr = new Int16Array(area * 4).fill(-1);
  const nbrCount = new Uint8Array(area);
  const diag = new Int16Array(area * 4).fill(-1);
  const diagCount = new Uint8Array(area);
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const p = r * size + c;
      for (const [dr, dc] of [
        [-1, 0],
        [0, -1],
        [0, 1],
        [1, 0],
      ] as const) {
        const rr = r + dr;
        const cc = c + dc;
        if (rr >= 0 && rr < size && cc >= 0 && cc < size) nbr[4 * p + nbrCount[p]!++] = rr * size + cc;
      }
      for (const [dr, dc] of [
        [-1, -1],
        [-1, 1],
        [1, -1],
        [1, 1],
      ] as const) {
        const rr = r + dr;
        const cc = c + dc;
        if (rr >= 0 && rr < size && cc >= 0 && cc < size) diag[4 * p + diagCount[p]!++] = rr * size + cc;
      }
    }
  }
  // Fixed-seed xorshift so hashes are identical across runs and worker threads.
  let s = 0x9e3779b9 ^ size;
  const next = (): number => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
  const zobHi = new Uint32Array(area * 2);
  const zobLo = new Uint32Array(area * 2);
  for (let i = 0; i < area * 2; i++) {
    zobHi[i] = next() & 0x1fffff;
    zobLo[i] = next();
  }
  const g: Geometry = { size, area, words: Math.ceil(area / 32), nbr, nbrCount, diag, diagCount, zobHi, zobLo };
  cache.set(size, g);
  return g;
}

export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
