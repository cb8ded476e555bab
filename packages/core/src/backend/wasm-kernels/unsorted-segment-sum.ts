import type { KernelConfig, KernelFunc, TensorInfo, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32Offset, heapF32 } from './heap.js';

/**
 * out[s] = sum of x[i] over i with segmentIds[i] == s: the gradient of gather / embedding lookups.
 * Whole rows are added in place in the wasm heap, one pass over x. This is measured faster than the route
 * through wasm's ScatterNd (which sums duplicates too, but ~100x slower: see docs/experiments/core.md). Ids outside
 * [0, numSegments) are dropped, as the cpu backend does.
 */
function unsortedSegmentSum(args: {
  inputs: { x: TensorInfo; segmentIds: TensorInfo };
  backend: BackendWasm;
  attrs: UnsortedSegmentSumAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, segmentIds } = inputs;
  if (x.dtype !== 'float32') throw new Error(`UnsortedSegmentSum on wasm: expected float32 values, got ${x.dtype}`);
  const numSegments = attrs.numSegments;
  const idsRank = segmentIds.shape.length;
  const innerShape = x.shape.slice(idsRank);
  const count = segmentIds.shape.reduce((a, b) => a * b, 1);
  const inner = innerShape.reduce((a, b) => a * b, 1);
  const ids = backend.readSync(segmentIds.dataId) as Int32Array;
  const out = backend.makeOutput([numSegments, ...innerShape], 'float32');
  const heap = heapF32(backend);
  const xo = f32Offset(backend, x);
  const oo = f32Offset(backend, out);
  // zeroRows (core's trainer, through tableGradient): the only rows anyone reads; the rest of the output keeps
  // what the allocator left there. Zeroing all of a 17,000 x 300 table's gradient was most of this kernel.
  const zeroRows = (attrs as UnsortedSegmentSumAttrs & { zeroRows?: Int32Array }).zeroRows;
  if (zeroRows) {
    const zeroed = new Uint8Array(numSegments);
    for (const r of zeroRows) {
      if (!(r >= 0 && r < numSegments))
        throw new Error(`UnsortedSegmentSum: zeroRows has ${r}, outside 0..${numSegments - 1}`);
      heap.fill(0, oo + r * inner, oo + (r + 1) * inner);
      zeroed[r] = 1;
    }
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      if (id >= 0 && id < numSegments && zeroed[id] === 0)
        throw new Error(`UnsortedSegmentSum: segment ${id} is not among zeroRows`);
    }
  } else {
    heap.fill(0, oo, oo + numSegments * inner);
  }
  for (let i = 0; i < count; i++) {
    const id = ids[i]!;
    if (!(id >= 0 && id < numSegments)) continue;
    const s = xo + i * inner;
    const d = oo + id * inner;
    for (let j = 0; j < inner; j++) heap[d + j]! += heap[s + j]!;
  }
  return out;
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as KernelFunc,
};
