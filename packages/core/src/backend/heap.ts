import * as tf from '@tensorflow/tfjs';

interface WasmHeapBackend {
  typedArrayFromHeap(info: {
    shape: number[];
    dtype: tf.DataType;
    dataId: object;
  }): Float32Array | Int32Array | Uint8Array;
}

/**
 * A tensor's values to read at once, not to keep: on wasm a view into the module's heap (no copy; it is detached
 * by the next allocation that grows the heap), elsewhere dataSync's array. dataSync on wasm copies into a fresh
 * array, and a fresh 20 MB array costs its page faults on this kind of machine (50-100 ms) before a byte is read.
 */
export function heapValues(t: tf.Tensor): Float32Array | Int32Array | Uint8Array {
  if (tf.getBackend() === 'wasm' && (t.dtype === 'float32' || t.dtype === 'int32' || t.dtype === 'bool'))
    return (tf.backend() as unknown as WasmHeapBackend).typedArrayFromHeap(t);
  return t.dataSync<'float32' | 'int32' | 'bool'>();
}
