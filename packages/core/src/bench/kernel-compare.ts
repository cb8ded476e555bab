// Times the kernels core registers for wasm on the reference nets' shapes, in one process so the comparison
// shares the machine's conditions: tfjs-backend-wasm's own kernel (where it has one), core's kernels of earlier
// versions (compositions of wasm's kernels; CNN_LAB_WASM_KERNELS=off), and core's own wasm GEMM kernels in
// both builds. GFLOP/s = 2 x multiply-adds / CPU time.
//   npx tsx packages/core/src/bench/kernel-compare.ts [--steps 5] [--json]
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  CORE_KERNEL_BUILDS,
  coreKernelBuildAvailable,
  registerWasmTrainingKernels,
  setCoreKernelBuild,
} from '../backend/index.js';
import type { CoreKernelChoice } from '../backend/index.js';
import { median } from '../util/stats.js';
import { WASM_FLOPS_PER_CORE } from './limits.js';

export interface KernelTiming {
  what: string;
  /** Multiply-adds of one call. */
  macs: number;
  /** Median CPU ms per call, by implementation ('wasm' = tfjs-backend-wasm's own). */
  cpuMs: Partial<Record<'wasm' | CoreKernelChoice, number>>;
}

/**
 * Median CPU ms of one kernel run. wasm kernels run synchronously inside the call, so the result is not read
 * back (copying a 6 MB output into JavaScript would add a constant that has nothing to do with the kernel).
 */
function time(fn: () => tf.Tensor, steps: number): number {
  const first = fn();
  first.dataSync();
  first.dispose();
  const cpu: number[] = [];
  for (let i = 0; i < steps; i++) {
    const c0 = process.cpuUsage();
    const r = fn();
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    r.dispose();
  }
  return median(cpu);
}

const run = (name: string, inputs: tf.NamedTensorMap, attrs: object) => () =>
  tf.engine().runKernel<tf.Tensor>(name, inputs, attrs as never);

const conv = (pad: 'same' | 'valid') => ({ strides: [1, 1], pad, dataFormat: 'NHWC', dilations: [1, 1] });

export async function compareKernels(steps = 5): Promise<KernelTiming[]> {
  await tf.setBackend('wasm');
  await tf.ready();
  const r = (shape: number[]) => tf.randomUniform(shape, -1, 1);
  const x64 = r([64, 19, 19, 64]);
  const x48 = r([64, 19, 19, 48]);
  const dy64 = r([64, 19, 19, 64]);
  const w3 = r([3, 3, 64, 64]);
  const w5 = r([5, 5, 48, 64]);
  const b64 = r([64]);
  const x1 = r([1, 19, 19, 48]);
  const x1b = r([1, 19, 19, 64]);
  const kimX = r([50, 56, 300, 1]);
  const kimW = r([4, 300, 1, 100]);
  const kimDy = r([50, 53, 1, 100]);
  const mnX = r([64, 13, 13, 25]);
  const mnW = r([3, 3, 25, 50]);
  const mnDy = r([64, 11, 11, 50]);
  const dA = r([1, 64, 1250]);
  const dW = r([1, 1250, 100]);
  const dDy = r([1, 64, 100]);
  const go3 = 64 * 361 * 576 * 64;
  const go5 = 64 * 361 * 1200 * 64;
  const kim = 50 * 53 * 1200 * 100;
  const mn = 64 * 121 * 225 * 50;
  const cases: Array<{ what: string; macs: number; fn: () => tf.Tensor; wasmHasIt: boolean }> = [
    {
      what: 'FusedConv2D 3x3 64->64 relu, go',
      macs: go3,
      fn: () =>
        tf.fused.conv2d({
          x: x64 as tf.Tensor4D,
          filter: w3 as tf.Tensor4D,
          strides: 1,
          pad: 'same',
          bias: b64,
          activation: 'relu',
        }),
      wasmHasIt: true,
    },
    {
      what: 'FusedConv2D 5x5 48->64 relu, go',
      macs: go5,
      fn: () =>
        tf.fused.conv2d({
          x: x48 as tf.Tensor4D,
          filter: w5 as tf.Tensor4D,
          strides: 1,
          pad: 'same',
          bias: b64,
          activation: 'relu',
        }),
      wasmHasIt: true,
    },
    {
      what: 'Conv2DBackpropInput 3x3 64->64, go',
      macs: go3,
      fn: run('Conv2DBackpropInput', { dy: dy64, filter: w3 }, { ...conv('same'), inputShape: [64, 19, 19, 64] }),
      wasmHasIt: true,
    },
    {
      what: 'Conv2DBackpropFilter 3x3 64->64, go',
      macs: go3,
      fn: run('Conv2DBackpropFilter', { x: x64, dy: dy64 }, { ...conv('same'), filterShape: [3, 3, 64, 64] }),
      wasmHasIt: false,
    },
    {
      what: 'Conv2DBackpropFilter 5x5 48->64, go',
      macs: go5,
      fn: run('Conv2DBackpropFilter', { x: x48, dy: dy64 }, { ...conv('same'), filterShape: [5, 5, 48, 64] }),
      wasmHasIt: false,
    },
    {
      what: 'FusedConv2D 5x5 48->64, go, batch 1',
      macs: go5 / 64,
      fn: () =>
        tf.fused.conv2d({
          x: x1 as tf.Tensor4D,
          filter: w5 as tf.Tensor4D,
          strides: 1,
          pad: 'same',
          bias: b64,
          activation: 'relu',
        }),
      wasmHasIt: true,
    },
    {
      what: 'FusedConv2D 3x3 64->64, go, batch 1',
      macs: go3 / 64,
      fn: () =>
        tf.fused.conv2d({
          x: x1b as tf.Tensor4D,
          filter: w3 as tf.Tensor4D,
          strides: 1,
          pad: 'same',
          bias: b64,
          activation: 'relu',
        }),
      wasmHasIt: true,
    },
    {
      what: 'Conv2D 4x300 window, 1 channel, kim',
      macs: kim,
      fn: run('Conv2D', { x: kimX, filter: kimW }, conv('valid')),
      wasmHasIt: true,
    },
    {
      what: 'Conv2DBackpropInput 4x300, kim',
      macs: kim,
      fn: run('Conv2DBackpropInput', { dy: kimDy, filter: kimW }, { ...conv('valid'), inputShape: [50, 56, 300, 1] }),
      wasmHasIt: true,
    },
    {
      what: 'Conv2DBackpropFilter 4x300, kim',
      macs: kim,
      fn: run('Conv2DBackpropFilter', { x: kimX, dy: kimDy }, { ...conv('valid'), filterShape: [4, 300, 1, 100] }),
      wasmHasIt: false,
    },
    {
      what: 'Conv2D 3x3 25->50, mnist',
      macs: mn,
      fn: run('Conv2D', { x: mnX, filter: mnW }, conv('valid')),
      wasmHasIt: true,
    },
    {
      what: 'Conv2DBackpropInput 3x3 25->50, mnist',
      macs: mn,
      fn: run('Conv2DBackpropInput', { dy: mnDy, filter: mnW }, { ...conv('valid'), inputShape: [64, 13, 13, 25] }),
      wasmHasIt: true,
    },
    {
      what: 'Conv2DBackpropFilter 3x3 25->50, mnist',
      macs: mn,
      fn: run('Conv2DBackpropFilter', { x: mnX, dy: mnDy }, { ...conv('valid'), filterShape: [3, 3, 25, 50] }),
      wasmHasIt: false,
    },
    {
      what: 'BatchMatMul 64x1250 . 1250x100, mnist dense',
      macs: 64 * 1250 * 100,
      fn: run('BatchMatMul', { a: dA, b: dW }, { transposeA: false, transposeB: false }),
      wasmHasIt: true,
    },
    {
      what: 'BatchMatMul A^T: (64x1250)^T . 64x100, its gradient',
      macs: 64 * 1250 * 100,
      fn: run('BatchMatMul', { a: dA, b: dDy }, { transposeA: true, transposeB: false }),
      wasmHasIt: true,
    },
  ];
  const results: KernelTiming[] = cases.map((c) => ({ what: c.what, macs: c.macs, cpuMs: {} }));
  for (const [i, c] of cases.entries()) if (c.wasmHasIt) results[i]!.cpuMs.wasm = time(c.fn, steps);
  registerWasmTrainingKernels();
  const choices: CoreKernelChoice[] = ['off', ...CORE_KERNEL_BUILDS.filter(coreKernelBuildAvailable)];
  for (const choice of choices) {
    setCoreKernelBuild(choice);
    for (const [i, c] of cases.entries()) results[i]!.cpuMs[choice] = time(c.fn, steps);
  }
  return results;
}

export function formatKernelTable(rows: KernelTiming[]): string {
  const cols: Array<'wasm' | CoreKernelChoice> = ['wasm', 'off', 'simd', 'fma'];
  const names: Record<string, string> = { wasm: 'wasm 4.22', off: 'core, earlier', simd: 'core simd', fma: 'core fma' };
  const cell = (r: KernelTiming, c: 'wasm' | CoreKernelChoice) => {
    const ms = r.cpuMs[c];
    return ms === undefined ? 'missing' : `${ms.toFixed(1)} ms ${((2 * r.macs) / ms / 1e6).toFixed(1).padStart(5)}`;
  };
  const lines = [
    `CPU ms per call and GFLOP/s (2 x a direct convolution's MACs / CPU time; Winograd does fewer); one core's wasm limit is about ${WASM_FLOPS_PER_CORE.toFixed(0)} GFLOP/s (FMA)`,
    `${'kernel and shape'.padEnd(50)}${cols.map((c) => names[c]!.padStart(18)).join('')}`,
  ];
  for (const r of rows) lines.push(`${r.what.padEnd(50)}${cols.map((c) => cell(r, c).padStart(18)).join('')}`);
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const stepsAt = args.indexOf('--steps');
  const steps = stepsAt >= 0 ? Number(args[stepsAt + 1]) : 5;
  if (!Number.isInteger(steps) || steps < 1)
    throw new Error(`--steps: expected a positive integer, got '${args[stepsAt + 1]}'`);
  const rows = await compareKernels(steps);
  console.log(args.includes('--json') ? JSON.stringify(rows) : formatKernelTable(rows));
}
