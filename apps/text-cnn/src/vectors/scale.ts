// How pretrained rows and the random rows of words without one are put on one scale. Kim (2014) draws unknown
// words from U(-0.25, 0.25) "so that the unknown vectors have (approximately) the same variance as the pre-trained
// ones": 0.25 / sqrt(3) = 0.144, the per-dimension spread of his word2vec vectors, and the scale his network
// (filters started in U(-0.01, 0.01), Adadelta, max-norm 3) was tuned to. Other vectors are spread wider (the
// 100-d GloVe-derived ones about 0.5 per dimension), so both rules cannot hold at once unless one side moves.
import { UNKNOWN_WORD_RANGE } from './text-format.js';

/** The per-dimension standard deviation of U(-0.25, 0.25): that of Kim's word2vec vectors. */
export const KIM_VECTOR_STD = UNKNOWN_WORD_RANGE / Math.sqrt(3);

/** The length of Kim's word vectors: 300 dimensions, each spread KIM_VECTOR_STD. */
export const KIM_VECTOR_DIM = 300;

/**
 * - `word2vec`: pretrained rows multiplied by one factor so that their per-dimension standard deviation is
 *   KIM_VECTOR_STD; unknown words U(-0.25, 0.25). Kim's network sees the scale it was tuned to, and directions
 *   (cosine similarities) are unchanged.
 * - `word2vec-length`: the same for rows of another length, matched on a row's length instead of each dimension:
 *   per-dimension std KIM_VECTOR_STD * sqrt(300 / dim), unknown words U(-a, a) with that spread. A filter's
 *   response to a word sums over the dimensions, so 100-d rows at word2vec's per-dimension spread give it a third
 *   of the variance Kim's 300-d rows did; for 300-d rows this is `word2vec`.
 * - `matched`: pretrained rows as published; unknown words U(-a, a) with a = std * sqrt(3), the rows' own spread.
 * - `none`: pretrained rows as published, unknown words U(-0.25, 0.25) whatever the rows' spread.
 */
export const VECTOR_SCALES = ['word2vec', 'word2vec-length', 'matched', 'none'] as const;
export type VectorScale = (typeof VECTOR_SCALES)[number];

/**
 * Pretrained variants start from this unless told. On MR with the 100-d GloVe-derived vectors (folds 0-2, seed 1),
 * word2vec against none: non-static 79.8% against 78.6%, multichannel 79.1% against 76.5%, static 76.4% against
 * 76.8% (no clear difference); matched did no better than none (non-static, fold 0: 78.5% against 79.0%).
 */
export const DEFAULT_VECTOR_SCALE: VectorScale = 'word2vec';

/**
 * The per-dimension standard deviation of the given rows, pooled over the dimensions: sqrt(mean over d of the
 * variance of column d). 0 for fewer than two rows.
 */
export function perDimensionStd(rows: readonly Float32Array[], dim: number): number {
  const n = rows.length;
  if (n < 2) return 0;
  const sum = new Float64Array(dim);
  const sumSq = new Float64Array(dim);
  for (const row of rows)
    for (let d = 0; d < dim; d++) {
      const v = row[d] as number;
      sum[d] = (sum[d] as number) + v;
      sumSq[d] = (sumSq[d] as number) + v * v;
    }
  let variance = 0;
  for (let d = 0; d < dim; d++) {
    const mean = (sum[d] as number) / n;
    variance += Math.max(0, (sumSq[d] as number) / n - mean * mean);
  }
  return Math.sqrt(variance / dim);
}

export interface ScalePlan {
  /** The factor the pretrained rows are multiplied by. */
  factor: number;
  /** Unknown words start from U(-unknownRange, unknownRange). */
  unknownRange: number;
}

/**
 * What `scale` does to `dim`-long rows whose per-dimension spread is `std` (0: too few rows to say; they are left
 * alone).
 */
export function scalePlan(scale: VectorScale, std: number, dim: number): ScalePlan {
  if (!(std > 0) || scale === 'none') return { factor: 1, unknownRange: UNKNOWN_WORD_RANGE };
  if (scale === 'word2vec') return { factor: KIM_VECTOR_STD / std, unknownRange: UNKNOWN_WORD_RANGE };
  if (scale === 'word2vec-length') {
    const target = KIM_VECTOR_STD * Math.sqrt(KIM_VECTOR_DIM / dim);
    return { factor: target / std, unknownRange: target * Math.sqrt(3) };
  }
  return { factor: 1, unknownRange: std * Math.sqrt(3) };
}
