import * as tf from '@tensorflow/tfjs';
import { createTrainer } from '../train/index.js';
import { median } from '../util/stats.js';
import type { BenchNet } from './nets.js';
import { withKernelAccounting } from './profile.js';

export interface Timing {
  forwardMs: number;
  trainStepMs: number | null;
  /** CPU time of this process: on a busy shared machine it tracks the work done, where wall time does not. */
  forwardCpuMs: number;
  trainStepCpuMs: number | null;
}

/** Median wall time and median CPU time (this process, all threads) of `steps` runs after `warmup` runs. */
export async function medianMs(
  fn: () => Promise<void> | void,
  steps: number,
  warmup = 1,
): Promise<{ wall: number; cpu: number }> {
  for (let i = 0; i < warmup; i++) await fn();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < steps; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall: median(wall), cpu: median(cpu) };
}

export function toTensors(net: BenchNet, seed: number): { xs: tf.Tensor; ys: tf.Tensor } {
  const b = net.batch(seed);
  const dtype = b.xs.data instanceof Int32Array ? 'int32' : 'float32';
  return { xs: tf.tensor(b.xs.data, b.xs.shape, dtype), ys: tf.tensor1d(Float32Array.from(b.ys)) };
}

/**
 * Forward pass (inference, result read back) and one SGD training step (lr 0.01, cross-entropy on class
 * indices, through core's trainer as fit runs it; the step ends when the loss is read back), on the current
 * backend, as PyTorch's twin times them. `workers` > 1 splits each batch across core's gradient workers.
 */
export async function timeNet(
  net: BenchNet,
  steps: number,
  opts: { train: boolean; forward?: boolean; workers?: number },
): Promise<Timing & { workers: number; fallback?: string; stepMacs: number | null }> {
  const model = net.build();
  const { xs, ys } = toTensors(net, 1);
  const batch = net.batch(1);
  let fallback: string | undefined;
  const trainer = opts.train
    ? await createTrainer(model, {
        optimizer: { name: 'sgd', learningRate: 0.01 },
        workers: opts.workers ?? 1,
        seed: 1,
        onFallback: (why) => (fallback = why),
      })
    : undefined;
  try {
    const forward =
      opts.forward === false
        ? { wall: Number.NaN, cpu: Number.NaN }
        : await medianMs(() => {
            tf.tidy(() => (model.predict(xs) as tf.Tensor).dataSync());
          }, steps);
    // In one thread the warm-up step also counts the step's multiply-adds (its kernels run here).
    let stepMacs: number | null = null;
    if (trainer && trainer.workers === 1) {
      const { kernels } = await withKernelAccounting(() => trainer.step(batch));
      stepMacs = [...kernels.values()].reduce((s, k) => s + k.macs, 0);
    }
    const train = trainer
      ? await medianMs(
          async () => {
            await trainer.step(batch);
          },
          steps,
          stepMacs === null ? 1 : 0,
        )
      : null;
    return {
      forwardMs: forward.wall,
      forwardCpuMs: forward.cpu,
      trainStepMs: train?.wall ?? null,
      trainStepCpuMs: train?.cpu ?? null,
      workers: trainer?.workers ?? 1,
      stepMacs,
      ...(fallback ? { fallback } : {}),
    };
  } finally {
    await trainer?.dispose();
    tf.dispose([xs, ys]);
    model.dispose();
  }
}
