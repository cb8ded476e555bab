import type { GatherV2Attrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { f32Offset, heapF32 } from './heap.js';

/**
 * Row lookup (axis 0, no batch dims: an embedding lookup) as one heap memmove per index; wasm's own
 * GatherV2 walks element by element and is ~100x slower on a 20000x300 table (see docs/experiments/core.md). Every other
 * case goes to wasm's kernel.
 */
export function gatherConfig(fallback: KernelFunc | undefined): KernelConfig {
  const kernelFunc = ((args: {
    inputs: { x: TensorInfo; indices: TensorInfo };
    backend: BackendWasm;
    attrs: GatherV2Attrs;
  }) => {
    const { inputs, backend, attrs } = args;
    const { x, indices } = inputs;
    const axis = attrs.axis < 0 ? attrs.axis + x.shape.length : attrs.axis;
    if (axis !== 0 || (attrs.batchDims ?? 0) !== 0 || x.dtype !== 'float32' || x.shape.length < 1) {
      if (!fallback) throw new Error("GatherV2: this case needs wasm's own kernel, which is missing");
      return fallback(args as never);
    }
    const rows = x.shape[0]!;
    const inner = x.shape.slice(1).reduce((a, b) => a * b, 1);
    const ids = backend.readSync(indices.dataId) as Int32Array;
    const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], 'float32');
    const heap = heapF32(backend);
    const xo = f32Offset(backend, x);
    const oo = f32Offset(backend, out);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!(id >= 0 && id < rows)) {
        backend.disposeData(out.dataId);
        throw new Error(`GatherV2: the index value ${id} is not in [0, ${rows - 1}]`);
      }
      heap.copyWithin(oo + i * inner, xo + id * inner, xo + (id + 1) * inner);
    }
    return out;
  }) as unknown as KernelFunc;
  return { kernelName: 'GatherV2', backendName: 'wasm', kernelFunc };
}
