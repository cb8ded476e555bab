import * as tf from '@tensorflow/tfjs';
import type { KernelFunc } from '@tensorflow/tfjs';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { conv2DBackpropInputConfig } from './conv2d-backprop-input.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

const MARK = Symbol.for('cnn-lab.wasmTrainingKernels');

/**
 * Adds to the wasm backend the kernels training needs that tfjs-backend-wasm 4.22 lacks or runs slowly.
 * Call after importing @tensorflow/tfjs-backend-wasm (initBackend does); calling it again does nothing.
 */
export function registerWasmTrainingKernels(): void {
  const registry = globalThis as Record<symbol, unknown>;
  if (registry[MARK]) return;
  registry[MARK] = true;
  replace(conv2DBackpropFilterConfig);
  replace(unsortedSegmentSumConfig);
  const original = tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc as KernelFunc | undefined;
  replace(conv2DBackpropInputConfig(original));
}

/** Names of the kernels core provides for wasm. */
export const WASM_TRAINING_KERNELS = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'UnsortedSegmentSum'] as const;

function replace(config: tf.KernelConfig): void {
  if (tf.getKernel(config.kernelName, config.backendName)) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}
