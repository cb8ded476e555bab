import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Rng, ZeilerAdadelta, initBackend } from '@cnn-lab/core';
import { LazyRowsAdadelta, kimAdadelta } from '../src/model/index.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

afterEach(() => {
  tf.disposeVariables();
});

const ROWS = 12;
const WIDTH = 5;

/** A table and a small dense matrix, and per step a gradient that is zero outside a few random rows. */
function problem(seed: number, steps: number) {
  const rng = new Rng(seed);
  const table = Float32Array.from({ length: ROWS * WIDTH }, () => rng.uniform(-0.25, 0.25));
  const dense = Float32Array.from({ length: 6 }, () => rng.uniform(-1, 1));
  const grads = Array.from({ length: steps }, () => {
    const g = new Float32Array(ROWS * WIDTH);
    for (let r = 0; r < ROWS; r++) {
      if (rng.next() < 0.3) for (let j = 0; j < WIDTH; j++) g[r * WIDTH + j] = rng.uniform(-1, 1);
    }
    return { table: g, dense: Float32Array.from({ length: 6 }, () => rng.uniform(-1, 1)) };
  });
  return { table, dense, grads };
}

function variables(p: ReturnType<typeof problem>, tag: string) {
  return { table: tf.variable(tf.tensor2d(p.table, [ROWS, WIDTH]), true, `table_${tag}`), dense: tf.variable(tf.tensor2d(p.dense, [2, 3]), true, `dense_${tag}`) };
}

function run(opt: tf.Optimizer, v: ReturnType<typeof variables>, grads: ReturnType<typeof problem>['grads']) {
  for (const g of grads) {
    const named = { [v.table.name]: tf.tensor2d(g.table, [ROWS, WIDTH]), [v.dense.name]: tf.tensor2d(g.dense, [2, 3]) };
    opt.applyGradients(named);
    Object.values(named).forEach((t) => t.dispose());
  }
}

function expectClose(a: Float32Array | number[], b: Float32Array | number[], tol = 1e-5): void {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] as number) - (b[i] as number)));
  expect(worst).toBeLessThan(tol);
}

describe('LazyRowsAdadelta', () => {
  it('gives the dense Adadelta result while touching only rows with a gradient (unused rows decay lazily)', async () => {
    const p = problem(3, 40);
    const dense = variables(p, 'a');
    const lazy = variables(p, 'b');
    const reference = kimAdadelta();
    const optimizer = new LazyRowsAdadelta(kimAdadelta(), [lazy.table.name]);
    run(reference, dense, p.grads);
    run(optimizer, lazy, p.grads);
    expectClose(lazy.table.dataSync() as Float32Array, dense.table.dataSync() as Float32Array);
    expectClose(lazy.dense.dataSync() as Float32Array, dense.dense.dataSync() as Float32Array);
    // The saved state is the dense one: accumulators of every row settled to the current step.
    const want = await reference.getWeights();
    const got = await optimizer.getWeights();
    for (const suffix of ['/accum_grad', '/accum_var']) {
      const w = want.find((x) => x.name === `${dense.table.name}${suffix}`)?.tensor.dataSync() as Float32Array;
      const g = got.find((x) => x.name === `${lazy.table.name}${suffix}`)?.tensor.dataSync() as Float32Array;
      expectClose(g, w, 1e-6);
    }
    expect(optimizer.iterations).toBe(40);
  });

  it('resumes from its saved state exactly as if it had not stopped', async () => {
    const p = problem(5, 30);
    const straight = variables(p, 'c');
    const first = new LazyRowsAdadelta(kimAdadelta(), [straight.table.name]);
    run(first, straight, p.grads);

    const resumed = variables(p, 'd');
    const before = new LazyRowsAdadelta(kimAdadelta(), [resumed.table.name]);
    run(before, resumed, p.grads.slice(0, 17));
    // A checkpoint names the state by variable; the resumed run's variables have the same names.
    const saved = (await before.getWeights()).map((w) => ({ name: w.name, tensor: tf.clone(w.tensor) }));
    const after = new LazyRowsAdadelta(kimAdadelta(), [resumed.table.name]);
    await after.setWeights(saved);
    expect(after.iterations).toBe(17);
    run(after, resumed, p.grads.slice(17));
    expectClose(resumed.table.dataSync() as Float32Array, straight.table.dataSync() as Float32Array);
    expectClose(resumed.dense.dataSync() as Float32Array, straight.dense.dataSync() as Float32Array);
  });

  it('leaves a tensor that shares the table untouched (the best-epoch copy in fit is a clone)', () => {
    const p = problem(7, 3);
    const v = variables(p, 'e');
    const kept = tf.clone(v.table);
    const optimizer = new LazyRowsAdadelta(kimAdadelta(), [v.table.name]);
    run(optimizer, v, p.grads);
    expect(Array.from(kept.dataSync())).toEqual(Array.from(p.table));
    expect(Array.from(v.table.dataSync())).not.toEqual(Array.from(p.table));
  });

  it('passes learning-rate changes to the wrapped optimizer and refuses anything but Adadelta', () => {
    const inner = new ZeilerAdadelta(1, 0.95, 1e-6);
    const optimizer = new LazyRowsAdadelta(inner, []);
    optimizer.learningRate = 0.5;
    expect(inner.getConfig()['learningRate']).toBe(0.5);
    expect(() => new LazyRowsAdadelta(tf.train.sgd(0.1), [])).toThrow(/wraps an Adadelta optimizer, got SGD/);
  });
});
