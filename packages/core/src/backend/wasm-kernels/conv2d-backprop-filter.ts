import { backend_util } from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32Offset, heapF32, release, reshape, runWasmKernel } from './heap.js';

/**
 * dW[(kh,kw,ci), co] = im2colT(x) · dy: one plain GEMM whose right operand is the small dy, the operand
 * XNNPACK packs on every call (packing the big patch matrix instead costs more than the GEMM itself), and whose
 * output is already in filter layout. wasm's transposeA matMul and its convolution with a large "filter"
 * are both ~10x slower (see docs/experiments/core.md).
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
  // Channel-major x makes each patch-matrix row a run of contiguous pixels.
  const xT = runWasmKernel(backend, 'Transpose', { x }, { perm: [3, 0, 1, 2] });
  const imT = isPointwise(conv) ? reshape(backend, xT, [K, M]) : im2colT(backend, xT, conv, M, K);
  const dy2 = reshape(backend, dy, [M, conv.outChannels]);
  const dw = runWasmKernel(backend, 'BatchMatMul', { a: imT, b: dy2 }, { transposeA: false, transposeB: false });
  const out = reshape(backend, dw, attrs.filterShape);
  release(backend, xT, imT, dy2, dw);
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
 * The transposed patch matrix from channel-major x [C, N, H, W]: row (kh, kw, c), column (n, oh, ow).
 * Out-of-image taps stay zero (that is the padding).
 */
function im2colT(
  backend: BackendWasm,
  xT: TensorInfo,
  conv: backend_util.Conv2DInfo,
  M: number,
  K: number,
): TensorInfo {
  const imT = backend.makeOutput([K, M], 'float32');
  const heap = heapF32(backend);
  const xo = f32Offset(backend, xT);
  const io = f32Offset(backend, imT);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = conv;
  const { filterHeight: FH, filterWidth: FW, strideHeight: SH, strideWidth: SW } = conv;
  const { top, left, bottom, right } = conv.padInfo;
  if (top + left + bottom + right > 0) heap.fill(0, io, io + M * K);
  for (let kh = 0; kh < FH; kh++) {
    for (let kw = 0; kw < FW; kw++) {
      // Output columns whose tap (kh, kw) lands inside the image: iw = ow*SW + kw - left in [0, W).
      const owA = Math.max(0, Math.ceil((left - kw) / SW));
      const owB = Math.min(OW, Math.floor((W - 1 + left - kw) / SW) + 1);
      if (owB <= owA) continue;
      for (let c = 0; c < C; c++) {
        const row = io + ((kh * FW + kw) * C + c) * M;
        for (let n = 0; n < N; n++) {
          const plane = xo + (c * N + n) * H * W;
          for (let oh = 0; oh < OH; oh++) {
            const ih = oh * SH + kh - top;
            if (ih < 0 || ih >= H) continue;
            const src = plane + ih * W + kw - left;
            const dst = row + (n * OH + oh) * OW;
            // Stride 1: the taps are a run of adjacent pixels, one native memmove (an element loop over the
            // wasm heap costs ~3x more).
            if (SW === 1) heap.copyWithin(dst + owA, src + owA, src + owB);
            else for (let ow = owA; ow < owB; ow++) heap[dst + ow] = heap[src + ow * SW]!;
          }
        }
      }
    }
  }
  return imT;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
