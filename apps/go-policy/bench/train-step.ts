// Training throughput of the shipped net shape beside the PyTorch anchor, in one run: one training step
// (batch of random 0/1 planes, Adam as `train` uses) through core's trainer on wasm with 1 and 2 gradient
// workers, then the same step in PyTorch (bench/torch_step.py) at 1 and 2 threads. Prints positions/s
// (wall and per CPU-second) and the tfjs/PyTorch ratio at each worker/thread count.
//   tsx bench/train-step.ts [--filters 32] [--layers 5] [--batch 32] [--planes 48] [--steps 20]
//                           [--workers 1,2] [--backend wasm] [--no-torch] [--json]
// The step excludes feature encoding (bench/features.ts times that) and data loading.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { Rng, createTrainer, initBackend, withSeed } from '@cnn-lab/core';
import type { ArrayBatch } from '@cnn-lab/core';
import { buildPolicyNet } from '../src/model/policy.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const TORCH_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'torch_step.py');
const LEARNING_RATE = 0.002; // train's default

interface Shape {
  planes: number;
  filters: number;
  layers: number;
  batch: number;
}

interface Row {
  framework: 'tfjs' | 'pytorch';
  backend: string;
  /** gradient worker threads (tfjs) or torch.set_num_threads (PyTorch) */
  threads: number;
  stepMs: number;
  stepCpuMs: number;
  positionsPerSecond: number;
  positionsPerCpuSecond: number;
  note?: string;
}

function positiveInt(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${value}`);
  return n;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function randomBatch(shape: Shape, seed: number): ArrayBatch {
  const rng = new Rng(seed);
  const data = new Float32Array(shape.batch * 19 * 19 * shape.planes);
  for (let i = 0; i < data.length; i++) data[i] = rng.next() < 0.5 ? 0 : 1;
  const ys = Int32Array.from({ length: shape.batch }, () => rng.int(361));
  return { xs: { data, shape: [shape.batch, 19, 19, shape.planes] }, ys };
}

function throughput(batch: number, stepMs: number, stepCpuMs: number) {
  return {
    positionsPerSecond: Math.round((batch * 1000) / stepMs),
    positionsPerCpuSecond: Math.round((batch * 1000) / stepCpuMs),
  };
}

/** Median wall and CPU (this process, every thread: the gradient workers are threads) ms of one step. */
async function timeTfjs(shape: Shape, workers: number, steps: number, backend: string): Promise<Row> {
  const model = withSeed(1, () => buildPolicyNet(shape));
  let fallback: string | undefined;
  const trainer = await createTrainer(model, {
    optimizer: { name: 'adam', learningRate: LEARNING_RATE },
    workers,
    seed: 1,
    onFallback: (why) => (fallback = why),
  });
  try {
    const batch = randomBatch(shape, 1);
    // Warm-up: the first steps compile kernels and, with workers, start their wasm instances.
    for (let i = 0; i < 3; i++) await trainer.step(batch);
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < steps; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await trainer.step(batch);
      wall.push(performance.now() - t0);
      const c = process.cpuUsage(c0);
      cpu.push((c.user + c.system) / 1000);
    }
    const stepMs = median(wall);
    const stepCpuMs = median(cpu);
    return {
      framework: 'tfjs',
      backend,
      threads: trainer.workers,
      stepMs,
      stepCpuMs,
      ...throughput(shape.batch, stepMs, stepCpuMs),
      ...(trainer.workers !== workers
        ? { note: fallback ?? `asked for ${workers} workers, got ${trainer.workers}` }
        : {}),
    };
  } finally {
    await trainer.dispose();
    model.dispose();
  }
}

async function timeTorch(shape: Shape, threads: number, steps: number): Promise<Row> {
  const args = [
    TORCH_SCRIPT,
    '--planes',
    String(shape.planes),
    '--filters',
    String(shape.filters),
    '--layers',
    String(shape.layers),
  ];
  args.push(
    '--batch',
    String(shape.batch),
    '--threads',
    String(threads),
    '--steps',
    String(steps),
    '--lr',
    String(LEARNING_RATE),
  );
  const { stdout } = await run(PYTHON, args, { timeout: 20 * 60_000 });
  const line = stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`${TORCH_SCRIPT} printed no JSON line (stdout: ${stdout.slice(0, 200)})`);
  const r = JSON.parse(line) as { version: string; trainStepMs: number; trainStepCpuMs: number };
  return {
    framework: 'pytorch',
    backend: 'cpu',
    threads,
    stepMs: r.trainStepMs,
    stepCpuMs: r.trainStepCpuMs,
    ...throughput(shape.batch, r.trainStepMs, r.trainStepCpuMs),
    note: `torch ${r.version}`,
  };
}

/** Why PyTorch cannot run here, or null. */
async function torchMissing(): Promise<string | null> {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  try {
    await run(PYTHON, ['-c', 'import torch'], { timeout: 120_000 });
    return null;
  } catch (err) {
    return `${PYTHON} -c "import torch" failed: ${(err as Error).message.split('\n')[0]}`;
  }
}

function ratios(rows: Row[]) {
  return rows
    .filter((r) => r.framework === 'tfjs')
    .flatMap((t) => {
      const p = rows.find((r) => r.framework === 'pytorch' && r.threads === t.threads);
      if (!p) return [];
      return [
        { threads: t.threads, wall: +(t.stepMs / p.stepMs).toFixed(2), cpu: +(t.stepCpuMs / p.stepCpuMs).toFixed(2) },
      ];
    });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      planes: { type: 'string', default: '48' },
      filters: { type: 'string', default: '32' },
      layers: { type: 'string', default: '5' },
      batch: { type: 'string', default: '32' },
      steps: { type: 'string', default: '20' },
      workers: { type: 'string', default: '1,2' },
      backend: { type: 'string', default: 'wasm' },
      'no-torch': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
  });
  const shape: Shape = {
    planes: positiveInt('planes', values.planes),
    filters: positiveInt('filters', values.filters),
    layers: positiveInt('layers', values.layers),
    batch: positiveInt('batch', values.batch),
  };
  const steps = positiveInt('steps', values.steps);
  const counts = (values.workers ?? '').split(',').map((s) => positiveInt('workers', s.trim()));
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const backend = await initBackend({ backend: values.backend as 'wasm', quiet: true });
  const load0 = loadavg()[0]!;
  log(
    `${shape.filters} filters x ${shape.layers} layers, ${shape.planes} planes, batch ${shape.batch}, ${steps} timed steps; load ${load0.toFixed(2)}`,
  );

  const rows: Row[] = [];
  for (const w of counts) {
    log(`tfjs ${backend}, ${w} gradient worker(s)...`);
    rows.push(await timeTfjs(shape, w, steps, backend));
  }
  const missing = values['no-torch'] ? 'skipped (--no-torch)' : await torchMissing();
  if (missing) log(`pytorch: ${missing}`);
  else {
    for (const t of counts) {
      log(`pytorch, ${t} thread(s)...`);
      rows.push(await timeTorch(shape, t, steps));
    }
  }
  const result = { shape, steps, rows, ratioToPytorch: ratios(rows), load: [load0, loadavg()[0]!] };

  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log(`framework  backend  threads  step ms  step CPU ms  positions/s  positions/CPU-s`);
  for (const r of rows) {
    console.log(
      `${r.framework.padEnd(9)}  ${r.backend.padEnd(7)}  ${pad(r.threads, 7)}  ${pad(r.stepMs.toFixed(1), 7)}  ${pad(r.stepCpuMs.toFixed(1), 11)}  ${pad(r.positionsPerSecond, 11)}  ${pad(r.positionsPerCpuSecond, 15)}  ${r.note ?? ''}`,
    );
  }
  for (const q of result.ratioToPytorch)
    console.log(`tfjs / PyTorch at ${q.threads} thread(s): ${q.wall}x wall, ${q.cpu}x CPU`);
  console.log(`load average (1 min) before ${load0.toFixed(2)}, after ${loadavg()[0]!.toFixed(2)}`);
  if (values.json) console.log(JSON.stringify(result));
}

main().catch((err: unknown) => {
  console.error(`error: ${(err as Error).message}`);
  process.exit(1);
});
