import { backend_util } from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32Offset, heapF32, release, reshape, runWasmKernel } from './heap.js';

/**
 * dW = im2col(x)^T · dy, computed as (dy^T · im2col(x))^T so that XNNPACK's fast plain GEMM does the work:
 * wasm's transposeA matMul and its convolution with a large "filter" are both ~10x slower (see BENCH.md).
 */
function conv2DBackpropFilter(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const dataFormat = backend_util.convertConv2DDataFormat(attrs.dataFormat);
  const conv = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    dataFormat,
  );
  if (conv.dataFormat !== 'channelsLast') {
    throw new Error(`Conv2DBackpropFilter on wasm supports NHWC only, got dataFormat '${attrs.dataFormat}'`);
  }
  const M = conv.batchSize * conv.outHeight * conv.outWidth;
  const K = conv.filterHeight * conv.filterWidth * conv.inChannels;
  const CO = conv.outChannels;

  const im = isPointwise(conv) ? reshape(backend, x, [M, K]) : im2col(backend, x, conv, M, K);
  const dy2 = reshape(backend, dy, [M, CO]);
  const dyT = runWasmKernel(backend, 'Transpose', { x: dy2 }, { perm: [1, 0] });
  const dwT = runWasmKernel(backend, 'BatchMatMul', { a: dyT, b: im }, { transposeA: false, transposeB: false });
  const dwT2 = reshape(backend, dwT, [CO, K]);
  const dw = runWasmKernel(backend, 'Transpose', { x: dwT2 }, { perm: [1, 0] });
  const out = reshape(backend, dw, attrs.filterShape);
  release(backend, im, dy2, dyT, dwT, dwT2, dw);
  return out;
}

function isPointwise(conv: backend_util.Conv2DInfo): boolean {
  const p = conv.padInfo;
  return (
    conv.filterHeight === 1 &&
    conv.filterWidth === 1 &&
    conv.strideHeight === 1 &&
    conv.strideWidth === 1 &&
    p.top + p.bottom + p.left + p.right === 0
  );
}

/**
 * Rows (n, oh, ow), columns (kh, kw, c). For one row and one kh the kw run is contiguous both in x (adjacent
 * pixels) and in the row, so each copy is a heap memmove of up to filterWidth*inChannels floats.
 */
function im2col(backend: BackendWasm, x: TensorInfo, conv: backend_util.Conv2DInfo, M: number, K: number): TensorInfo {
  const im = backend.makeOutput([M, K], 'float32');
  const heap = heapF32(backend);
  const xo = f32Offset(backend, x);
  const io = f32Offset(backend, im);
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: FH, filterWidth: FW } = conv;
  const { strideHeight: SH, strideWidth: SW } = conv;
  const { top, left, bottom, right } = conv.padInfo;
  if (top + left + bottom + right > 0) heap.fill(0, io, io + M * K);
  let row = io;
  for (let n = 0; n < conv.batchSize; n++) {
    const xn = xo + n * H * W * C;
    for (let oh = 0; oh < OH; oh++) {
      const ih0 = oh * SH - top;
      for (let ow = 0; ow < OW; ow++, row += K) {
        const iw0 = ow * SW - left;
        const kwA = Math.max(0, -iw0);
        const kwB = Math.min(FW, W - iw0);
        if (kwB <= kwA) continue;
        const len = (kwB - kwA) * C;
        for (let kh = 0; kh < FH; kh++) {
          const ih = ih0 + kh;
          if (ih < 0 || ih >= H) continue;
          const src = xn + (ih * W + iw0 + kwA) * C;
          heap.copyWithin(row + (kh * FW + kwA) * C, src, src + len);
        }
      }
    }
  }
  return im;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
