import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/**
 * Identity that shares its input's buffer (a reference more on it), as the cpu and webgl backends do, instead of
 * wasm's copy. The engine clones every tensor it saves for the backward pass, so a Kim training step made 54
 * copies (3-6 ms of a 160 ms step). Tensors never change in place in tfjs; core's in-place writers (row tables,
 * Adadelta's accumulators) first give a variable a buffer of its own when another tensor shares it.
 */
export function identityConfig(original: KernelFunc): KernelConfig {
  const kernelFunc = ((args: { inputs: { x: TensorInfo }; backend: BackendWasm }) => {
    const { x } = args.inputs;
    if (x.dtype === 'string') return original(args);
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  }) as unknown as KernelFunc;
  return { kernelName: 'Identity', backendName: 'wasm', kernelFunc };
}
