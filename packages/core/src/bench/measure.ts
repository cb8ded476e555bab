import * as tf from '@tensorflow/tfjs';
import { createTrainer } from '../train/index.js';
import type { BenchNet } from './nets.js';

export interface Timing {
  forwardMs: number;
  trainStepMs: number | null;
}

/** Median wall time of `steps` runs after `warmup` runs. */
export async function medianMs(fn: () => Promise<void> | void, steps: number, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  return times.length % 2 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
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
): Promise<Timing & { workers: number; fallback?: string }> {
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
    const forwardMs =
      opts.forward === false
        ? Number.NaN
        : await medianMs(() => {
            tf.tidy(() => (model.predict(xs) as tf.Tensor).dataSync());
          }, steps);
    let trainStepMs: number | null = null;
    if (trainer) {
      trainStepMs = await medianMs(async () => {
        await trainer.step(batch);
      }, steps);
    }
    return { forwardMs, trainStepMs, workers: trainer?.workers ?? 1, ...(fallback ? { fallback } : {}) };
  } finally {
    await trainer?.dispose();
    tf.dispose([xs, ys]);
    model.dispose();
  }
}
