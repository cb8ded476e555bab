import { backend_util } from '@tensorflow/tfjs';
import type { FusedConv2DAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32Offset, heapF32, release, reshape, runWasmKernel } from './heap.js';

/**
 * Forward convolution as im2col + one GEMM, for the shape XNNPACK's convolution handles poorly: very few
 * input channels under a large filter (Kim's text CNN: 1 channel, [3..5 x 300] windows), where it is
 * measured ~2x slower than this. Every other convolution keeps wasm's kernel.
 */
export function useGemm(conv: backend_util.Conv2DInfo): boolean {
  return (
    conv.dataFormat === 'channelsLast' &&
    conv.dilationHeight === 1 &&
    conv.dilationWidth === 1 &&
    conv.inChannels <= 4 &&
    conv.filterHeight * conv.filterWidth * conv.inChannels >= 256
  );
}

type Args = {
  inputs: { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  backend: BackendWasm;
  attrs: FusedConv2DAttrs;
};

export function conv2dGemmConfig(kernelName: 'Conv2D' | 'FusedConv2D', fallback: KernelFunc): KernelConfig {
  const kernelFunc = ((args: Args): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { x, filter, bias, preluActivationWeights } = inputs;
    const conv = backend_util.computeConv2DInfo(
      x.shape as [number, number, number, number],
      filter.shape as [number, number, number, number],
      attrs.strides,
      attrs.dilations,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      backend_util.convertConv2DDataFormat(attrs.dataFormat),
    );
    const preluFits = !preluActivationWeights || preluActivationWeights.shape.reduce((a, b) => a * b, 1) === conv.outChannels;
    if (!useGemm(conv) || !preluFits || x.dtype !== 'float32') return fallback(args as never) as TensorInfo;
    const M = conv.batchSize * conv.outHeight * conv.outWidth;
    const K = conv.filterHeight * conv.filterWidth * conv.inChannels;
    // _FusedMatMul takes rank-3 operands (the op layer normally reshapes for it).
    const im = im2col(backend, x, conv, M, K);
    const im3 = reshape(backend, im, [1, M, K]);
    const w2 = reshape(backend, filter, [1, K, conv.outChannels]);
    const product =
      kernelName === 'Conv2D'
        ? runWasmKernel(backend, 'BatchMatMul', { a: im3, b: w2 }, { transposeA: false, transposeB: false })
        : runWasmKernel(
            backend,
            '_FusedMatMul',
            { a: im3, b: w2, ...(bias ? { bias } : {}), ...(preluActivationWeights ? { preluActivationWeights } : {}) },
            { transposeA: false, transposeB: false, activation: attrs.activation ?? 'linear', leakyreluAlpha: attrs.leakyreluAlpha ?? 0.2 },
          );
    const out = reshape(backend, product, conv.outShape);
    release(backend, im, im3, w2, product);
    return out;
  }) as unknown as KernelFunc;
  return { kernelName, backendName: 'wasm', kernelFunc };
}

/**
 * Rows (n, oh, ow), columns (kh, kw, c). For one row and one kh the kw taps are adjacent pixels of x, so
 * each copy is one heap memmove of up to filterWidth*inChannels floats; out-of-image taps stay zero.
 */
export function im2col(backend: BackendWasm, x: TensorInfo, conv: backend_util.Conv2DInfo, M: number, K: number): TensorInfo {
  const im = backend.makeOutput([M, K], 'float32');
  const heap = heapF32(backend);
  const xo = f32Offset(backend, x);
  const { inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW, filterHeight: FH, filterWidth: FW } = conv;
  const { strideHeight: SH, strideWidth: SW } = conv;
  const { top, left, bottom, right } = conv.padInfo;
  let row = f32Offset(backend, im);
  if (top + left + bottom + right > 0) heap.fill(0, row, row + M * K);
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
