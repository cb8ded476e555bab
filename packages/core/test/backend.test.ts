import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../src/cli/errors.js';
import { initBackend } from '../src/backend/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..', '..');

describe('initBackend', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('starts wasm when asked, says so once on stderr, and a second call is cheap and silent', async () => {
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => (lines.push(String(s)), true));
    expect(await initBackend({ backend: 'wasm' })).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const t = performance.now();
    expect(await initBackend()).toBe('wasm');
    expect(performance.now() - t).toBeLessThan(50);
    expect(lines.filter((l) => l.startsWith('backend: wasm'))).toHaveLength(1);
  });

  it('CNN_LAB_BACKEND forces a backend; the option wins over it', async () => {
    vi.stubEnv('CNN_LAB_BACKEND', 'cpu');
    expect(await initBackend({ quiet: true })).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(await initBackend({ backend: 'wasm', quiet: true })).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('an unknown choice is a usage error that lists the choices', async () => {
    await expect(initBackend({ backend: 'webgpu' })).rejects.toThrow(UsageError);
    await expect(initBackend({ backend: 'webgpu' })).rejects.toThrow(/node, wasm, cpu/);
    vi.stubEnv('CNN_LAB_BACKEND', 'gpu');
    await expect(initBackend()).rejects.toThrow(/unknown backend 'gpu'.*CNN_LAB_BACKEND/);
  });

  it('asking for tfjs-node where it does not load names what is available instead', async () => {
    let nodeLoads = true;
    try {
      await import('@tensorflow/tfjs-node');
    } catch {
      nodeLoads = false;
    }
    if (nodeLoads) {
      expect(await initBackend({ backend: 'node', quiet: true })).toBe('node');
    } else {
      await expect(initBackend({ backend: 'node', quiet: true })).rejects.toThrow(
        /backend 'node' is not available.*available here: wasm, cpu/,
      );
      expect(await initBackend({ backend: 'wasm', quiet: true })).toBe('wasm');
    }
  });

  it('works inside a worker thread, which trains a conv layer on its own wasm instance', async () => {
    const source = `
      import * as tf from '@tensorflow/tfjs';
      import { parentPort } from 'node:worker_threads';
      import { register } from 'tsx/esm/api';
      register();
      const { initBackend } = await import(${JSON.stringify(join(here, '..', 'src', 'backend', 'index.ts'))});
      const name = await initBackend({ quiet: true });
      const m = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [5, 5, 1], filters: 2, kernelSize: 3 }),
        tf.layers.flatten(), tf.layers.dense({ units: 2, activation: 'softmax' })] });
      m.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
      const loss = await m.trainOnBatch(tf.ones([2, 5, 5, 1]), tf.tensor1d([0, 1]));
      parentPort.postMessage({ name, backend: tf.getBackend(), loss });
    `;
    const file = join(here, '..', '.tmp', `worker-${process.pid}.mjs`);
    const { mkdirSync, writeFileSync, rmSync } = await import('node:fs');
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, source);
    try {
      const result = await new Promise<{ name: string; backend: string; loss: number }>((resolve, reject) => {
        const w = new Worker(file, { env: { ...process.env, CNN_LAB_BACKEND: 'wasm' } });
        w.once('message', (m) => (resolve(m), void w.terminate()));
        w.once('error', reject);
      });
      expect(result.name).toBe('wasm');
      expect(result.backend).toBe('wasm');
      expect(Number.isFinite(result.loss)).toBe(true);
    } finally {
      rmSync(file, { force: true });
    }
  });
});

describe('one TensorFlow.js engine for core and every app', () => {
  it('each app and core resolve the same tfjs-core copy, so kernels registered by core reach the apps', () => {
    const coreOf = (pkgDir: string) => {
      const req = createRequire(join(pkgDir, 'package.json'));
      const tfjs = req.resolve('@tensorflow/tfjs');
      return realpathSync(createRequire(tfjs).resolve('@tensorflow/tfjs-core'));
    };
    const core = coreOf(join(repoRoot, 'packages', 'core'));
    for (const app of ['go-policy', 'speech-cnn', 'text-cnn', 'cnn-explorer']) {
      expect(coreOf(join(repoRoot, 'apps', app))).toBe(core);
    }
    const wasm = createRequire(join(repoRoot, 'packages', 'core', 'package.json')).resolve(
      '@tensorflow/tfjs-backend-wasm',
    );
    expect(realpathSync(createRequire(wasm).resolve('@tensorflow/tfjs-core'))).toBe(core);
  });
});
