// The rollout policy's weights and the tables a playout reads. A linear softmax: a candidate's weight
// is exp(sum of the weights of its features), and a move is drawn in proportion to it. The features
// (pattern.ts) are the full 3x3 pattern (only patterns seen often enough in training have a weight of
// their own), the coarse pattern (orthogonal neighbours and the move's effect; every point has one),
// the distance to the edges, and the distance to the last move and to the mover's own previous move.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DataError, UsageError, writeFileAtomic } from '@cnn-lab/core';
import { PASS, type Board, type Player } from '../board/index.js';
import {
  DISTANCE_FEATURES,
  LINE_FEATURES,
  canonicalCode,
  canonicalCodeFast,
  coarseCode,
  moveDistance,
  neighbourCode,
  patternGeometry,
  playable,
  pointCode,
  transformCode,
} from './pattern.js';

export const ROLLOUT_FILE = 'rollout.json';
const FORMAT = 'cnn-lab go-policy rollout policy';
const FORMAT_VERSION = 1;
export const COARSE_CODES = 1 << 16;

/** The learned weights (log-gammas), with the canonical 3x3 codes that have a weight of their own. */
export interface RolloutWeights {
  /** Canonical full codes (see pattern.ts), ascending, and their weights. */
  fineCodes: Int32Array;
  fine: Float32Array;
  /** Indexed by canonical coarse code (65,536 entries; non-canonical entries are unused). */
  coarse: Float32Array;
  line: Float32Array;
  /** By distance feature (Coulom distance 2..9) to the opponent's last move, and to the mover's previous move. */
  lastDistance: Float32Array;
  ownDistance: Float32Array;
}

/** What the training run recorded beside the weights (shown by the loader's callers). */
export interface RolloutInfo {
  trainGames?: number;
  trainPositions?: number;
  epochs?: number;
  splitSeed?: number;
  testGames?: number;
  testPositions?: number;
  moveMatch?: number;
  [key: string]: unknown;
}

export function emptyWeights(fineCodes: Int32Array = new Int32Array(0)): RolloutWeights {
  return {
    fineCodes,
    fine: new Float32Array(fineCodes.length),
    coarse: new Float32Array(COARSE_CODES),
    line: new Float32Array(LINE_FEATURES),
    lastDistance: new Float32Array(DISTANCE_FEATURES),
    ownDistance: new Float32Array(DISTANCE_FEATURES),
  };
}

/** Raw coarse code -> its canonical coarse code (the smallest over the 8 symmetries). */
export const COARSE_CANONICAL: Int32Array = (() => {
  const out = new Int32Array(COARSE_CODES);
  for (let c = 0; c < COARSE_CODES; c++) {
    // Rebuild a full code with these orthogonal fields and effect bits (diagonals empty).
    const full = (c & 0xfff) | ((c >>> 12) << 24);
    let best = c;
    for (let s = 1; s < 8; s++) {
      const t = coarseCode(transformCode(full, s));
      if (t < best) best = t;
    }
    out[c] = best;
  }
  return out;
})();

/**
 * Fast lookup tables built from the weights. The 3x3 table is open addressing over canonical codes (a
 * raw code is canonicalised by table, canonicalCodeFast), one 16-byte slot per code: the code, then its
 * 3x3 gamma times its coarse gamma (the same for every symmetric variant) as a double, so a lookup
 * reads one cache line of a table small enough to stay in the core's cache.
 */
export class RolloutTables {
  readonly weights: RolloutWeights;
  /** Slot i: the canonical code at keys[4i] (-1 when free), its fine x coarse gamma at vals[2i + 1]. */
  private readonly keys: Int32Array;
  private readonly vals: Float64Array;
  private readonly mask: number;
  private readonly shift: number;
  readonly coarseGamma: Float32Array;
  readonly lineGamma: Float32Array;
  readonly lastGamma: Float32Array;
  readonly ownGamma: Float32Array;

  constructor(weights: RolloutWeights) {
    this.weights = weights;
    this.coarseGamma = new Float32Array(COARSE_CODES);
    for (let c = 0; c < COARSE_CODES; c++) this.coarseGamma[c] = Math.exp(weights.coarse[COARSE_CANONICAL[c]!]!);
    this.lineGamma = Float32Array.from(weights.line, Math.exp);
    this.lastGamma = Float32Array.from(weights.lastDistance, Math.exp);
    this.ownGamma = Float32Array.from(weights.ownDistance, Math.exp);
    // At most two thirds of the slots full.
    let bits = 4;
    while (1 << bits < weights.fineCodes.length * 1.5) bits++;
    const cap = 1 << bits;
    const buffer = new ArrayBuffer(cap * 16);
    this.keys = new Int32Array(buffer);
    this.vals = new Float64Array(buffer);
    for (let i = 0; i < cap; i++) this.keys[4 * i] = -1;
    this.mask = cap - 1;
    this.shift = 32 - bits;
    const fine = new Float32Array(1);
    for (let i = 0; i < weights.fineCodes.length; i++) {
      fine[0] = Math.exp(weights.fine[i]!);
      const code = weights.fineCodes[i]!;
      let k = this.slot(code);
      while (this.keys[4 * k] !== -1 && this.keys[4 * k] !== code) k = (k + 1) & this.mask;
      this.keys[4 * k] = code;
      this.vals[2 * k + 1] = fine[0] * this.coarseGamma[coarseCode(code)]!;
    }
  }

  private slot(code: number): number {
    return Math.imul(code, 0x9e3779b1) >>> this.shift;
  }

  /** The weight of a candidate before the last-move features; 0 where the rollout never plays. */
  baseGamma(code: number, line: number): number {
    if (!playable(code)) return 0;
    const { keys, mask } = this;
    const canonical = canonicalCodeFast(code);
    let i = this.slot(canonical);
    for (;;) {
      const k = keys[4 * i]!;
      // The 3x3 pattern's gamma times the coarse one, or the coarse one alone for a pattern without a weight.
      if (k === canonical) return this.vals[2 * i + 1]! * this.lineGamma[line]!;
      if (k === -1) return this.coarseGamma[coarseCode(code)]! * this.lineGamma[line]!;
      i = (i + 1) & mask;
    }
  }
}

/**
 * The rollout policy's weight for every point for the player to move (0 where it never plays: occupied,
 * suicide, ko, own eyes), written into `out`. From scratch; playouts keep these up to date instead.
 */
export function candidateGammas(tables: RolloutTables, board: Board, colour: Player, out: Float64Array): Float64Array {
  const pg = patternGeometry(board.size);
  out.fill(0, 0, board.area);
  for (let p = 0; p < board.area; p++) {
    if (board.cells[p] !== 0) continue;
    if (p === board.koPoint && colour === board.koColour) continue;
    out[p] = tables.baseGamma(pointCode(board, p, colour, neighbourCode(board, pg, p)), pg.line[p]!);
  }
  applyRecentMoves(tables, board, colour, out);
  return out;
}

/** Multiply in the distance features to the last move and to the mover's previous move. */
export function applyRecentMoves(tables: RolloutTables, board: Board, colour: Player, out: Float64Array): void {
  const [last, own] = recentMoves(board, colour);
  const n = board.size;
  if (last >= 0 || own >= 0) {
    for (let p = 0; p < board.area; p++) {
      if (out[p] === 0) continue;
      if (last >= 0) {
        const d = moveDistance(n, p, last);
        if (d <= DISTANCE_FEATURES + 1) out[p]! *= tables.lastGamma[d - 2]!;
      }
      if (own >= 0) {
        const d = moveDistance(n, p, own);
        if (d <= DISTANCE_FEATURES + 1) out[p]! *= tables.ownGamma[d - 2]!;
      }
    }
  }
}

/**
 * The opponent's last move and the mover's own previous move, as points (PASS when a pass, absent,
 * or not by the expected colour).
 */
export function recentMoves(board: Board, colour: Player): [number, number] {
  const h = board.history;
  const a = h[h.length - 1];
  const b = h[h.length - 2];
  const last = a && a.colour !== colour ? a.move : PASS;
  const own = a && b && a.colour !== colour && b.colour === colour ? b.move : PASS;
  return [last, own];
}

/** The rollout policy's most probable point for `colour` (PASS when it has none). */
export function rolloutChoice(
  tables: RolloutTables,
  board: Board,
  colour: Player,
  scratch = new Float64Array(board.area),
): number {
  candidateGammas(tables, board, colour, scratch);
  let best = PASS;
  let bestG = 0;
  for (let p = 0; p < board.area; p++) {
    if (scratch[p]! > bestG) {
      bestG = scratch[p]!;
      best = p;
    }
  }
  return best;
}

// ---- files -------------------------------------------------------------------------------------

const b64 = (a: Int32Array | Float32Array): string =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

function fromB64<T extends Int32Array | Float32Array>(
  text: unknown,
  Kind: new (b: ArrayBuffer) => T,
  file: string,
  field: string,
): T {
  if (typeof text !== 'string') throw new DataError(file, `${field} must be a base64 string`);
  const buf = Buffer.from(text, 'base64');
  if (buf.length % 4 !== 0) throw new DataError(file, `${field} is not a whole number of 32-bit values`);
  const copy = new ArrayBuffer(buf.length);
  new Uint8Array(copy).set(buf);
  return new Kind(copy);
}

/** Write the weights as `dir/rollout.json` (atomically). */
export async function saveRollout(dir: string, weights: RolloutWeights, info: RolloutInfo = {}): Promise<string> {
  const file = join(dir, ROLLOUT_FILE);
  const body = {
    format: FORMAT,
    version: FORMAT_VERSION,
    info,
    patterns: weights.fineCodes.length,
    fineCodes: b64(weights.fineCodes),
    fine: b64(weights.fine),
    coarse: b64(weights.coarse),
    line: Array.from(weights.line, round),
    lastDistance: Array.from(weights.lastDistance, round),
    ownDistance: Array.from(weights.ownDistance, round),
  };
  await writeFileAtomic(file, `${JSON.stringify(body)}\n`);
  return file;
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Read `dir/rollout.json`; a UsageError when missing, a DataError naming the file and field when damaged. */
export async function loadRollout(dir: string): Promise<{ weights: RolloutWeights; info: RolloutInfo; file: string }> {
  const file = join(dir, ROLLOUT_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new UsageError(`no ${ROLLOUT_FILE} in '${dir}' (train one with 'go-policy train-rollout --out <dir>')`);
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new DataError(file, `is not JSON (${(err as Error).message})`);
  }
  return { weights: parseWeights(raw, file), info: (raw.info ?? {}) as RolloutInfo, file };
}

export function parseWeights(raw: Record<string, unknown>, file: string): RolloutWeights {
  if (raw.format !== FORMAT) throw new DataError(file, `format must be '${FORMAT}', got ${JSON.stringify(raw.format)}`);
  if (raw.version !== FORMAT_VERSION)
    throw new DataError(file, `version ${JSON.stringify(raw.version)} is not supported (expected ${FORMAT_VERSION})`);
  const fineCodes = fromB64(raw.fineCodes, Int32Array, file, 'fineCodes');
  const fine = fromB64(raw.fine, Float32Array, file, 'fine');
  if (fine.length !== fineCodes.length)
    throw new DataError(file, `fine has ${fine.length} weights for ${fineCodes.length} fineCodes`);
  for (let i = 0; i < fineCodes.length; i++) {
    if (canonicalCode(fineCodes[i]!) !== fineCodes[i])
      throw new DataError(file, `fineCodes[${i}] (${fineCodes[i]}) is not a canonical code`);
  }
  const coarse = fromB64(raw.coarse, Float32Array, file, 'coarse');
  if (coarse.length !== COARSE_CODES)
    throw new DataError(file, `coarse must hold ${COARSE_CODES} weights, got ${coarse.length}`);
  const list = (field: string, n: number): Float32Array => {
    const v = raw[field];
    if (!Array.isArray(v) || v.length !== n || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new DataError(file, `${field} must be a list of ${n} numbers`);
    }
    return Float32Array.from(v as number[]);
  };
  for (const [name, a] of [
    ['fine', fine],
    ['coarse', coarse],
  ] as const) {
    for (let i = 0; i < a.length; i++)
      if (!Number.isFinite(a[i]!)) throw new DataError(file, `${name}[${i}] is not a finite number`);
  }
  return {
    fineCodes,
    fine,
    coarse,
    line: list('line', LINE_FEATURES),
    lastDistance: list('lastDistance', DISTANCE_FEATURES),
    ownDistance: list('ownDistance', DISTANCE_FEATURES),
  };
}
