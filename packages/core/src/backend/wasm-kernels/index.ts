import * as tf from '@tensorflow/tfjs';
import type { KernelFunc } from '@tensorflow/tfjs';
import {
  coreConv2dBackpropFilterConfig,
  coreConv2dBackpropInputConfig,
  coreConv2dConfig,
  coreMatMulConfig,
  coreSumConfig,
} from '../core-kernels/kernels.js';
import { conv2DBackpropFilterConfig } from './conv2d-backprop-filter.js';
import { makeConv2DBackpropInput } from './conv2d-backprop-input.js';
import { conv2dGemmConfig } from './conv2d-gemm.js';
import { equalConfig } from './equal.js';
import { gatherConfig } from './gather.js';
import { identityConfig } from './identity.js';
import { maxGradConfig, maxGradKernelConfig } from './max-grad.js';
import { maxPoolGradConfig } from './max-pool-grad.js';
import { unsortedSegmentSumConfig } from './unsorted-segment-sum.js';

const MARK = Symbol.for('cnn-lab.wasmTrainingKernels');

/**
 * Adds to the wasm backend the kernels training needs that tfjs-backend-wasm 4.22 lacks
 * (Conv2DBackpropFilter, UnsortedSegmentSum) or runs on a slow path (Conv2DBackpropInput, GatherV2 on rows,
 * broadcasting Equal, MaxPoolGrad, Sum over leading axes, Max's gradient), and puts core's own wasm GEMM kernels (packages/core/kernels, FMA where the
 * engine has relaxed SIMD) under the convolutions, both their gradients and the matrix products. Where core's
 * kernels are off (CNN_LAB_WASM_KERNELS=off) or do not cover a case, the kernels of earlier versions run: wasm's
 * own (XNNPACK) and core's compositions of them. Call after importing @tensorflow/tfjs-backend-wasm (initBackend
 * does); calling it again does nothing.
 */
export function registerWasmTrainingKernels(): void {
  const registry = globalThis as Record<symbol, unknown>;
  if (registry[MARK]) return;
  registry[MARK] = true;
  const original = (name: string) => tf.getKernel(name, 'wasm')?.kernelFunc as KernelFunc | undefined;
  replace(coreConv2dBackpropFilterConfig(conv2DBackpropFilterConfig.kernelFunc));
  replace(unsortedSegmentSumConfig);
  replace(coreConv2dBackpropInputConfig(makeConv2DBackpropInput(original('Conv2DBackpropInput'))));
  replace(gatherConfig(original('GatherV2')));
  replace(maxPoolGradConfig);
  for (const name of ['Conv2D', 'FusedConv2D'] as const) {
    const conv = original(name);
    if (conv) replace(coreConv2dConfig(name, conv2dGemmConfig(name, conv).kernelFunc));
  }
  for (const name of ['BatchMatMul', '_FusedMatMul'] as const) {
    const matMul = original(name);
    if (matMul) replace(coreMatMulConfig(name, matMul));
  }
  const equal = original('Equal');
  if (equal) replace(equalConfig(equal));
  const sum = original('Sum');
  if (sum) replace(coreSumConfig(sum));
  const identity = original('Identity');
  if (identity) replace(identityConfig(identity));
  // Max's gradient (max-over-time pooling) in one kernel on wasm; tfjs's own composition on other backends.
  replace(maxGradKernelConfig);
  tf.registerGradient(maxGradConfig);
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
  'BatchMatMul',
  '_FusedMatMul',
  'Sum',
  'CnnLabMaxGrad',
  'Identity',
] as const;

function replace(config: tf.KernelConfig): void {
  const previous = tf.getKernel(config.kernelName, config.backendName);
  if (previous) tf.unregisterKernel(config.kernelName, config.backendName);
  // The kernel we wrap still needs its own setup (binding its wasm function) when the backend starts.
  const setupFunc = config.setupFunc ?? previous?.setupFunc;
  tf.registerKernel(setupFunc ? { ...config, setupFunc } : config);
}
