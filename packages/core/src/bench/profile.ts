import * as tf from '@tensorflow/tfjs';
import type { BenchNet } from './nets.js';
import { createTrainer } from '../train/index.js';

export interface KernelShare {
  kernel: string;
  calls: number;
  ms: number;
  share: number;
}

/**
 * Where one training step's time goes, kernel by kernel (tf.profile times each kernel on the backend).
 * Conv kernels are the interesting ones: forward (FusedConv2D/Conv2D), input grad, filter grad.
 */
export async function profileTrainStep(net: BenchNet): Promise<{ totalMs: number; kernels: KernelShare[] }> {
  const model = net.build();
  const batch = net.batch(1);
  const trainer = await createTrainer(model, { optimizer: { name: 'sgd', learningRate: 0.01 }, workers: 1 });
  try {
    await trainer.step(batch);
    const start = performance.now();
    const info = await tf.profile(async () => {
      await trainer.step(batch);
    });
    const totalMs = performance.now() - start;
    const byName = new Map<string, { calls: number; ms: number }>();
    for (const k of info.kernels) {
      // Composite ops (names ending in __op) wrap kernels that are listed themselves.
      if (k.name.endsWith('__op')) continue;
      const entry = byName.get(k.name) ?? { calls: 0, ms: 0 };
      entry.calls++;
      entry.ms += Number(await k.kernelTimeMs);
      byName.set(k.name, entry);
    }
    const kernels = [...byName].map(([kernel, e]) => ({ kernel, calls: e.calls, ms: e.ms, share: e.ms / totalMs }));
    kernels.sort((a, b) => b.ms - a.ms);
    return { totalMs, kernels };
  } finally {
    await trainer.dispose();
    model.dispose();
  }
}
