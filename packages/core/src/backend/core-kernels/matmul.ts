import { backend_util } from '@tensorflow/tfjs';
import type { TensorInfo } from '@tensorflow/tfjs';
import { Scratch } from './module.js';
import type { CoreKernels } from './module.js';

const ceilDiv = (a: number, b: number) => Math.floor((a + b - 1) / b);
const size = (shape: readonly number[]) => shape.reduce((p, d) => p * d, 1);

/**
 * Batched matrix product a . b (either transposed) on core's micro-kernel, with an optional bias of n floats
 * and relu/relu6 (flags). Batch dimensions must be equal, or one side's all 1 (broadcast). Returns null for
 * shapes it does not take (tfjs's kernel runs them).
 */
export function batchMatMul(
  kernels: CoreKernels,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  bias: TensorInfo | undefined,
  flags: number,
): TensorInfo | null {
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || a.shape.length < 2 || b.shape.length < 2) return null;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const kk = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (kk !== kb || m === 0 || n === 0 || kk === 0) return null;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const na = size(batchA);
  const nb = size(batchB);
  const batchShape = backend_util.assertAndGetBroadcastShape(batchA, batchB);
  const batches = size(batchShape);
  // Each side either has every batch or one matrix for all (what the flattened loop below can index).
  if ((na !== batches && na !== 1) || (nb !== batches && nb !== 1)) return null;
  if (bias && size(bias.shape) !== n) return null;
  const { backend, k, mr, nr, ctx } = kernels;
  const out = backend.makeOutput([...batchShape, m, n], 'float32');
  const scratch = new Scratch(backend);
  try {
    const ao = backend.getMemoryOffset(a.dataId);
    const bo = backend.getMemoryOffset(b.dataId);
    const oo = backend.getMemoryOffset(out.dataId);
    const ntiles = ceilDiv(m, mr);
    const np = ceilDiv(n, nr);
    const ind = scratch.alloc(ntiles * mr);
    k.rows_ind(ind, m, ntiles, kk * 4);
    const bpk = scratch.alloc(np * kk * nr);
    const at = transposeA ? scratch.alloc(m * kk) : 0;
    let biasp = 0;
    if (bias) {
      biasp = scratch.alloc(np * nr);
      const heap = (backend.wasm as unknown as { HEAPF32: Float32Array }).HEAPF32;
      heap.fill(0, biasp / 4, biasp / 4 + np * nr);
      const bi = backend.getMemoryOffset(bias.dataId) / 4;
      heap.copyWithin(biasp / 4, bi, bi + n);
    }
    for (let i = 0; i < batches; i++) {
      if (i === 0 || nb > 1) {
        const src = bo + (nb > 1 ? i : 0) * kk * n * 4;
        k.pack_b(src, kk, n, transposeB ? 1 : n, transposeB ? kk : 1, bpk, kk * nr * 4);
      }
      let src = ao + (na > 1 ? i : 0) * m * kk * 4;
      if (transposeA) {
        if (i === 0 || na > 1) k.transpose(src, kk, m, at);
        src = at;
      }
      k.gemm_ind(ind, src, 1, kk, ntiles, bpk, n, oo + i * m * n * 4, n * 4, m, biasp, flags, ctx);
    }
  } catch (err) {
    backend.disposeData(out.dataId);
    throw err;
  } finally {
    scratch.free();
  }
  return out;
}
