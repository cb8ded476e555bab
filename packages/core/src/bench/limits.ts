import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { coreKernels } from '../backend/core-kernels/module.js';

/*
 * What one core can do inside WebAssembly: 128-bit SIMD is 4 float lanes; with fused multiply-add (relaxed
 * SIMD) on two FMA pipes (Zen 4, recent Intel cores) that is 2 x 4 x 2 = 16 FLOP a cycle, about 42 GFLOP/s at
 * 2.6 GHz. measureWasmPeak() runs core's multiply-add chains (no memory traffic) to measure the figure on the
 * machine at hand, at whatever clock it runs.
 */
export const WASM_FLOPS_PER_CYCLE = 16;
export const WASM_FLOPS_PER_CORE = WASM_FLOPS_PER_CYCLE * 2.6;

export interface WasmPeak {
  /** GFLOP/s of one core: best of several runs, CPU time. */
  gflops: number;
  /** The kernel build that ran ('fma' or 'simd'). */
  build: string;
}

/** The arithmetic ceiling of one core in wasm on this machine, or null when core's kernels are off. */
export function measureWasmPeak(): WasmPeak | null {
  if (tf.getBackend() !== 'wasm') return null;
  const kernels = coreKernels(tf.backend() as BackendWasm);
  if (!kernels) return null;
  const n = 20_000;
  const calls = 50;
  for (let i = 0; i < calls; i++) kernels.k.peak(1000);
  let best = 0;
  for (let round = 0; round < 5; round++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < calls; i++) kernels.k.peak(n);
    const c = process.cpuUsage(c0);
    const seconds = (c.user + c.system) / 1e6;
    // each pass: 12 chains x 4 lanes x (multiply + add)
    if (seconds > 0) best = Math.max(best, (calls * n * 12 * 4 * 2) / seconds / 1e9);
  }
  return { gflops: best, build: kernels.build };
}
