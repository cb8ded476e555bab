import { backend_util } from '@tensorflow/tfjs';
import type { Conv2DBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32Offset, heapF32, release, runWasmKernel } from './heap.js';

type Args = { inputs: { dy: TensorInfo; filter: TensorInfo }; backend: BackendWasm; attrs: Conv2DBackpropInputAttrs };

/**
 * dx as a forward convolution (XNNPACK's fast path) of dy with the filter rotated 180 degrees and its channel
 * axes swapped. For stride s > 1, dy is first dilated (s - 1 zeros between samples), which keeps it exact.
 * wasm's own kernel computes the same thing about 10x slower; it stays as the fallback for layouts this one
 * does not cover (NCHW, padding wider than the filter).
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
      if (!fallback) throw new Error('Conv2DBackpropInput: this padding/layout needs wasm\'s own kernel, which is missing');
      return fallback(args as never) as TensorInfo;
    }
    const { strideHeight: SH, strideWidth: SW, inHeight: H, inWidth: W } = conv;
    const dyd = SH === 1 && SW === 1 ? dy : dilate(backend, dy, SH, SW);
    const [, DH, DW] = dyd.shape as [number, number, number, number];
    const rotated = rotateFilter(backend, filter);
    const pad: backend_util.ExplicitPadding = [
      [0, 0],
      [FH - 1 - top, H - 1 + top - (DH - 1)],
      [FW - 1 - left, W - 1 + left - (DW - 1)],
      [0, 0],
    ];
    const dx = runWasmKernel(
      backend,
      'Conv2D',
      { x: dyd, filter: rotated },
      { strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1], dimRoundingMode: undefined } as never,
    );
    release(backend, rotated);
    if (dyd !== dy) release(backend, dyd);
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

/** Spreads dy's samples s apart with zeros between them: a strided conv's gradient as a stride-1 one. */
function dilate(backend: BackendWasm, dy: TensorInfo, SH: number, SW: number): TensorInfo {
  const [N, OH, OW, C] = dy.shape as [number, number, number, number];
  const DH = (OH - 1) * SH + 1;
  const DW = (OW - 1) * SW + 1;
  const out = backend.makeOutput([N, DH, DW, C], 'float32');
  const heap = heapF32(backend);
  const src = f32Offset(backend, dy);
  const dst = f32Offset(backend, out);
  heap.fill(0, dst, dst + N * DH * DW * C);
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const s = src + ((n * OH + oh) * OW + ow) * C;
        heap.copyWithin(dst + ((n * DH + oh * SH) * DW + ow * SW) * C, s, s + C);
      }
    }
  }
  return out;
}

export function conv2DBackpropInputConfig(fallback: KernelFunc | undefined): KernelConfig {
  return { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: makeConv2DBackpropInput(fallback) };
}
