#!/usr/bin/env node
// `pnpm --filter @cnn-lab/core bench`: forward and training-step times of the reference nets on every
// available backend, side by side with PyTorch at the same thread count. The only file here that reads
// flags, spawns processes or prints.
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from 'commander';
import { createProgram, runAction, runProgram, withCommonOptions } from '../cli/index.js';
import type { CommonOptions } from '../cli/index.js';
import { BACKENDS, coreKernelBuild, initBackend } from '../backend/index.js';
import type { BackendName } from '../backend/index.js';
import { BENCH_NETS, benchNet } from './nets.js';
import type { BenchNetName } from './nets.js';
import { timeNet } from './measure.js';
import { profileTrainStep } from './profile.js';
import { runTorchBench, torchUnavailable } from './pytorch.js';
import { formatTable, round, withRatios } from './report.js';
import type { BenchRow } from './report.js';
import { parallelTrainStepMs } from './parallel.js';
import { measureWasmPeak, WASM_FLOPS_PER_CORE } from './limits.js';
import type { WasmPeak } from './limits.js';

interface BenchOptions extends CommonOptions {
  nets: BenchNetName[];
  steps: number;
  workers: number[];
  backend?: string;
  torch: boolean;
  profile: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));
// dist/bench/cli.js and src/bench/cli.ts both sit two folders below the package root; the script stays in src/bench.
const TORCH_SCRIPT = join(here, '..', '..', 'src', 'bench', 'torch_bench.py');

function listOf<T extends string>(choices: readonly T[], what: string) {
  return (value: string): T[] => {
    const items = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const bad = items.filter((s) => !(choices as readonly string[]).includes(s));
    if (items.length === 0 || bad.length) {
      throw new InvalidArgumentError(`expected ${what} from ${choices.join(', ')} (comma-separated), got '${value}'`);
    }
    return items as T[];
  };
}

function workerCounts(value: string): number[] {
  const cores = availableParallelism();
  const items = value.split(',').map((s) => s.trim());
  const counts = items.map((s) => (s === 'all' ? cores : Number(s)));
  if (counts.some((n) => !Number.isInteger(n) || n < 1 || n > 64)) {
    throw new InvalidArgumentError(`expected worker counts like 1,2 or 1,all (1..64), got '${value}'`);
  }
  return [...new Set(counts)];
}

async function bench(
  opts: BenchOptions,
  log: (m: string) => void,
): Promise<{ rows: BenchRow[]; wasmPeak: WasmPeak | null }> {
  const progress = (m: string) => process.stderr.write(`${m}\n`);
  const wanted: BackendName[] = opts.backend ? listOf(BACKENDS, 'backends')(opts.backend) : ['node', 'wasm'];
  const rows: BenchRow[] = [];
  const stepMacs = new Map<BenchNetName, number>();
  let wasmPeak: WasmPeak | null = null;
  log(
    `machine: ${cpus()[0]?.model ?? 'unknown cpu'}, ${availableParallelism()} cores, Node ${process.versions.node}, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );

  for (const backend of wanted) {
    try {
      await initBackend({ backend, quiet: true });
    } catch (err) {
      if (opts.backend) throw err;
      log(`${backend}: skipped (${err instanceof Error ? err.message : String(err)})`);
      continue;
    }
    if (backend === 'wasm') {
      wasmPeak = measureWasmPeak();
      log(
        `wasm: core's ${coreKernelBuild()} kernels; one core's limit: ${wasmPeak ? `${wasmPeak.gflops.toFixed(1)} GFLOP/s measured (multiply-add chains, no memory)` : 'not measured'}, ${WASM_FLOPS_PER_CORE.toFixed(0)} nominal (16 FLOP/cycle at 2.6 GHz)`,
      );
    }
    for (const name of opts.nets) {
      const net = benchNet(name);
      // The pure-JS cpu backend is ~100x slower: one forward pass is all it gets.
      const cpu = backend === 'cpu';
      progress(`timing tfjs ${backend} ${name} (1 worker)...`);
      const t = await timeNet(net, cpu ? 1 : opts.steps, { train: !cpu });
      if (t.stepMacs !== null && !stepMacs.has(name)) stepMacs.set(name, t.stepMacs);
      rows.push({
        net: name,
        framework: 'tfjs',
        backend,
        workers: 1,
        forwardMs: round(t.forwardMs),
        trainStepMs: t.trainStepMs === null ? null : round(t.trainStepMs),
        forwardCpuMs: round(t.forwardCpuMs),
        trainStepCpuMs: t.trainStepCpuMs === null ? null : round(t.trainStepCpuMs),
        ...(cpu ? { note: 'training skipped: pure-JS cpu backend is ~100x slower' } : {}),
      });
      for (const workers of opts.workers.filter((w) => w > 1)) {
        if (cpu) continue;
        progress(`timing tfjs ${backend} ${name} (${workers} workers)...`);
        const parallel = await parallelTrainStepMs(net, backend, workers, opts.steps).catch((err: unknown) => ({
          ms: null,
          note: `failed: ${err instanceof Error ? err.message : String(err)}`,
        }));
        rows.push({
          net: name,
          framework: 'tfjs',
          backend,
          workers,
          forwardMs: null,
          trainStepMs: parallel.ms === null ? null : round(parallel.ms),
          trainStepCpuMs: 'cpuMs' in parallel && typeof parallel.cpuMs === 'number' ? round(parallel.cpuMs) : null,
          ...(parallel.note ? { note: parallel.note } : {}),
        });
      }
    }
    if (opts.profile && backend !== 'cpu') {
      for (const name of opts.nets) {
        progress(`profiling tfjs ${backend} ${name}...`);
        const p = await profileTrainStep(benchNet(name));
        log(
          `\nwhere one ${name} training step's CPU time goes on ${backend}: ${p.cpuMs.toFixed(0)} ms, ${(p.macs / 1e9).toFixed(2)} GMAC, ${p.gflops.toFixed(1)} GFLOP/s`,
        );
        for (const k of p.kernels.filter((k) => k.share >= 0.005)) {
          const rate = k.gflops === null ? '' : `${k.gflops.toFixed(1).padStart(6)} GFLOP/s`;
          log(
            `  ${k.kernel.padEnd(24)} ${String(k.calls).padStart(4)} calls ${k.cpuMs.toFixed(1).padStart(8)} ms ${(100 * k.share).toFixed(1).padStart(5)}%  ${rate}`,
          );
        }
        log(
          `  ${'(outside kernels)'.padEnd(24)} ${''.padStart(4)}       ${p.outsideMs.toFixed(1).padStart(8)} ms ${((100 * p.outsideMs) / p.cpuMs).toFixed(1).padStart(5)}%  tape, optimizer, JavaScript`,
        );
      }
    }
  }

  if (opts.torch) {
    const why = await torchUnavailable();
    if (why) {
      log(`pytorch: skipped (${why})`);
    } else {
      for (const threads of opts.workers) {
        progress(`timing pytorch (${threads} thread${threads > 1 ? 's' : ''})...`);
        for (const r of await runTorchBench(TORCH_SCRIPT, opts.nets, threads, opts.steps)) {
          rows.push({
            net: r.net,
            framework: 'pytorch',
            backend: 'cpu',
            workers: threads,
            forwardMs: r.forwardMs,
            trainStepMs: r.trainStepMs,
            forwardCpuMs: r.forwardCpuMs,
            trainStepCpuMs: r.trainStepCpuMs,
            note: `torch ${r.version}, ${threads} thread${threads > 1 ? 's' : ''}`,
          });
        }
      }
    }
  }

  for (const row of rows) {
    const macs = stepMacs.get(row.net);
    const cpuMs = row.trainStepCpuMs ?? null;
    row.stepGflops = macs !== undefined && cpuMs ? round((2 * macs) / cpuMs / 1e6, 1) : null;
  }
  const result = withRatios(rows);
  log('');
  log(formatTable(result));
  log(
    `(medians of ${opts.steps} runs after a warm-up; 'step cpu ms' is this process's CPU time per step, all threads;`,
  );
  log(` 'cpu x torch' compares CPU times, which stay meaningful on a busy machine; 'GFLOP/s/core': 2 x the step's`);
  log(
    ` convolution and matrix-product multiply-adds / step cpu ms; load after: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})`,
  );
  return { rows: result, wasmPeak };
}

export function benchProgram() {
  const program = createProgram(
    'cnn-lab-bench',
    'Time forward passes and training steps of the reference nets on each backend, next to PyTorch',
  );
  withCommonOptions(program, ['json'])
    .option('--nets <list>', `nets to time: ${BENCH_NETS.join(',')}`, listOf(BENCH_NETS, 'nets'), [...BENCH_NETS])
    .option(
      '--steps <n>',
      'timed runs per figure (median reported)',
      (v: string) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 1000)
          throw new InvalidArgumentError(`expected an integer in 1..1000, got '${v}'`);
        return n;
      },
      5,
    )
    .option(
      '--workers <list>',
      "worker counts, e.g. 1,2 or 1,all ('all' = every core)",
      workerCounts,
      workerCounts('1,all'),
    )
    .option(
      '--backend <list>',
      'backends to time, comma-separated from node,wasm,cpu (default: node and wasm where they load; cpu times one forward pass only)',
    )
    .option('--no-torch', 'skip the PyTorch rows')
    .option('--profile', 'also print where a training step spends its time, kernel by kernel')
    .action(runAction<BenchOptions>(async ({ opts, log }) => bench(opts, log), { backend: false }));
  return program;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  void runProgram(benchProgram());
}
