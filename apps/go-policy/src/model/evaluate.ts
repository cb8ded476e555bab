import * as tf from '@tensorflow/tfjs';
import { gameStream, type ArrayBatch, type StreamStats } from '../data/stream.js';
import { planeCount, type FeatureSetName } from '../features/index.js';

/** Move-number buckets for accuracy by stage of the game: opening, middle game, endgame. */
export const STAGES: readonly [number, number][] = [
  [1, 20],
  [21, 50],
  [51, 100],
  [101, 150],
  [151, 200],
  [201, 250],
  [251, Infinity],
];

export interface StageScore {
  moves: string;
  positions: number;
  top1: number;
  top5: number;
}

export interface PolicyScore {
  top1: number;
  top5: number;
  /** Mean cross-entropy (natural log) of the played move. */
  logLoss: number;
  positions: number;
  byMoveNumber: StageScore[];
}

const EPS = 1e-7;

/** Running sums of top-1, top-5 and log-loss, overall and per stage. */
export class PolicyScorer {
  private n = 0;
  private top1 = 0;
  private top5 = 0;
  private loss = 0;
  private readonly stages = STAGES.map(() => ({ n: 0, top1: 0, top5: 0 }));

  /** Adds a batch of [n, 361] probabilities with the played points and their move numbers. */
  add(probs: Float32Array, targets: Int32Array, moveNumbers: Int32Array): void {
    const classes = probs.length / targets.length;
    for (let i = 0; i < targets.length; i++) {
      const row = probs.subarray(i * classes, (i + 1) * classes);
      const t = targets[i] as number;
      const pt = row[t] as number;
      let higher = 0;
      for (let j = 0; j < classes; j++) if ((row[j] as number) > pt) higher++;
      const hit1 = higher === 0 ? 1 : 0;
      const hit5 = higher < 5 ? 1 : 0;
      this.n++;
      this.top1 += hit1;
      this.top5 += hit5;
      this.loss -= Math.log(Math.max(pt, EPS));
      const m = moveNumbers[i] as number;
      const s = STAGES.findIndex(([lo, hi]) => m >= lo && m <= hi);
      const stage = this.stages[s < 0 ? 0 : s];
      if (stage) {
        stage.n++;
        stage.top1 += hit1;
        stage.top5 += hit5;
      }
    }
  }

  result(): PolicyScore {
    const n = Math.max(this.n, 1);
    return {
      top1: this.top1 / n,
      top5: this.top5 / n,
      logLoss: this.loss / n,
      positions: this.n,
      byMoveNumber: STAGES.map(([lo, hi], i) => {
        const s = this.stages[i] as { n: number; top1: number; top5: number };
        return {
          moves: hi === Infinity ? `${lo}+` : `${lo}-${hi}`,
          positions: s.n,
          top1: s.n ? s.top1 / s.n : 0,
          top5: s.n ? s.top5 / s.n : 0,
        };
      }),
    };
  }
}

/** Scores the model on every batch. A top-k hit: fewer than k points strictly more probable than the played one. */
export async function scorePolicy(
  model: tf.LayersModel,
  batches: AsyncIterable<ArrayBatch>,
  onBatch?: (positions: number) => void,
): Promise<PolicyScore> {
  const scorer = new PolicyScorer();
  let seen = 0;
  for await (const b of batches) {
    const probs = tf.tidy(
      () => (model.predict(tf.tensor(b.xs.data, b.xs.shape)) as tf.Tensor).dataSync() as Float32Array,
    );
    scorer.add(probs, b.ys, b.moveNumbers);
    seen += b.ys.length;
    onBatch?.(seen);
  }
  return scorer.result();
}

export interface ScoreGamesOptions {
  model: tf.LayersModel;
  featureSet: FeatureSetName;
  /** Absolute paths of the SGF files, one game each. */
  files: readonly string[];
  batchSize: number;
  /** Feature worker threads. */
  workers: number;
  /** Called after each batch with the positions scored so far. */
  onBatch?: (positions: number) => void;
}

/** Scores the model on every position of the games (no symmetries, in order), with the stream's counts of games read and skipped. */
export async function scoreGames(
  opts: ScoreGamesOptions,
): Promise<{ score: PolicyScore; stats: StreamStats | undefined }> {
  const stream = gameStream({
    files: opts.files,
    featureSet: opts.featureSet,
    planes: planeCount(opts.featureSet),
    size: 0,
    workers: opts.workers,
    symmetries: false,
    shuffleBuffer: 0,
  });
  const score = await scorePolicy(opts.model, stream.batches(0, opts.batchSize, 0), opts.onBatch);
  return { score, stats: stream.lastStats() };
}
