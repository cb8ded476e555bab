import type { KernelConfig, KernelFunc, TensorInfo, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { release, reshape, runWasmKernel } from './heap.js';

/**
 * out[s] = sum of x[i] over i with segmentIds[i] == s: the gradient of gather / embedding lookups.
 * wasm's ScatterNd adds updates that share an index, which is exactly this sum, in C++. Ids outside
 * [0, numSegments) are dropped (as TensorFlow drops negative ids) by routing them to a spare row.
 */
function unsortedSegmentSum(args: {
  inputs: { x: TensorInfo; segmentIds: TensorInfo };
  backend: BackendWasm;
  attrs: UnsortedSegmentSumAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, segmentIds } = inputs;
  const numSegments = attrs.numSegments;
  const idsRank = segmentIds.shape.length;
  const innerShape = x.shape.slice(idsRank);
  const count = segmentIds.shape.reduce((a, b) => a * b, 1);
  const inner = innerShape.reduce((a, b) => a * b, 1);
  const ids = backend.readSync(segmentIds.dataId) as Int32Array;
  let invalid = false;
  for (let i = 0; i < count; i++) {
    const id = ids[i]!;
    if (!(id >= 0 && id < numSegments)) {
      invalid = true;
      break;
    }
  }
  const rows = invalid ? numSegments + 1 : numSegments;
  let indices: TensorInfo;
  if (invalid) {
    const fixed = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      const id = ids[i]!;
      fixed[i] = id >= 0 && id < numSegments ? id : numSegments;
    }
    indices = backend.makeOutput([count, 1], 'int32', undefined, fixed);
  } else {
    indices = reshape(backend, segmentIds, [count, 1]);
  }
  const updates = reshape(backend, x, [count, inner]);
  const summed = runWasmKernel(backend, 'ScatterNd', { indices, updates }, { shape: [rows, inner] });
  const kept = invalid ? runWasmKernel(backend, 'Slice', { x: summed }, { begin: [0, 0], size: [numSegments, inner] }) : summed;
  const out = reshape(backend, kept, [numSegments, ...innerShape]);
  release(backend, indices, updates, summed);
  if (kept !== summed) release(backend, kept);
  return out;
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSum as unknown as KernelFunc,
};
