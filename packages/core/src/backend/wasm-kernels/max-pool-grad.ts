import { backend_util } from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { coreKernels, countCall } from '../core-kernels/module.js';
import { f32Offset, heapF32 } from './heap.js';

/**
 * Routes each output gradient to the first maximum of its window (the cpu backend's rule: strict >, row by
 * row), one pass over the windows: in core's wasm kernels (4 channels at a time) when they run, else in
 * JavaScript over the wasm heap. wasm's own MaxPoolGrad is measured ~50x slower on the MNIST net's pools (see
 * docs/experiments/core.md).
 */
function maxPoolGrad(args: {
  inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  backend: BackendWasm;
  attrs: MaxPoolGradAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, input } = inputs;
  const conv = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = conv;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = conv;
  const { top, left } = conv.padInfo;
  const dx = backend.makeOutput(input.shape, 'float32');
  const heap = heapF32(backend);
  const xo = f32Offset(backend, input);
  const go = f32Offset(backend, dy);
  const dxo = f32Offset(backend, dx);
  heap.fill(0, dxo, dxo + N * H * W * C);
  const kernels = coreKernels(backend);
  if (kernels && dy.dtype === 'float32' && input.dtype === 'float32') {
    countCall('MaxPoolGrad');
    kernels.k.max_pool_grad(xo * 4, go * 4, dxo * 4, N, H, W, C, OH, OW, FH, FW, SH, SW, top, left);
    return dx;
  }
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * SH - top;
      const hA = Math.max(0, h0);
      const hB = Math.min(H, h0 + FH);
      for (let ow = 0; ow < OW; ow++) {
        const w0 = ow * SW - left;
        const wA = Math.max(0, w0);
        const wB = Math.min(W, w0 + FW);
        const g = go + ((n * OH + oh) * OW + ow) * C;
        for (let c = 0; c < C; c++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let h = hA; h < hB; h++) {
            for (let w = wA; w < wB; w++) {
              const i = ((n * H + h) * W + w) * C + c;
              const v = heap[xo + i]!;
              if (v > best) {
                best = v;
                at = i;
              }
            }
          }
          if (at >= 0) heap[dxo + at]! += heap[g + c]!;
        }
      }
    }
  }
  return dx;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: 'wasm',
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
