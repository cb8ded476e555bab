import * as tf from '@tensorflow/tfjs';
import type { KernelFunc } from '@tensorflow/tfjs';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { conv2dGemmConfig } from './conv2d-gemm.js';
import { equalConfig } from './equal.js';
import { gatherConfig } from './gather.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

const MARK = Symbol.for('cnn-lab.wasmTrainingKernels');

/**
 * Adds to the wasm backend the kernels training needs that tfjs-backend-wasm 4.22 lacks
 * (Conv2DBackpropFilter, UnsortedSegmentSum) or runs on a slow path (Conv2DBackpropInput, GatherV2 on rows,
 * broadcasting Equal, MaxPoolGrad, convolutions of
 * one or two input channels under a wide filter). Call after importing @tensorflow/tfjs-backend-wasm (initBackend does); calling it
 * again does nothing.
 */
export function registerWasmTrainingKernels(): void {
  const registry = globalThis as Record<symbol, unknown>;
  if (registry[MARK]) return;
  registry[MARK] = true;
  const original = (name: string) => tf.getKernel(name, 'wasm')?.kernelFunc as KernelFunc | undefined;
  replace(conv2DBackpropFilterConfig);
  replace(unsortedSegmentSumConfig);
  replace(conv2DBackpropInputConfig(original('Conv2DBackpropInput')));
  replace(gatherConfig(original('GatherV2')));
  replace(maxPoolGradConfig);
  for (const name of ['Conv2D', 'FusedConv2D'] as const) {
    const conv = original(name);
    if (conv) replace(conv2dGemmConfig(name, conv));
  }
  const equal = original('Equal');
  if (equal) replace(equalConfig(equal));
}

/** Names of the kernels core provides (or speeds up) for wasm. */
export const WASM_TRAINING_KERNELS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'UnsortedSegmentSum',
  'GatherV2',
  'Equal',
  'MaxPoolGrad',
  'Conv2D',
  'FusedConv2D',
] as const;

function replace(config: tf.KernelConfig): void {
  const previous = tf.getKernel(config.kernelName, config.backendName);
  if (previous) tf.unregisterKernel(config.kernelName, config.backendName);
  // The kernel we wrap still needs its own setup (binding its wasm function) when the backend starts.
  const setupFunc = config.setupFunc ?? previous?.setupFunc;
  tf.registerKernel(setupFunc ? { ...config, setupFunc } : config);
}
