import { backend_util } from '@tensorflow/tfjs';
import type { FusedConv2DAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32Offset, heapF32, release, reshape, runWasmKernel } from './heap.js';
import { forEachPatchRun } from './patch-runs.js';

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
    const preluFits =
      !preluActivationWeights || preluActivationWeights.shape.reduce((a, b) => a * b, 1) === conv.outChannels;
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
            {
              transposeA: false,
              transposeB: false,
              activation: attrs.activation ?? 'linear',
              leakyreluAlpha: attrs.leakyreluAlpha ?? 0.2,
            },
          );
    const out = reshape(backend, product, conv.outShape);
    release(backend, im, im3, w2, product);
    return out;
  }) as unknown as KernelFunc;
  return { kernelName, backendName: 'wasm', kernelFunc };
}

/** The patch matrix: rows (n, oh, ow), columns (kh, kw, c); each run of taps is one heap memmove. */
export function im2col(
  backend: BackendWasm,
  x: TensorInfo,
  conv: backend_util.Conv2DInfo,
  M: number,
  K: number,
): TensorInfo {
  const im = backend.makeOutput([M, K], 'float32');
  const heap = heapF32(backend);
  const xo = f32Offset(backend, x);
  const io = f32Offset(backend, im);
  const { top, left, bottom, right } = conv.padInfo;
  if (top + left + bottom + right > 0) heap.fill(0, io, io + M * K);
  forEachPatchRun(conv, (xs, col, len) => heap.copyWithin(io + col, xo + xs, xo + xs + len));
  return im;
}
