import * as tf from '@tensorflow/tfjs';
import type { NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/*
 * Core's wasm kernels work on the backend's own tensor records and call wasm's kernels directly, never tf ops:
 * the engine sees one kernel call, every intermediate is freed here, and the output is a fresh backend buffer
 * the engine takes ownership of. (Returning a tensor made by tf ops inside a kernel breaks reference counts.)
 */

/** The float32 view of the whole wasm heap. Fetch it again after any allocation: growing memory detaches it. */
export function heapF32(backend: BackendWasm): Float32Array {
  return (backend.wasm as unknown as { HEAPF32: Float32Array }).HEAPF32;
}

/** Where a tensor's data starts in heapF32. */
export function f32Offset(backend: BackendWasm, t: TensorInfo): number {
  return backend.getMemoryOffset(t.dataId) / 4;
}

/** Runs another wasm kernel (one that ships with tfjs-backend-wasm) on backend records. */
export function runWasmKernel(
  backend: BackendWasm,
  name: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`wasm kernel ${name} is not registered`);
  return kernel.kernelFunc({ inputs, attrs, backend }) as TensorInfo;
}

/** The same data under another shape (shares the buffer; release it like any other result). */
export function reshape(backend: BackendWasm, x: TensorInfo, shape: number[]): TensorInfo {
  return runWasmKernel(backend, 'Reshape', { x }, { shape });
}

export function release(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}
