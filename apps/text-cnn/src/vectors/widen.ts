// Rows wider than the vectors: a pretrained row's d values followed by k - d values drawn as an unknown word's.
// Kim's network reads k = 300 values a word; 100-d vectors give its filters a third of that width to learn in.
// Widening keeps every pretrained value where it was and adds columns that a non-static model learns from scratch,
// as CNN-rand learns all of its own.
import { PAD_ID } from '../text/index.js';
import { randomEmbeddings } from './text-format.js';

/** Where the added columns' draws start: another stream than the one that drew the unknown words' rows. */
const WIDEN_SEED_OFFSET = 1_000_003;

/**
 * `rows` x `dim` values (row-major) widened to `rows` x `width`: each row's values, then `width - dim` values from
 * U(-range, range), the padding row all zeros. `width` equal to `dim` gives the rows back unchanged.
 */
export function widenRows(
  data: Float32Array,
  rows: number,
  dim: number,
  width: number,
  seed: number,
  range: number,
): Float32Array {
  if (data.length !== rows * dim) throw new Error(`widenRows: ${data.length} values are not ${rows} rows x ${dim}`);
  if (!Number.isInteger(width) || width < dim)
    throw new Error(`widenRows: width ${width} is narrower than the rows' ${dim} values`);
  if (width === dim) return data;
  const extra = width - dim;
  const added = randomEmbeddings(rows, extra, seed + WIDEN_SEED_OFFSET, range);
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    out.set(data.subarray(r * dim, (r + 1) * dim), r * width);
    out.set(added.subarray(r * extra, (r + 1) * extra), r * width + dim);
  }
  out.fill(0, PAD_ID * width, (PAD_ID + 1) * width);
  return out;
}
