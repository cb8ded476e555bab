import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import type { BenchNetName } from './nets.js';

const run = promisify(execFile);

export const PYTHON = '/usr/bin/python3';

export interface TorchRow {
  net: BenchNetName;
  threads: number;
  forwardMs: number;
  trainStepMs: number;
  forwardCpuMs: number;
  trainStepCpuMs: number;
  version: string;
}

/** Why PyTorch rows cannot be measured here, or null when `import torch` works. */
export async function torchUnavailable(python = PYTHON): Promise<string | null> {
  if (!existsSync(python)) return `${python} not found`;
  try {
    await run(python, ['-c', 'import torch'], { timeout: 120_000 });
    return null;
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    return `${python} -c "import torch" failed: ${text.split('\n').find((l) => l.includes('Error')) ?? text.slice(0, 120)}`;
  }
}

/** Runs src/bench/torch_bench.py and parses its one JSON line per net. */
export async function runTorchBench(
  script: string,
  nets: readonly BenchNetName[],
  threads: number,
  steps: number,
  python = PYTHON,
): Promise<TorchRow[]> {
  const args = [script, '--nets', nets.join(','), '--threads', String(threads), '--steps', String(steps)];
  const { stdout } = await run(python, args, { timeout: 30 * 60_000, maxBuffer: 1 << 20 });
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as TorchRow);
}
