// Training the rollout policy on professional games: maximum likelihood of the move played among every
// point the rollout could play (a softmax over sparse features, AdaGrad, a little L2 on the 3x3 weights).
// Plain TypeScript on one thread: each position costs one pass over the empty points.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PASS, type Board, type Player } from '../board/index.js';
import { readSgf, replay, type Game } from '../sgf/index.js';
import {
  DISTANCE_FEATURES,
  LINE_FEATURES,
  canonicalCode,
  coarseCode,
  moveDistance,
  neighbourCode,
  patternGeometry,
  playable,
  pointCode,
  transformCode,
} from './pattern.js';
import type { RolloutTables } from './policy.js';
import { COARSE_CANONICAL, COARSE_CODES, emptyWeights, type RolloutWeights } from './policy.js';

/** Read SGF files (19x19 only), skipping unusable records; `skipped` counts them. */
export async function readGames(
  dataDir: string,
  files: readonly string[],
): Promise<{ games: Game[]; skipped: number }> {
  const games: Game[] = [];
  let skipped = 0;
  for (const f of files) {
    const r = readSgf(await readFile(join(dataDir, f)), { size: 19 });
    if (r.ok) games.push(r.game);
    else skipped++;
  }
  return { games, skipped };
}

/** The points the rollout may play for `colour` (legal under simple ko, not an own eye) and their codes. */
export interface Candidates {
  count: number;
  points: Int32Array;
  codes: Int32Array;
  /** The opponent's last move and the mover's previous move (PASS when none). */
  last: number;
  own: number;
}

export function newCandidates(area = 361): Candidates {
  return { count: 0, points: new Int32Array(area), codes: new Int32Array(area), last: PASS, own: PASS };
}

/** Fill `out` with the candidates of `board` for `colour`, given the two recent moves. */
export function collectCandidates(
  board: Board,
  colour: Player,
  last: number,
  own: number,
  out: Candidates,
): Candidates {
  const pg = patternGeometry(board.size);
  let n = 0;
  for (let p = 0; p < board.area; p++) {
    if (board.cells[p] !== 0 || (p === board.koPoint && colour === board.koColour)) continue;
    const code = pointCode(board, p, colour, neighbourCode(board, pg, p));
    if (!playable(code)) continue;
    out.points[n] = p;
    out.codes[n] = code;
    n++;
  }
  out.count = n;
  out.last = last;
  out.own = own;
  return out;
}

/**
 * Visit every position before a non-pass move of every game, with its candidates and the move played.
 * The board passed is the replay's; do not keep it.
 */
export function forEachPosition(
  games: readonly Game[],
  visit: (board: Board, cand: Candidates, target: number, colour: Player) => void,
): void {
  const cand = newCandidates();
  for (const game of games) {
    let last = PASS;
    let own = PASS;
    let lastColour: Player | 0 = 0;
    replay(game, (board, m) => {
      // last: the opponent's previous move; own: the mover's previous move (before that).
      const opp = lastColour !== 0 && lastColour !== m.colour ? last : PASS;
      const mine = lastColour !== 0 && lastColour !== m.colour ? own : PASS;
      if (m.move !== PASS) visit(board, collectCandidates(board, m.colour, opp, mine, cand), m.move, m.colour);
      own = last;
      last = m.move;
      lastColour = m.colour;
    });
  }
}

/** Counts of canonical 3x3 codes among candidates and among the moves played. */
export function countPatterns(games: readonly Game[]): {
  candidates: Map<number, number>;
  played: Map<number, number>;
  positions: number;
} {
  const rawCand = new Map<number, number>();
  const rawPlayed = new Map<number, number>();
  let positions = 0;
  forEachPosition(games, (_board, cand, target) => {
    positions++;
    for (let i = 0; i < cand.count; i++) {
      const c = cand.codes[i]!;
      rawCand.set(c, (rawCand.get(c) ?? 0) + 1);
      if (cand.points[i] === target) rawPlayed.set(c, (rawPlayed.get(c) ?? 0) + 1);
    }
  });
  const merge = (raw: Map<number, number>): Map<number, number> => {
    const out = new Map<number, number>();
    for (const [c, n] of raw) {
      const k = canonicalCode(c);
      out.set(k, (out.get(k) ?? 0) + n);
    }
    return out;
  };
  return { candidates: merge(rawCand), played: merge(rawPlayed), positions };
}

/** The canonical codes to give their own weight: seen as a candidate `minCandidates` times or played `minPlayed` times. */
export function chooseVocabulary(
  counts: { candidates: Map<number, number>; played: Map<number, number> },
  minCandidates: number,
  minPlayed: number,
): Int32Array {
  const keep: number[] = [];
  for (const [c, n] of counts.candidates)
    if (n >= minCandidates || (counts.played.get(c) ?? 0) >= minPlayed) keep.push(c);
  return Int32Array.from(keep.sort((a, b) => a - b));
}

/** Where each feature family starts in the flat weight vector. */
interface Layout {
  fine: number;
  coarse: number;
  line: number;
  last: number;
  own: number;
  total: number;
}

function layout(vocab: number): Layout {
  const fine = 0;
  const coarse = fine + vocab;
  const line = coarse + COARSE_CODES;
  const last = line + LINE_FEATURES;
  const own = last + DISTANCE_FEATURES;
  return { fine, coarse, line, last, own, total: own + DISTANCE_FEATURES };
}

/** Raw code -> index of its canonical code in the vocabulary (every symmetric variant inserted). */
class VocabIndex {
  private readonly keys: Int32Array;
  private readonly vals: Int32Array;
  private readonly mask: number;
  constructor(vocab: Int32Array) {
    let cap = 16;
    while (cap < vocab.length * 16) cap *= 2;
    this.keys = new Int32Array(cap).fill(-1);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    const seen = new Set<number>();
    vocab.forEach((code, i) => {
      for (let s = 0; s < 8; s++) {
        // Each distinct symmetric variant once.
        const t = transformCode(code, s);
        if (seen.has(t)) continue;
        seen.add(t);
        let k = (Math.imul(t, 0x9e3779b1) >>> 0) & this.mask;
        while (this.keys[k] !== -1) k = (k + 1) & this.mask;
        this.keys[k] = t;
        this.vals[k] = i;
      }
    });
  }
  get(code: number): number {
    let k = (Math.imul(code, 0x9e3779b1) >>> 0) & this.mask;
    for (;;) {
      const key = this.keys[k]!;
      if (key === code) return this.vals[k]!;
      if (key === -1) return -1;
      k = (k + 1) & this.mask;
    }
  }
}

export interface TrainOptions {
  epochs: number;
  /** AdaGrad's step size. */
  learningRate: number;
  /** L2 penalty on the 3x3 pattern weights, per occurrence. */
  l2: number;
  /** Called after every `progressEvery` positions and at the end of each epoch. */
  onProgress?: (p: { epoch: number; positions: number; meanLoss: number; seconds: number }) => void;
  progressEvery?: number;
  /** Called after each epoch with the weights so far (e.g. to score validation games and save). */
  onEpoch?: (epoch: number, weights: RolloutWeights, meanLoss: number) => void | Promise<void>;
}

/** Train the weights for a vocabulary of 3x3 codes on the games (every position, in game order). */
export async function trainWeights(
  games: readonly Game[],
  vocab: Int32Array,
  opts: TrainOptions,
): Promise<RolloutWeights> {
  const L = layout(vocab.length);
  const w = new Float64Array(L.total);
  const G = new Float64Array(L.total);
  const grad = new Float64Array(L.total);
  const touched = new Int32Array(L.total);
  const mark = new Uint8Array(L.total);
  const index = new VocabIndex(vocab);
  const pg = patternGeometry(19);
  // Per candidate: up to five feature ids (-1 = none).
  const feats = new Int32Array(361 * 5);
  const score = new Float64Array(361);
  const t0 = performance.now();
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    let positions = 0;
    let lossSum = 0;
    let lossN = 0;
    forEachPosition(games, (_board, cand, target) => {
      const n = cand.count;
      let targetIdx = -1;
      let max = -Infinity;
      for (let i = 0; i < n; i++) {
        const p = cand.points[i]!;
        const code = cand.codes[i]!;
        const f = i * 5;
        const fi = index.get(code);
        feats[f] = fi >= 0 ? L.fine + fi : -1;
        feats[f + 1] = L.coarse + COARSE_CANONICAL[coarseCode(code)]!;
        feats[f + 2] = L.line + pg.line[p]!;
        let d = cand.last >= 0 ? moveDistance(19, p, cand.last) : 99;
        feats[f + 3] = d <= DISTANCE_FEATURES + 1 ? L.last + d - 2 : -1;
        d = cand.own >= 0 ? moveDistance(19, p, cand.own) : 99;
        feats[f + 4] = d <= DISTANCE_FEATURES + 1 ? L.own + d - 2 : -1;
        let s = 0;
        for (let k = 0; k < 5; k++) {
          const id = feats[f + k]!;
          if (id >= 0) s += w[id]!;
        }
        score[i] = s;
        if (s > max) max = s;
        if (p === target) targetIdx = i;
      }
      if (targetIdx < 0 || n < 2) return;
      let z = 0;
      for (let i = 0; i < n; i++) {
        const e = Math.exp(score[i]! - max);
        score[i] = e;
        z += e;
      }
      lossSum += -Math.log(score[targetIdx]! / z);
      lossN++;
      let nt = 0;
      for (let i = 0; i < n; i++) {
        const q = score[i]! / z - (i === targetIdx ? 1 : 0);
        const f = i * 5;
        for (let k = 0; k < 5; k++) {
          const id = feats[f + k]!;
          if (id < 0) continue;
          if (mark[id] === 0) {
            mark[id] = 1;
            touched[nt++] = id;
          }
          grad[id]! += q;
          if (k === 0) grad[id]! += opts.l2 * w[id]!;
        }
      }
      for (let j = 0; j < nt; j++) {
        const id = touched[j]!;
        const g = grad[id]!;
        G[id]! += g * g;
        w[id]! -= (opts.learningRate * g) / (Math.sqrt(G[id]!) + 1e-8);
        grad[id] = 0;
        mark[id] = 0;
      }
      positions++;
      if (opts.onProgress && opts.progressEvery && positions % opts.progressEvery === 0) {
        opts.onProgress({
          epoch,
          positions,
          meanLoss: lossSum / Math.max(1, lossN),
          seconds: (performance.now() - t0) / 1000,
        });
      }
    });
    const meanLoss = lossSum / Math.max(1, lossN);
    opts.onProgress?.({ epoch, positions, meanLoss, seconds: (performance.now() - t0) / 1000 });
    await opts.onEpoch?.(epoch, toWeights(w, vocab, L), meanLoss);
  }
  return toWeights(w, vocab, L);
}

function toWeights(w: Float64Array, vocab: Int32Array, L: Layout): RolloutWeights {
  const out = emptyWeights(vocab.slice());
  out.fine.set(w.subarray(L.fine, L.fine + vocab.length));
  out.coarse.set(w.subarray(L.coarse, L.coarse + COARSE_CODES));
  out.line.set(w.subarray(L.line, L.line + LINE_FEATURES));
  out.lastDistance.set(w.subarray(L.last, L.last + DISTANCE_FEATURES));
  out.ownDistance.set(w.subarray(L.own, L.own + DISTANCE_FEATURES));
  return out;
}

/** How often the rollout policy's most probable point is the move played, over every non-pass move. */
export function moveMatch(
  tables: RolloutTables,
  games: readonly Game[],
): { positions: number; matched: number; rate: number } {
  const pg = patternGeometry(19);
  let positions = 0;
  let matched = 0;
  forEachPosition(games, (_board, cand, target) => {
    positions++;
    let best = -1;
    let bestG = -1;
    for (let i = 0; i < cand.count; i++) {
      const p = cand.points[i]!;
      let g = tables.baseGamma(cand.codes[i]!, pg.line[p]!);
      if (cand.last >= 0) {
        const d = moveDistance(19, p, cand.last);
        if (d <= DISTANCE_FEATURES + 1) g *= tables.lastGamma[d - 2]!;
      }
      if (cand.own >= 0) {
        const d = moveDistance(19, p, cand.own);
        if (d <= DISTANCE_FEATURES + 1) g *= tables.ownGamma[d - 2]!;
      }
      if (g > bestG) {
        bestG = g;
        best = p;
      }
    }
    if (best === target) matched++;
  });
  return { positions, matched, rate: positions > 0 ? matched / positions : 0 };
}
