import type { BackendName } from '../backend/index.js';
import { timeNet } from './measure.js';
import type { BenchNet } from './nets.js';

/**
 * One data-parallel training step: core's trainer splits the batch across `workers` worker threads (each
 * with its own wasm instance), averages their gradients and applies them once.
 */
export async function parallelTrainStepMs(
  net: BenchNet,
  backend: BackendName,
  workers: number,
  steps: number,
): Promise<{ ms: number | null; cpuMs?: number | null; note?: string }> {
  if (backend === 'node') return { ms: null, note: 'not run: tfjs-node already uses every core inside one op' };
  const t = await timeNet(net, steps, { train: true, forward: false, workers });
  if (t.workers !== workers) return { ms: null, note: t.fallback ?? `only ${t.workers} worker(s) started` };
  return { ms: t.trainStepMs, cpuMs: t.trainStepCpuMs };
}
