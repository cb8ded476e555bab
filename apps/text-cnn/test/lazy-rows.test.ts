import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Rng, ZeilerAdadelta, createTrainer, initBackend, withSeed, type ArrayBatch } from '@cnn-lab/core';
import { KIM_DEFAULTS, LazyRowsAdadelta, buildKimCnn, kimAdadelta, trainableTables } from '../src/model/index.js';
import { adadeltaPatchStep, createRowState, settleAllRows } from '../src/model/lazy-rows.js';

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
  return {
    table: tf.variable(tf.tensor2d(p.table, [ROWS, WIDTH]), true, `table_${tag}`),
    dense: tf.variable(tf.tensor2d(p.dense, [2, 3]), true, `dense_${tag}`),
  };
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

describe('adadeltaPatchStep', () => {
  it("settles a stale row's rho^k in the update's own pass, bit for bit as settling it first", () => {
    const rng = new Rng(5);
    const params = { learningRate: 1, rho: 0.95, epsilon: 1e-6 };
    const make = () => {
      const state = createRowState(ROWS, WIDTH);
      const r = new Rng(9);
      state.accGrad.forEach((_, i) => (state.accGrad[i] = r.uniform(0, 2)));
      state.accUpdate.forEach((_, i) => (state.accUpdate[i] = r.uniform(0, 1e-3)));
      state.current.forEach((_, i) => (state.current[i] = i % 4));
      return { state, weights: Float32Array.from({ length: ROWS * WIDTH }, (_, i) => Math.sin(i)) };
    };
    const grad = {
      rows: Int32Array.from([0, 3, 7, 11]),
      values: Float32Array.from({ length: 4 * WIDTH }, () => rng.normal()),
    };
    const fused = make();
    const settled = make();
    adadeltaPatchStep(fused.weights, grad, fused.state, 6, params);
    settleAllRows(settled.state, 6, params.rho);
    adadeltaPatchStep(settled.weights, grad, settled.state, 6, params);
    const bits = (a: Float32Array) => Array.from(new Uint32Array(a.slice().buffer));
    expect(bits(fused.weights)).toEqual(bits(settled.weights));
    for (const r of grad.rows) {
      const row = (a: Float32Array) => bits(a.subarray(r * WIDTH, (r + 1) * WIDTH));
      expect(row(fused.state.accGrad)).toEqual(row(settled.state.accGrad));
      expect(row(fused.state.accUpdate)).toEqual(row(settled.state.accUpdate));
    }
  });
});

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

  it('takes a table gradient as rows (the data-parallel path) with the same result as the dense update', () => {
    const p = problem(4, 30);
    const dense = variables(p, 'c');
    const lazy = variables(p, 'd');
    const optimizer = new LazyRowsAdadelta(kimAdadelta(), [lazy.table.name]);
    run(kimAdadelta(), dense, p.grads);
    for (const g of p.grads) {
      // The rows in shuffled order, as a merge of two workers' rows gives them.
      const rows = [...Array(ROWS).keys()]
        .filter((r) => g.table.subarray(r * WIDTH, (r + 1) * WIDTH).some((x) => x !== 0))
        .reverse();
      const values = new Float32Array(rows.length * WIDTH);
      rows.forEach((r, k) => values.set(g.table.subarray(r * WIDTH, (r + 1) * WIDTH), k * WIDTH));
      optimizer.applyRowGradients(lazy.table.name, { rows: Int32Array.from(rows), values });
      const rest = tf.tensor2d(g.dense, [2, 3]);
      optimizer.applyGradients({ [lazy.dense.name]: rest });
      rest.dispose();
    }
    expectClose(lazy.table.dataSync() as Float32Array, dense.table.dataSync() as Float32Array);
    expectClose(lazy.dense.dataSync() as Float32Array, dense.dense.dataSync() as Float32Array);
    expect(() =>
      optimizer.applyRowGradients(lazy.dense.name, { rows: new Int32Array(0), values: new Float32Array(0) }),
    ).toThrow(/not one of its tables/);
  });

  it("trains Kim's net with 2 gradient workers to the weights 1 worker reaches (tables travel by rows)", async () => {
    const rng = new Rng(6);
    const batches: ArrayBatch[] = Array.from({ length: 8 }, () => {
      const data = Int32Array.from({ length: 10 * 9 }, () => 2 + Math.floor(rng.next() * 40));
      return {
        xs: { data, shape: [10, 9] },
        ys: Int32Array.from({ length: 10 }, (_, i) => (data[i * 9] as number) % 2),
      };
    });
    const train = async (workers: number) => {
      // No dropout: each worker draws the masks of its own shard, so masks would differ from one thread's.
      const model = withSeed(1, () =>
        buildKimCnn({
          ...KIM_DEFAULTS,
          dropout: 0,
          vocabSize: 60,
          classes: 2,
          variant: 'rand',
          embeddingDim: 8,
          windows: [2, 3],
          featureMaps: 4,
          seed: 1,
        }),
      );
      const optimizer = new LazyRowsAdadelta(kimAdadelta(), trainableTables(model));
      const trainer = await createTrainer(model, {
        optimizer,
        workers,
        seed: 1,
        rowTables: trainableTables(model),
        onFallback: (why) => {
          throw new Error(why);
        },
      });
      try {
        for (const b of batches) await trainer.step(b);
        return model.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array));
      } finally {
        await trainer.dispose();
      }
    };
    const one = await train(1);
    const two = await train(2);
    two.forEach((w, i) => expectClose(w, one[i] as Float32Array, 1e-4));
  }, 60_000);

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
