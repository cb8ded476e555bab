import { Rng } from '../util/random.js';
import type { ArrayBatch, DataSource } from './types.js';

/**
 * An in-memory DataSource over examples stored row-major in one typed array. With `shuffle` (the
 * default) every epoch has its own order drawn from (seed, epoch), so runs repeat and resumes line up.
 */
export function arraySource(
  xs: { data: Float32Array | Int32Array; shape: number[] },
  ys: Int32Array,
  options: { shuffle?: boolean } = {},
): DataSource {
  const n = xs.shape[0] ?? 0;
  if (ys.length !== n) throw new Error(`arraySource: ${n} inputs but ${ys.length} labels`);
  const stride = n === 0 ? 0 : xs.data.length / n;
  if (!Number.isInteger(stride))
    throw new Error(`arraySource: ${xs.data.length} values do not split into ${n} examples`);
  const shuffle = options.shuffle ?? true;
  return {
    size: n,
    async *batches(epoch: number, batchSize: number, seed: number): AsyncGenerator<ArrayBatch> {
      if (!(batchSize >= 1)) throw new Error(`batch size must be >= 1, got ${batchSize}`);
      const order = Array.from({ length: n }, (_, i) => i);
      if (shuffle) new Rng(seed).fork(epoch).shuffle(order);
      for (let start = 0; start < n; start += batchSize) {
        const idx = order.slice(start, start + batchSize);
        const data = new (xs.data.constructor as new (len: number) => Float32Array | Int32Array)(idx.length * stride);
        const labels = new Int32Array(idx.length);
        idx.forEach((src, k) => {
          data.set(xs.data.subarray(src * stride, (src + 1) * stride), k * stride);
          labels[k] = ys[src] as number;
        });
        yield { xs: { data, shape: [idx.length, ...xs.shape.slice(1)] }, ys: labels };
      }
    },
  };
}
