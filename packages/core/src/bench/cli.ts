#!/usr/bin/env node
// `pnpm --filter @cnn-lab/core bench`: forward and training-step times of the reference nets on every
// available backend, side by side with PyTorch at the same thread count. The only file here that reads
// flags, spawns processes or prints.
import { availableParallelism, cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from 'commander';
import { createProgram, parseIntIn, runAction, runProgram, withCommonOptions } from '../cli/index.js';
import type { CommonOptions } from '../cli/index.js';
import { BACKENDS, coreKernelBuild, initBackend } from '../backend/index.js';
import type { BackendName } from '../backend/index.js';
import { BENCH_NETS, benchNet } from './nets.js';
import type { BenchNetName } from './nets.js';
import { timeNet } from './measure.js';
import { median } from '../util/stats.js';
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
  rounds: number;
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

/** One timing of one net at one worker count, as a table row. */
async function timeRow(
  net: ReturnType<typeof benchNet>,
  backend: BackendName,
  workers: number,
  steps: number,
  cpu: boolean,
  stepMacs: Map<BenchNetName, number>,
): Promise<BenchRow> {
  const base = { net: net.name, framework: 'tfjs' as const, backend, workers };
  if (workers === 1) {
    const t = await timeNet(net, steps, { train: !cpu });
    if (t.stepMacs !== null && !stepMacs.has(net.name)) stepMacs.set(net.name, t.stepMacs);
    return {
      ...base,
      forwardMs: round(t.forwardMs),
      trainStepMs: t.trainStepMs === null ? null : round(t.trainStepMs),
      forwardCpuMs: round(t.forwardCpuMs),
      trainStepCpuMs: t.trainStepCpuMs === null ? null : round(t.trainStepCpuMs),
      ...(cpu ? { note: 'training skipped: pure-JS cpu backend is ~100x slower' } : {}),
    };
  }
  const parallel = await parallelTrainStepMs(net, backend, workers, steps).catch((err: unknown) => ({
    ms: null,
    note: `failed: ${err instanceof Error ? err.message : String(err)}`,
  }));
  return {
    ...base,
    forwardMs: null,
    trainStepMs: parallel.ms === null ? null : round(parallel.ms),
    trainStepCpuMs: 'cpuMs' in parallel && typeof parallel.cpuMs === 'number' ? round(parallel.cpuMs) : null,
    ...(parallel.note ? { note: parallel.note } : {}),
  };
}

/** Rounds of the same net and worker count as one row: the median of each figure, and the rounds' step times. */
function medianRow(runs: BenchRow[]): BenchRow {
  const first = runs[0];
  if (!first) throw new Error('medianRow: no rounds');
  if (runs.length === 1) return first;
  const mid = (pick: (r: BenchRow) => number | null | undefined): number | null => {
    const values = runs.map(pick).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    return values.length ? round(median(values)) : null;
  };
  return {
    ...first,
    forwardMs: mid((r) => r.forwardMs),
    trainStepMs: mid((r) => r.trainStepMs),
    ...(first.forwardCpuMs !== undefined ? { forwardCpuMs: mid((r) => r.forwardCpuMs) } : {}),
    trainStepCpuMs: mid((r) => r.trainStepCpuMs),
    roundsTrainStepMs: runs.map((r) => r.trainStepMs),
  };
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
      const counts = cpu ? [1] : [1, ...opts.workers.filter((w) => w > 1)];
      const rounds = cpu ? 1 : opts.rounds;
      // Each round times every worker count once, so that a slow spell of a shared machine falls on all of them.
      const runs = new Map<number, BenchRow[]>(counts.map((w) => [w, []]));
      for (let r = 0; r < rounds; r++) {
        for (const workers of counts) {
          const of = rounds > 1 ? `, round ${r + 1} of ${rounds}` : '';
          progress(`timing tfjs ${backend} ${name} (${workers} worker${workers > 1 ? 's' : ''}${of})...`);
          runs.get(workers)?.push(await timeRow(net, backend, workers, cpu ? 1 : opts.steps, cpu, stepMacs));
        }
      }
      for (const workers of counts) rows.push(medianRow(runs.get(workers) ?? []));
      if (rounds > 1) {
        const per = counts.map(
          (w) =>
            `${w} worker${w > 1 ? 's' : ''} ${(runs.get(w) ?? []).map((row) => row.trainStepMs?.toFixed(0) ?? '-').join(' ')}`,
        );
        log(`${name} on ${backend}, training step ms per round: ${per.join('; ')}`);
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
    `(medians of ${opts.steps} runs after a warm-up${opts.rounds > 1 ? `, then the median over ${opts.rounds} rounds` : ''}; 'step cpu ms' is this process's CPU time per step, all threads;`,
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
    .option('--steps <n>', 'timed runs per figure (median reported)', parseIntIn(1, 1000), 5)
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
    .option(
      '--rounds <n>',
      'time the worker counts in turn this many times and report medians over the rounds (a shared machine slows down in spells)',
      parseIntIn(1, 100),
      1,
    )
    .option('--no-torch', 'skip the PyTorch rows')
    .option('--profile', 'also print where a training step spends its time, kernel by kernel')
    .action(runAction<BenchOptions>(async ({ opts, log }) => bench(opts, log), { backend: false }));
  return program;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  void runProgram(benchProgram());
}
