import * as tf from '@tensorflow/tfjs';
import type { GradConfig, KernelConfig, KernelFunc, MaxAttrs, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32Offset, heapF32 } from './heap.js';

/** The kernel behind the gradient below, registered for wasm only. */
export const MAX_GRAD_KERNEL = 'CnnLabMaxGrad';

/** x as [outer, reduced, inner] when the reduced axes are contiguous; null otherwise. */
export function reductionLayout(shape: readonly number[], axes: readonly number[]): [number, number, number] | null {
  const sorted = [...axes].sort((a, b) => a - b);
  if (sorted.length === 0 || sorted.some((a, i) => i > 0 && a !== (sorted[i - 1] as number) + 1)) return null;
  const first = sorted[0] as number;
  const last = sorted[sorted.length - 1] as number;
  const prod = (from: number, to: number) => shape.slice(from, to).reduce((p, d) => p * d, 1);
  return [prod(0, first), prod(first, last + 1), prod(last + 1, shape.length)];
}

/**
 * dx = dy where x equals its max, dy x 0 elsewhere: tfjs's gradient of Max (mul(dy, cast(equal(x, max)))) in one
 * pass over x instead of five kernels (reshapes, a broadcasting Equal, a Cast and a broadcasting Multiply: 7 ms of
 * a 160 ms Kim step for the three max-over-time poolings). Ties all get dy, as there; dy x 0 keeps the sign of
 * zero the Multiply gives. attrs.layout is x as [outer, reduced, inner]; y and dy hold outer x inner values.
 */
function maxGrad(args: {
  inputs: { x: TensorInfo; y: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: { layout: [number, number, number] };
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, y, dy } = inputs;
  const [outer, reduced, inner] = attrs.layout;
  const out = backend.makeOutput(x.shape, 'float32');
  const heap = heapF32(backend);
  const xo = f32Offset(backend, x);
  const yo = f32Offset(backend, y);
  const go = f32Offset(backend, dy);
  const oo = f32Offset(backend, out);
  for (let o = 0; o < outer; o++) {
    for (let r = 0; r < reduced; r++) {
      const row = (o * reduced + r) * inner;
      for (let i = 0; i < inner; i++) {
        const d = heap[go + o * inner + i]!;
        heap[oo + row + i] = d * (heap[xo + row + i] === heap[yo + o * inner + i] ? 1 : 0);
      }
    }
  }
  return out;
}

export const maxGradKernelConfig: KernelConfig = {
  kernelName: MAX_GRAD_KERNEL,
  backendName: 'wasm',
  kernelFunc: maxGrad as unknown as KernelFunc,
};

/**
 * tfjs's gradient of Max, with the one-pass kernel above on wasm for float32 inputs reduced over contiguous axes;
 * tfjs's own composition everywhere else (the same values: see maxGrad).
 */
export const maxGradConfig: GradConfig = {
  kernelName: 'Max',
  inputsToSave: ['x'],
  outputsToSave: [true],
  gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[], attrs: tf.NamedAttrMap) => {
    const grad = dy as tf.Tensor;
    const [x, y] = saved as [tf.Tensor, tf.Tensor];
    const { reductionIndices } = attrs as unknown as MaxAttrs;
    const axes = tf.util.parseAxisParam(reductionIndices, x.shape);
    const layout = reductionLayout(x.shape, axes);
    if (tf.getBackend() === 'wasm' && layout && x.dtype === 'float32' && grad.dtype === 'float32')
      return { x: () => tf.engine().runKernel<tf.Tensor>(MAX_GRAD_KERNEL, { x, y, dy: grad }, { layout }) };
    // tfjs 4.22's gradForMinAndMax.
    const keep = (t: tf.Tensor) =>
      t.rank < x.rank ? tf.reshape(t, tf.backend_util.expandShapeToKeepDim(t.shape, axes)) : t;
    return { x: () => tf.mul(keep(grad), tf.cast(tf.equal(x, keep(y)), grad.dtype)) };
  },
};
