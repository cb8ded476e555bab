// Times a small-batch forward pass of AlphaGo-shaped policy nets three ways in one process, alternating so that a
// busy machine slows all alike: core's forward plan (createForwardPlan), model.predict on core's wasm kernels, and
// model.predict with core's kernels off (tfjs-backend-wasm's XNNPACK). CPU ms per forward, medians.
//   npx tsx packages/core/src/bench/forward-plan.ts [--nets 32x5,128x12] [--batches 1,4,16] [--rounds 7] [--json]
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import {
  coreKernelBuild,
  createForwardPlan,
  initBackend,
  setCoreKernelBuild,
  type ForwardPlan,
} from '../backend/index.js';
import { UsageError } from '../cli/errors.js';
import { Rng } from '../util/random.js';
import { median } from '../util/stats.js';

export const FORWARD_WAYS = ['plan', 'predict', 'kernels off'] as const;
export type ForwardWay = (typeof FORWARD_WAYS)[number];

export interface ForwardTiming {
  net: string;
  batch: number;
  /** Median CPU ms per forward pass, by way. */
  cpuMs: Record<ForwardWay, number>;
}

/**
 * The go policy net's shape as go-policy builds it, with stock layers: 5x5 conv, (layers - 2) 3x3 convs, all
 * `filters` wide with relu, a 1x1 conv to one plane, softmax over the 361 points.
 */
export function goNet(filters: number, layers: number, planes = 48): tf.LayersModel {
  const m = tf.sequential();
  m.add(
    tf.layers.conv2d({ inputShape: [19, 19, planes], filters, kernelSize: 5, padding: 'same', activation: 'relu' }),
  );
  for (let i = 0; i < layers - 2; i++)
    m.add(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' }));
  m.add(tf.layers.conv2d({ filters: 1, kernelSize: 1, useBias: false }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.activation({ activation: 'softmax' }));
  return m;
}

function parseNet(spec: string): { filters: number; layers: number } {
  const m = /^(\d+)x(\d+)$/.exec(spec);
  if (!m || Number(m[1]) < 1 || Number(m[2]) < 2)
    throw new UsageError(`--nets: '${spec}' is not FILTERSxLAYERS (e.g. 32x5, layers at least 2)`);
  return { filters: Number(m[1]), layers: Number(m[2]) };
}

export async function compareForward(nets: string[], batches: number[], rounds: number): Promise<ForwardTiming[]> {
  await initBackend({ backend: 'wasm', quiet: true });
  const build = coreKernelBuild();
  if (build === 'off')
    throw new UsageError("core's wasm kernels are off (CNN_LAB_WASM_KERNELS=off): nothing to compare");
  const rng = new Rng(1);
  const out: ForwardTiming[] = [];
  for (const spec of nets) {
    const { filters, layers } = parseNet(spec);
    const model = goNet(filters, layers);
    const plan: ForwardPlan = createForwardPlan(model);
    for (const batch of batches) {
      const input = new Float32Array(batch * 361 * 48);
      // Binary planes, about as sparse as go-policy's features (the dense kernels do not care).
      for (let i = 0; i < input.length; i++) input[i] = rng.next() < 0.15 ? 1 : 0;
      const predict = (): void => {
        tf.tidy(() => (model.predict(tf.tensor4d(input, [batch, 19, 19, 48])) as tf.Tensor).dataSync());
      };
      const run: Record<ForwardWay, () => void> = {
        plan: () => void plan.predict(input, batch),
        predict,
        'kernels off': predict,
      };
      // About 50 ms of work per timed cell.
      const reps = Math.max(1, Math.round(50 / (batch * filters * filters * layers * 0.00006 + 0.3)));
      const cpu: Record<ForwardWay, number[]> = { plan: [], predict: [], 'kernels off': [] };
      for (let r = 0; r <= rounds; r++) {
        for (const way of FORWARD_WAYS) {
          setCoreKernelBuild(way === 'kernels off' ? 'off' : build);
          try {
            run[way]();
            const c0 = process.cpuUsage();
            for (let i = 0; i < reps; i++) run[way]();
            const c = process.cpuUsage(c0);
            // Round 0 warms up (first calls compile kernels).
            if (r > 0) cpu[way].push((c.user + c.system) / 1000 / reps);
          } finally {
            setCoreKernelBuild(build);
          }
        }
      }
      out.push({
        net: spec,
        batch,
        cpuMs: { plan: median(cpu.plan), predict: median(cpu.predict), 'kernels off': median(cpu['kernels off']) },
      });
    }
    plan.dispose();
    model.dispose();
  }
  return out;
}

export function formatForwardTable(rows: ForwardTiming[]): string {
  const lines = [
    'CPU ms per forward pass (medians); plan: core forward plan, predict: model.predict on core kernels, kernels off: model.predict on XNNPACK',
    `${'net'.padEnd(8)}${'batch'.padStart(6)}${FORWARD_WAYS.map((w) => w.padStart(13)).join('')}${'vs predict'.padStart(12)}${'vs off'.padStart(9)}`,
  ];
  for (const r of rows) {
    const c = r.cpuMs;
    lines.push(
      `${r.net.padEnd(8)}${String(r.batch).padStart(6)}${FORWARD_WAYS.map((w) => c[w].toFixed(2).padStart(13)).join('')}` +
        `${`${(c.predict / c.plan).toFixed(2)}x`.padStart(12)}${`${(c['kernels off'] / c.plan).toFixed(2)}x`.padStart(9)}`,
    );
  }
  return lines.join('\n');
}

function listFlag(args: string[], flag: string, fallback: string): string[] {
  const at = args.indexOf(flag);
  return (at >= 0 ? (args[at + 1] ?? '') : fallback).split(',').filter((s) => s !== '');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  const nets = listFlag(args, '--nets', '32x5,128x12');
  const batches = listFlag(args, '--batches', '1,4,16').map((b) => {
    const n = Number(b);
    if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--batches: '${b}' is not an integer 1-256`);
    return n;
  });
  const rounds = Number(listFlag(args, '--rounds', '7')[0]);
  if (!Number.isInteger(rounds) || rounds < 1) throw new UsageError('--rounds: expected a positive integer');
  const rows = await compareForward(nets, batches, rounds);
  console.log(args.includes('--json') ? JSON.stringify(rows) : formatForwardTable(rows));
}
