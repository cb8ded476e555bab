import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { BenchNet } from './nets.js';
import { createTrainer } from '../train/index.js';

export interface KernelShare {
  kernel: string;
  calls: number;
  /** CPU ms in this kernel (outermost calls only: a kernel that runs others is charged for them). */
  cpuMs: number;
  /** Share of the step's CPU time. */
  share: number;
  /** Multiply-adds done (convolutions and matrix products), else 0. */
  macs: number;
  /** 2 x macs / CPU time, for the kernels that multiply; null for the others. */
  gflops: number | null;
}

export interface StepProfile {
  /** CPU ms of the whole step (this thread). */
  cpuMs: number;
  /** CPU ms outside every kernel: tape, optimizer bookkeeping, JavaScript glue. */
  outsideMs: number;
  /** Multiply-adds of the step's convolutions and matrix products. */
  macs: number;
  /** 2 x macs / step CPU time. */
  gflops: number;
  kernels: KernelShare[];
}

function conv2dMacs(xShape: number[], filterShape: number[], attrs: NamedAttrMap): number {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs['strides'] as [number, number],
    (attrs['dilations'] as [number, number] | undefined) ?? 1,
    attrs['pad'] as never,
    attrs['dimRoundingMode'] as never,
    false,
    tf.backend_util.convertConv2DDataFormat(((attrs['dataFormat'] as string | undefined) ?? 'NHWC') as 'NHWC'),
  );
  return (
    info.batchSize *
    info.outHeight *
    info.outWidth *
    info.filterHeight *
    info.filterWidth *
    info.inChannels *
    info.outChannels
  );
}

/** Multiply-adds of one kernel call, for the kernels that are products (0 for the rest). */
export function kernelMacs(
  kernel: string,
  inputs: Record<string, TensorInfo | undefined>,
  attrs: NamedAttrMap,
): number {
  switch (kernel) {
    case 'Conv2D':
    case 'FusedConv2D':
      return conv2dMacs(inputs['x']!.shape, inputs['filter']!.shape, attrs);
    case 'Conv2DBackpropInput':
      return conv2dMacs(attrs['inputShape'] as number[], inputs['filter']!.shape, attrs);
    case 'Conv2DBackpropFilter':
      return conv2dMacs(inputs['x']!.shape, attrs['filterShape'] as number[], attrs);
    case 'BatchMatMul':
    case '_FusedMatMul': {
      const a = inputs['a']!.shape;
      const b = inputs['b']!.shape;
      const m = attrs['transposeA'] ? a[a.length - 1]! : a[a.length - 2]!;
      const k = attrs['transposeA'] ? a[a.length - 2]! : a[a.length - 1]!;
      const n = attrs['transposeB'] ? b[b.length - 2]! : b[b.length - 1]!;
      const batches = Math.max(
        a.slice(0, -2).reduce((p, d) => p * d, 1),
        b.slice(0, -2).reduce((p, d) => p * d, 1),
      );
      return batches * m * n * k;
    }
    default:
      return 0;
  }
}

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Runs `fn` with every kernel of the current backend wrapped to add up its calls, CPU time and multiply-adds
 * (CPU time of this process: unlike wall time it stays meaningful on a busy machine).
 */
export async function withKernelAccounting<T>(
  fn: () => Promise<T>,
): Promise<{ result: T; cpuMs: number; kernels: Map<string, { calls: number; cpuMs: number; macs: number }> }> {
  const backendName = tf.getBackend();
  const originals: KernelConfig[] = tf.getKernelsForBackend(backendName);
  const kernels = new Map<string, { calls: number; cpuMs: number; macs: number }>();
  let depth = 0;
  for (const config of originals) {
    const inner = config.kernelFunc;
    const kernelFunc = ((args: { inputs: Record<string, TensorInfo>; attrs?: NamedAttrMap }) => {
      if (depth > 0) return inner(args as never);
      depth++;
      const t0 = cpuNow();
      try {
        return inner(args as never);
      } finally {
        depth--;
        const entry = kernels.get(config.kernelName) ?? { calls: 0, cpuMs: 0, macs: 0 };
        entry.calls++;
        entry.cpuMs += cpuNow() - t0;
        entry.macs += kernelMacs(config.kernelName, args.inputs, args.attrs ?? {});
        kernels.set(config.kernelName, entry);
      }
    }) as unknown as KernelFunc;
    tf.unregisterKernel(config.kernelName, backendName);
    tf.registerKernel({ ...config, kernelFunc });
  }
  try {
    const t0 = cpuNow();
    const result = await fn();
    return { result, cpuMs: cpuNow() - t0, kernels };
  } finally {
    for (const config of originals) {
      tf.unregisterKernel(config.kernelName, backendName);
      tf.registerKernel(config);
    }
  }
}

/** Where one training step's CPU time goes, kernel by kernel, after a warm-up step. */
export async function profileTrainStep(net: BenchNet): Promise<StepProfile> {
  const model = net.build();
  const batch = net.batch(1);
  const trainer = await createTrainer(model, { optimizer: { name: 'sgd', learningRate: 0.01 }, workers: 1 });
  try {
    await trainer.step(batch);
    const { cpuMs, kernels } = await withKernelAccounting(async () => {
      await trainer.step(batch);
    });
    const list = [...kernels].map(([kernel, e]) => ({
      kernel,
      calls: e.calls,
      cpuMs: e.cpuMs,
      share: e.cpuMs / cpuMs,
      macs: e.macs,
      gflops: e.macs > 0 && e.cpuMs > 0 ? (2 * e.macs) / e.cpuMs / 1e6 : null,
    }));
    list.sort((a, b) => b.cpuMs - a.cpuMs);
    const inKernels = list.reduce((s, k) => s + k.cpuMs, 0);
    const macs = list.reduce((s, k) => s + k.macs, 0);
    return { cpuMs, outsideMs: Math.max(0, cpuMs - inKernels), macs, gflops: (2 * macs) / cpuMs / 1e6, kernels: list };
  } finally {
    await trainer.dispose();
    model.dispose();
  }
}
