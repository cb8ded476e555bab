import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { release, runWasmKernel } from './heap.js';

/**
 * Equal with broadcasting, as used by the gradient of max-reductions (global max pooling: which position
 * held the max). wasm's comparison kernels take a ~100x slower path when shapes differ, while its
 * arithmetic broadcasts fast; so the smaller operand is first broadcast by adding it to zeros of the full
 * shape (x + 0 = x exactly, NaN and infinities included), then compared shape-to-shape.
 */
export function equalConfig(original: KernelFunc): KernelConfig {
  const kernelFunc = ((args: { inputs: { a: TensorInfo; b: TensorInfo }; backend: BackendWasm; attrs: object }) => {
    const { inputs, backend } = args;
    const { a, b } = inputs;
    const size = (s: number[]) => s.reduce((p, q) => p * q, 1);
    const same = a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
    if (same || a.dtype !== 'float32' || b.dtype !== 'float32' || size(a.shape) === 0 || size(b.shape) === 0) {
      return original(args as never);
    }
    const [big, small] = size(a.shape) >= size(b.shape) ? [a, b] : [b, a];
    const zeros = runWasmKernel(backend, 'Fill', {}, { shape: big.shape, value: 0, dtype: 'float32' });
    const spread = runWasmKernel(backend, 'Add', { a: zeros, b: small });
    if (size(spread.shape) !== size(big.shape)) {
      // Both operands broadcast (e.g. [n,1] against [1,m]): leave it to wasm's general kernel.
      release(backend, zeros, spread);
      return original(args as never);
    }
    const out = original({ ...args, inputs: big === a ? { a, b: spread } : { a: spread, b } } as never) as TensorInfo;
    release(backend, zeros, spread);
    return out;
  }) as unknown as KernelFunc;
  return { kernelName: 'Equal', backendName: 'wasm', kernelFunc };
}
