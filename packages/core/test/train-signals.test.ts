import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTensors } from '../src/io/weights.js';
import { CHECKPOINT_FILE } from '../src/train/index.js';

// Ctrl-C reaches a real process, so these tests train in a child process and signal it. The child script
// lives under core's node_modules/.cache so that it resolves @tensorflow/tfjs like core's own files.
const core = fileURLToPath(new URL('..', import.meta.url));
const trainUrl = pathToFileURL(join(core, 'src/train/index.ts')).href;
const backendUrl = pathToFileURL(join(core, 'src/backend/index.ts')).href;

const CHILD = `
import * as tf from '@tensorflow/tfjs';
import { initBackend } from ${JSON.stringify(backendUrl)};
import { fit, withSeed } from ${JSON.stringify(trainUrl)};
await initBackend({ backend: 'wasm', quiet: true });
const model = withSeed(1, () => tf.sequential({ layers: [tf.layers.dense({ units: 2, activation: 'softmax', inputShape: [2] })] }));
let announced = false;
const train = {
  size: 1000000,
  async *batches() {
    for (let i = 0; ; i++) {
      // Batch 3 is slow to load, so a Ctrl-C lands while a step is still in progress.
      const slow = i === 3 && !announced;
      if (slow) { announced = true; process.stdout.write('training\\n'); }
      await new Promise((r) => setTimeout(r, slow ? 1500 : 5));
      yield { xs: { data: new Float32Array([1, 0, 0, 1]), shape: [2, 2] }, ys: new Int32Array([0, 1]) };
    }
  },
};
const history = await fit(model, { train, epochs: 2, batchSize: 2, optimizer: { name: 'sgd', learningRate: 0.1 }, checkpointDir: process.argv[2], quiet: true, workers: 1 });
process.stdout.write(JSON.stringify({ interrupted: history.interrupted }) + '\\n');
`;

let work: string;
let script: string;
beforeAll(async () => {
  const cache = join(core, 'node_modules/.cache');
  await mkdir(cache, { recursive: true });
  work = await mkdtemp(join(cache, 'train-signals-'));
  script = join(work, 'child.mts');
  await writeFile(script, CHILD);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function runChild(ckpt: string, signals: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const tsx = createRequire(import.meta.url).resolve('tsx/package.json');
  const loader = pathToFileURL(join(tsx, '..', 'dist/loader.mjs')).href;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', loader, script, ckpt], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    let sent = 0;
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('training') && sent === 0) {
        sent++;
        child.kill('SIGINT');
      }
    });
    // Signals sent back to back can merge into one; the second goes once the first was acknowledged.
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (stderr.includes('stopping after this step') && sent === 1 && signals > 1) {
        sent++;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('Ctrl-C during fit', () => {
  it('the first Ctrl-C finishes the step, writes a checkpoint and returns interrupted', async () => {
    const ckpt = join(work, 'once');
    const r = await runChild(ckpt, 1);
    expect(r.stderr).toContain('stopping after this step');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('{"interrupted":true}');
    const { info } = await loadTensors(join(ckpt, CHECKPOINT_FILE));
    const state = info['training'] as { epoch: number; stepInEpoch: number };
    expect(state.epoch).toBe(0);
    expect(state.stepInEpoch).toBeGreaterThanOrEqual(3);
  });

  it('a second Ctrl-C exits at once', async () => {
    const r = await runChild(join(work, 'twice'), 2);
    expect(r.code).toBe(130);
    expect(r.stdout).not.toContain('interrupted');
  });
});
