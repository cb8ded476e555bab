import { backend_util } from '@tensorflow/tfjs';
import type { Conv2DBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32Offset, heapF32, release, reshape, runWasmKernel } from './heap.js';
import { forEachPatchRun } from './patch-runs.js';

type Args = { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: BackendWasm; attrs: Conv2DBackpropInputAttrs };

/**
 * Two exact ways, both on XNNPACK's fast paths (wasm's own kernel is ~10x slower than a forward conv):
 * - stride 1 with output about as large as the input ('same'-like): a forward convolution of dy with the
 *   filter rotated 180 degrees and its channel axes swapped;
 * - otherwise (strides > 1, or a filter nearly as wide as the input, as in Kim's text CNN, where that
 *   convolution would mostly multiply padding): dcol = dy · W^T as one GEMM, then col2im adds each
 *   patch row back into dx.
 * wasm's own kernel stays as the fallback for layouts neither covers (NCHW, padding wider than the filter).
 */
export function makeConv2DBackpropInput(fallback: KernelFunc | undefined): KernelFunc {
  return ((args: Args): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs;
    const dataFormat = backend_util.convertConv2DDataFormat(attrs.dataFormat);
    const conv = backend_util.computeConv2DInfo(
      attrs.inputShape,
      filter.shape as [number, number, number, number],
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
      false,
      dataFormat,
    );
    const { top, left, bottom, right } = conv.padInfo;
    const FH = conv.filterHeight;
    const FW = conv.filterWidth;
    const covered =
      conv.dataFormat === 'channelsLast' && top <= FH - 1 && left <= FW - 1 && bottom <= FH - 1 && right <= FW - 1;
    if (!covered) {
      if (!fallback)
        throw new Error("Conv2DBackpropInput: this padding/layout needs wasm's own kernel, which is missing");
      return fallback(args as never) as TensorInfo;
    }
    const { strideHeight: SH, strideWidth: SW, inHeight: H, inWidth: W } = conv;
    // MACs of the convolution path over those of the GEMM path: dx's pixels over dy's.
    const waste = (H * W) / (conv.outHeight * conv.outWidth);
    if (SH !== 1 || SW !== 1 || waste > 1.5) return gemmCol2im(backend, dy, filter, conv);
    const [, DH, DW] = dy.shape as [number, number, number, number];
    const rotated = rotateFilter(backend, filter);
    const pad: backend_util.ExplicitPadding = [
      [0, 0],
      [FH - 1 - top, H - 1 + top - (DH - 1)],
      [FW - 1 - left, W - 1 + left - (DW - 1)],
      [0, 0],
    ];
    const dx = runWasmKernel(backend, 'Conv2D', { x: dy, filter: rotated }, {
      strides: [1, 1],
      pad,
      dataFormat: 'NHWC',
      dilations: [1, 1],
      dimRoundingMode: undefined,
    } as never);
    release(backend, rotated);
    return dx;
  }) as unknown as KernelFunc;
}

/** w'[kh, kw, co, ci] = w[FH-1-kh, FW-1-kw, ci, co]; filters are small, so a JS loop is cheap here. */
function rotateFilter(backend: BackendWasm, filter: TensorInfo): TensorInfo {
  const [FH, FW, CI, CO] = filter.shape as [number, number, number, number];
  const out = backend.makeOutput([FH, FW, CO, CI], 'float32');
  const heap = heapF32(backend);
  const src = f32Offset(backend, filter);
  const dst = f32Offset(backend, out);
  for (let kh = 0; kh < FH; kh++) {
    for (let kw = 0; kw < FW; kw++) {
      const s = src + ((FH - 1 - kh) * FW + (FW - 1 - kw)) * CI * CO;
      const d = dst + (kh * FW + kw) * CO * CI;
      for (let ci = 0; ci < CI; ci++) {
        for (let co = 0; co < CO; co++) heap[d + co * CI + ci] = heap[s + ci * CO + co]!;
      }
    }
  }
  return out;
}

/** dx = col2im(dy · W^T), W as [K = FH*FW*CI, CO]. */
function gemmCol2im(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  conv: backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: CI, outHeight: OH, outWidth: OW, outChannels: CO } = conv;
  const { filterHeight: FH, filterWidth: FW } = conv;
  const M = N * OH * OW;
  const K = FH * FW * CI;
  const dy2 = reshape(backend, dy, [M, CO]);
  const w2 = reshape(backend, filter, [K, CO]);
  // An explicit transpose of the small filter: wasm's transposeB matMul is a ~10x slower path.
  const wT = runWasmKernel(backend, 'Transpose', { x: w2 }, { perm: [1, 0] });
  const dcol = runWasmKernel(backend, 'BatchMatMul', { a: dy2, b: wT }, { transposeA: false, transposeB: false });
  const dx = backend.makeOutput([N, H, W, CI], 'float32');
  const heap = heapF32(backend);
  const co = f32Offset(backend, dcol);
  const xo = f32Offset(backend, dx);
  heap.fill(0, xo, xo + N * H * W * CI);
  // col2im: each run of patch columns adds back onto the adjacent pixels of dx it was read from.
  forEachPatchRun(conv, (x, col, len) => {
    for (let j = 0; j < len; j++) heap[xo + x + j]! += heap[co + col + j]!;
  });
  release(backend, dy2, w2, wT, dcol);
  return dx;
}

export function conv2DBackpropInputConfig(fallback: KernelFunc | undefined): KernelConfig {
  return { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: makeConv2DBackpropInput(fallback) };
}
