import { backend_util, util } from '@tensorflow/tfjs';
import type {
  BatchMatMulAttrs,
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  FusedConv2DAttrs,
  KernelConfig,
  KernelFunc,
  SumAttrs,
  TensorInfo,
  _FusedMatMulAttrs,
} from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { activationFlags, conv2dBackpropFilter, conv2dBackpropInput, conv2dForward, geometry } from './conv.js';
import { batchMatMul } from './matmul.js';
import { coreKernels, countCall, Scratch } from './module.js';

/*
 * tfjs kernel configs for wasm that run core's kernels and hand anything they do not cover (NCHW, dilations,
 * other activations, int32) to the kernel they replace.
 */

type Fallback = KernelFunc | undefined;

function fallbackOr(fallback: Fallback, name: string): KernelFunc {
  if (fallback) return fallback;
  return () => {
    throw new Error(`${name} on wasm: this case needs tfjs-backend-wasm's own kernel, which is not registered`);
  };
}

function conv2dInfo(
  xShape: number[],
  filterShape: number[],
  attrs: {
    strides: [number, number] | number;
    pad: unknown;
    dataFormat?: string;
    dilations?: [number, number] | number;
    dimRoundingMode?: string;
  },
): backend_util.Conv2DInfo {
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad as never,
    attrs.dimRoundingMode as never,
    false,
    backend_util.convertConv2DDataFormat((attrs.dataFormat ?? 'NHWC') as 'NHWC' | 'NCHW'),
  );
}

type ConvArgs = {
  inputs: { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  backend: BackendWasm;
  attrs: FusedConv2DAttrs;
};

/** Conv2D and FusedConv2D (bias; linear, relu or relu6). */
export function coreConv2dConfig(kernelName: 'Conv2D' | 'FusedConv2D', fallback: Fallback): KernelConfig {
  const other = fallbackOr(fallback, kernelName);
  const kernelFunc = ((args: ConvArgs): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const kernels = coreKernels(backend);
    const { x, filter, bias, preluActivationWeights } = inputs;
    const flags = activationFlags(kernelName === 'FusedConv2D' ? attrs.activation : 'linear');
    if (!kernels || flags === null || preluActivationWeights || x.dtype !== 'float32')
      return other(args as never) as TensorInfo;
    const g = geometry(conv2dInfo(x.shape, filter.shape, attrs));
    if (!g || (bias && bias.shape.reduce((a, b) => a * b, 1) !== g.conv.outChannels))
      return other(args as never) as TensorInfo;
    countCall(kernelName);
    return conv2dForward(kernels, g, x, filter, bias, flags);
  }) as unknown as KernelFunc;
  return { kernelName, backendName: 'wasm', kernelFunc };
}

export function coreConv2dBackpropInputConfig(fallback: Fallback): KernelConfig {
  const other = fallbackOr(fallback, 'Conv2DBackpropInput');
  const kernelFunc = ((args: {
    inputs: { dy: TensorInfo; filter: TensorInfo };
    backend: BackendWasm;
    attrs: Conv2DBackpropInputAttrs;
  }): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const kernels = coreKernels(backend);
    const g = kernels ? geometry(conv2dInfo(attrs.inputShape, inputs.filter.shape, { ...attrs, dilations: 1 })) : null;
    if (!kernels || !g || inputs.dy.dtype !== 'float32') return other(args as never) as TensorInfo;
    countCall('Conv2DBackpropInput');
    return conv2dBackpropInput(kernels, g, inputs.dy, inputs.filter);
  }) as unknown as KernelFunc;
  return { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc };
}

export function coreConv2dBackpropFilterConfig(fallback: Fallback): KernelConfig {
  const other = fallbackOr(fallback, 'Conv2DBackpropFilter');
  const kernelFunc = ((args: {
    inputs: { x: TensorInfo; dy: TensorInfo };
    backend: BackendWasm;
    attrs: Conv2DBackpropFilterAttrs;
  }): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const kernels = coreKernels(backend);
    const g = kernels ? geometry(conv2dInfo(inputs.x.shape, attrs.filterShape, { ...attrs, dilations: 1 })) : null;
    if (!kernels || !g || inputs.x.dtype !== 'float32') return other(args as never) as TensorInfo;
    countCall('Conv2DBackpropFilter');
    return conv2dBackpropFilter(kernels, g, inputs.x, inputs.dy);
  }) as unknown as KernelFunc;
  return { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc };
}

type MatMulArgs = {
  inputs: { a: TensorInfo; b: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  backend: BackendWasm;
  attrs: BatchMatMulAttrs & Partial<_FusedMatMulAttrs>;
};

/** BatchMatMul and _FusedMatMul (bias of n; linear, relu or relu6), any transposes. */
export function coreMatMulConfig(kernelName: 'BatchMatMul' | '_FusedMatMul', fallback: Fallback): KernelConfig {
  const other = fallbackOr(fallback, kernelName);
  const kernelFunc = ((args: MatMulArgs): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const kernels = coreKernels(backend);
    const flags = activationFlags(kernelName === '_FusedMatMul' ? attrs.activation : 'linear');
    if (!kernels || flags === null || inputs.preluActivationWeights) return other(args as never) as TensorInfo;
    const out = batchMatMul(kernels, inputs.a, inputs.b, attrs.transposeA, attrs.transposeB, inputs.bias, flags);
    if (!out) return other(args as never) as TensorInfo;
    countCall(kernelName);
    return out;
  }) as unknown as KernelFunc;
  return { kernelName, backendName: 'wasm', kernelFunc };
}

/**
 * Sum over leading axes (what every bias gradient is: [n, h, w, c] -> [c]) in one pass; wasm's own Sum first
 * transposes the reduced axes innermost, a full copy of the tensor. Other reductions go to wasm's kernel.
 */
export function coreSumConfig(fallback: Fallback): KernelConfig {
  const other = fallbackOr(fallback, 'Sum');
  const kernelFunc = ((args: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: SumAttrs }): TensorInfo => {
    const { inputs, backend, attrs } = args;
    const { x } = inputs;
    const kernels = coreKernels(backend);
    if (!kernels || x.dtype !== 'float32') return other(args as never) as TensorInfo;
    const axes = util.parseAxisParam(attrs.axis, x.shape).sort((a, b) => a - b);
    const lead = axes.length;
    const leading = lead > 0 && lead < x.shape.length && axes.every((a, i) => a === i);
    const rows = x.shape.slice(0, lead).reduce((p, d) => p * d, 1);
    const cols = x.shape.slice(lead).reduce((p, d) => p * d, 1);
    if (!leading || cols < 4 || rows < 2) return other(args as never) as TensorInfo;
    countCall('Sum');
    const outShape = attrs.keepDims ? x.shape.map((d, i) => (i < lead ? 1 : d)) : x.shape.slice(lead);
    const out = backend.makeOutput(outShape, 'float32');
    const scratch = new Scratch(backend);
    try {
      const part = scratch.alloc(cols);
      kernels.k.sum_rows(backend.getMemoryOffset(x.dataId), rows, cols, backend.getMemoryOffset(out.dataId), part);
    } finally {
      scratch.free();
    }
    return out;
  }) as unknown as KernelFunc;
  return { kernelName: 'Sum', backendName: 'wasm', kernelFunc };
}
