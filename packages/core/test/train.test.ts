import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.js';
import {
  arraySource,
  createTrainer,
  evaluate,
  fit,
  learningRateAt,
  predictBatches,
  withSeed,
  type ArrayBatch,
  type DataSource,
  type FitOptions,
} from '../src/train/index.js';
import { Rng } from '../src/util/random.js';

// Three Gaussian blobs in 4-D: learnable in a few epochs by a tiny dense net.
function blobs(n: number, seed: number): { xs: { data: Float32Array; shape: number[] }; ys: Int32Array } {
  const rng = new Rng(seed);
  const data = new Float32Array(n * 4);
  const ys = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    ys[i] = c;
    for (let d = 0; d < 4; d++) data[i * 4 + d] = (d === c ? 2 : 0) + 0.7 * rng.normal();
  }
  return { xs: { data, shape: [n, 4] }, ys };
}

function denseNet(seed: number, opts: { dropout?: number } = {}): tf.LayersModel {
  return withSeed(seed, () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ units: 8, activation: 'relu', inputShape: [4] }));
    if (opts.dropout) m.add(tf.layers.dropout({ rate: opts.dropout }));
    m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
    return m;
  });
}

const train = (() => {
  const b = blobs(96, 1);
  return arraySource(b.xs, b.ys);
})();
const validation = (() => {
  const b = blobs(48, 2);
  return arraySource(b.xs, b.ys, { shuffle: false });
})();

const base = (extra: Partial<FitOptions> = {}): FitOptions => ({
  train,
  epochs: 3,
  batchSize: 16,
  optimizer: { name: 'adam', learningRate: 0.05 },
  seed: 7,
  quiet: true,
  handleSigint: false,
  workers: 1,
  ...extra,
});

function weightsOf(model: tf.LayersModel): number[] {
  return model.getWeights().flatMap((w) => Array.from(w.dataSync()));
}

/** Wraps a source so that the run is stopped (as by a first Ctrl-C) while batch `at` of epoch `epoch` is handed out. */
function stopDuring(source: DataSource, controller: AbortController, epoch: number, at: number): DataSource {
  return {
    size: source.size,
    async *batches(e, batchSize, seed) {
      let i = 0;
      for await (const b of source.batches(e, batchSize, seed)) {
        if (e === epoch && i++ === at) controller.abort();
        yield b;
      }
    },
  };
}

let dir: string;
beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  dir = await mkdtemp(join(tmpdir(), 'cnn-lab-train-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fit', () => {
  it('learns a learnable problem: loss falls, validation accuracy is high', async () => {
    const model = denseNet(1);
    const history = await fit(model, base({ validation, epochs: 6 }));
    const losses = history.epochs.map((e) => e.loss);
    expect(history.epochs).toHaveLength(6);
    expect(losses[5]).toBeLessThan((losses[0] as number) * 0.6);
    expect(history.epochs[5]?.valAccuracy).toBeGreaterThan(0.85);
    expect(history.epochs[0]?.examplesPerSecond).toBeGreaterThan(0);
    expect(history.bestEpoch).not.toBeNull();
  });

  it('repeats exactly with the same seed (init, shuffles, dropout) and differs with another', async () => {
    const run = async (seed: number) =>
      (await fit(denseNet(seed, { dropout: 0.3 }), base({ seed }))).epochs.map((e) => e.loss);
    const a = await run(3);
    const b = await run(3);
    const c = await run(4);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('stops early when the monitored metric stops improving', async () => {
    // A zero learning rate cannot improve anything: the first epoch stays best.
    const history = await fit(
      denseNet(1),
      base({ validation, epochs: 10, optimizer: { name: 'sgd', learningRate: 0 }, earlyStopping: { patience: 2 } }),
    );
    expect(history.stoppedEarly).toBe(true);
    expect(history.epochs).toHaveLength(3);
    expect(history.bestEpoch).toBe(1);
  });

  it('restores the best weights when asked', async () => {
    const model = denseNet(1);
    let bestSnapshot: number[] = [];
    // Epoch 2 jumps to a huge learning rate, so later epochs are worse than the best.
    const history = await fit(
      model,
      base({
        validation,
        epochs: 4,
        optimizer: { name: 'sgd', learningRate: 0.5 },
        lrSchedule: (epoch, lr) => (epoch < 2 ? lr : 400),
        restoreBestWeights: true,
        onEpochEnd: (r, h) => {
          if (h.bestEpoch === r.epoch) bestSnapshot = weightsOf(model);
        },
      }),
    );
    expect(history.bestEpoch).toBeLessThanOrEqual(2);
    expect(weightsOf(model)).toEqual(bestSnapshot);
  });

  it('follows the learning-rate schedule, and the optimizer really uses it', async () => {
    expect(learningRateAt({ type: 'step', every: 2, factor: 0.1 }, 3, 1, 10)).toBeCloseTo(0.1);
    expect(learningRateAt({ type: 'exponential', decay: 0.5 }, 2, 1, 10)).toBeCloseTo(0.25);
    expect(learningRateAt({ type: 'cosine' }, 0, 1, 5)).toBeCloseTo(1);
    expect(learningRateAt({ type: 'cosine' }, 2, 1, 5)).toBeCloseTo(0.5);
    expect(learningRateAt({ type: 'cosine', minLr: 0.1 }, 4, 1, 5)).toBeCloseTo(0.1);

    const model = denseNet(1);
    let afterFirst: number[] = [];
    const history = await fit(
      model,
      base({
        optimizer: { name: 'sgd', learningRate: 0.1 },
        lrSchedule: { type: 'step', every: 1, factor: 0 },
        onEpochEnd: (r) => {
          if (r.epoch === 1) afterFirst = weightsOf(model);
        },
      }),
    );
    expect(history.epochs.map((e) => e.lr)).toEqual([0.1, 0, 0]);
    expect(weightsOf(model)).toEqual(afterFirst);
  });

  it('applies max-norm constraints after each update, adds regularisers, and leaves frozen weights alone', async () => {
    const model = withSeed(1, () => {
      const m = tf.sequential();
      m.add(
        tf.layers.dense({
          units: 8,
          activation: 'relu',
          inputShape: [4],
          kernelConstraint: tf.constraints.maxNorm({ maxValue: 0.2 }),
        }),
      );
      m.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelRegularizer: tf.regularizers.l2({ l2: 10 }) }));
      return m;
    });
    const frozen = withSeed(2, () => {
      const m = tf.sequential();
      m.add(tf.layers.dense({ units: 4, inputShape: [4], trainable: false }));
      m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
      return m;
    });
    const frozenBefore = Array.from(frozen.layers[0]!.getWeights()[0]!.dataSync());
    const history = await fit(model, base({ epochs: 1, optimizer: { name: 'sgd', learningRate: 1 } }));
    await fit(frozen, base({ epochs: 1 }));

    const kernel = model.layers[0]!.getWeights()[0]!;
    const norms = tf.tidy(() => tf.sqrt(tf.sum(tf.square(kernel), 0)).dataSync());
    for (const n of norms) expect(n).toBeLessThanOrEqual(0.2 + 1e-5);
    // Cross-entropy of 3 classes starts near ln 3 ~ 1.1; the l2 penalty on a glorot kernel adds several units.
    expect(history.epochs[0]!.loss).toBeGreaterThan(2);
    expect(Array.from(frozen.layers[0]!.getWeights()[0]!.dataSync())).toEqual(frozenBefore);
  });

  it('writes the JSON history each epoch and stops when onEpochEnd says so', async () => {
    const historyPath = join(dir, 'history.json');
    const history = await fit(
      denseNet(1),
      base({ epochs: 5, historyPath, onEpochEnd: (r) => (r.epoch === 2 ? 'stop' : undefined) }),
    );
    expect(history.epochs).toHaveLength(2);
    const saved = JSON.parse(await readFile(historyPath, 'utf8')) as typeof history;
    expect(saved.epochs.map((e) => e.loss)).toEqual(history.epochs.map((e) => e.loss));
  });

  it('rejects bad options and bad labels with clear messages', async () => {
    await expect(fit(denseNet(1), base({ epochs: 0 }))).rejects.toThrow(/epochs must be a whole number >= 1/);
    await expect(
      fit(denseNet(1), base({ optimizer: { name: 'sgd' } as unknown as FitOptions['optimizer'] })),
    ).rejects.toThrow(/optimizer sgd: learningRate must be a number >= 0, got undefined/);
    const bad: DataSource = {
      size: 2,
      async *batches(): AsyncGenerator<ArrayBatch> {
        yield { xs: { data: new Float32Array(8), shape: [2, 4] }, ys: new Int32Array([0, 5]) };
      },
    };
    await expect(fit(denseNet(1), base({ train: bad }))).rejects.toThrow(
      /label 1 is 5; expected a class index in \[0, 3\)/,
    );
  });
});

describe('checkpoints and resume', () => {
  it('an interrupted run resumed from its checkpoint ends with the same weights as an uninterrupted one', async () => {
    const straight = denseNet(1, { dropout: 0.2 });
    const full = await fit(straight, base({ epochs: 3 }));

    const ckpt = join(dir, 'interrupted');
    const controller = new AbortController();
    const first = await fit(
      denseNet(1, { dropout: 0.2 }),
      base({
        epochs: 3,
        checkpointDir: ckpt,
        train: stopDuring(train, controller, 1, 2),
        signal: controller.signal,
      }),
    );
    expect(first.interrupted).toBe(true);
    expect(first.epochs).toHaveLength(1);

    // A fresh process would build a differently initialised model; the checkpoint must override it.
    const resumedModel = denseNet(99, { dropout: 0.2 });
    const resumed = await fit(resumedModel, base({ epochs: 3, checkpointDir: ckpt, resume: true }));
    expect(resumed.interrupted).toBe(false);
    expect(resumed.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(resumed.epochs.map((e) => e.loss)).toEqual(full.epochs.map((e) => e.loss));
    expect(weightsOf(resumedModel)).toEqual(weightsOf(straight));
  });

  it('after a crash, resume loses at most one checkpoint interval', async () => {
    const straight = denseNet(1);
    await fit(straight, base({ epochs: 2 }));

    const ckpt = join(dir, 'crashed');
    const crashing: DataSource = {
      size: train.size,
      async *batches(e, batchSize, seed) {
        let i = 0;
        for await (const b of train.batches(e, batchSize, seed)) {
          if (e === 1 && i++ === 3) throw new Error('simulated crash');
          yield b;
        }
      },
    };
    await expect(
      fit(denseNet(1), base({ epochs: 2, checkpointDir: ckpt, checkpointEvery: { steps: 2 }, train: crashing })),
    ).rejects.toThrow('simulated crash');
    const resumedModel = denseNet(5);
    await fit(resumedModel, base({ epochs: 2, checkpointDir: ckpt, checkpointEvery: { steps: 2 }, resume: true }));
    expect(weightsOf(resumedModel)).toEqual(weightsOf(straight));
  });

  it('keeps the best weights across a resume', async () => {
    const opts = (extra: Partial<FitOptions>) =>
      base({
        validation,
        epochs: 4,
        optimizer: { name: 'sgd', learningRate: 0.5 },
        lrSchedule: (epoch, lr) => (epoch < 2 ? lr : 400),
        restoreBestWeights: true,
        ...extra,
      });
    const straight = denseNet(1);
    const full = await fit(straight, opts({}));
    expect(full.bestEpoch).toBeLessThanOrEqual(2);

    const ckpt = join(dir, 'best-resume');
    const controller = new AbortController();
    const first = await fit(
      denseNet(1),
      opts({ checkpointDir: ckpt, train: stopDuring(train, controller, 3, 1), signal: controller.signal }),
    );
    expect(first.interrupted).toBe(true);
    const resumedModel = denseNet(8);
    const resumed = await fit(resumedModel, opts({ checkpointDir: ckpt, resume: true }));
    expect(resumed.bestEpoch).toBe(full.bestEpoch);
    expect(weightsOf(resumedModel)).toEqual(weightsOf(straight));
  });

  it('refuses to resume with a different seed or batch size', async () => {
    const ckpt = join(dir, 'mismatch');
    await fit(denseNet(1), base({ epochs: 1, checkpointDir: ckpt }));
    await expect(
      fit(denseNet(1), base({ epochs: 2, batchSize: 8, checkpointDir: ckpt, resume: true })),
    ).rejects.toThrow(/made with seed 7 and batch size 16/);
  });
});

describe('arraySource', () => {
  const xs = { data: Float32Array.from({ length: 10 }, (_, i) => i), shape: [10, 1] };
  const ys = Int32Array.from({ length: 10 }, (_, i) => i % 3);
  const order = async (source: DataSource, epoch: number, seed: number) => {
    const seen: number[] = [];
    for await (const b of source.batches(epoch, 4, seed)) {
      expect(b.xs.shape).toEqual([b.ys.length, 1]);
      b.xs.data.forEach((v, k) => {
        seen.push(v);
        expect(b.ys[k]).toBe(v % 3);
      });
    }
    return seen;
  };

  it('shuffles each epoch from (seed, epoch), keeps every example once, and keeps order without shuffle', async () => {
    const source = arraySource(xs, ys);
    const e0 = await order(source, 0, 1);
    expect([...e0].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(await order(source, 0, 1)).toEqual(e0);
    expect(await order(source, 1, 1)).not.toEqual(e0);
    expect(await order(source, 0, 2)).not.toEqual(e0);
    expect(await order(arraySource(xs, ys, { shuffle: false }), 3, 9)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('rejects labels that do not match the inputs', () => {
    expect(() => arraySource(xs, new Int32Array(9))).toThrow(/10 inputs but 9 labels/);
  });
});

describe('createTrainer', () => {
  it('does not leak tensors from step to step', async () => {
    const model = denseNet(1, { dropout: 0.2 });
    const trainer = await createTrainer(model, { optimizer: { name: 'adam', learningRate: 0.01 }, workers: 1 });
    const batches: ArrayBatch[] = [];
    for await (const b of train.batches(0, 16, 1)) batches.push(b);
    for (const b of batches.slice(0, 2)) await trainer.step(b); // the optimizer creates its slots here
    const before = tf.memory().numTensors;
    for (const b of batches) await trainer.step(b);
    expect(tf.memory().numTensors).toBe(before);
    await trainer.dispose();
  });
});

describe('dropout masks', () => {
  it('refuses a seeded dropout layer, which tfjs would give the same mask at every step', async () => {
    const model = withSeed(1, () => {
      const m = tf.sequential();
      m.add(tf.layers.dense({ units: 8, inputShape: [4] }));
      m.add(tf.layers.dropout({ rate: 0.5, seed: 7, name: 'fixed_drop' }));
      m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
      return m;
    });
    await expect(createTrainer(model, { optimizer: { name: 'sgd', learningRate: 0 }, workers: 1 })).rejects.toThrow(
      /fixed_drop.*fixed seed 7/,
    );
  });

  it('draws a new mask at every step and the same mask for the same step', async () => {
    const model = denseNet(1, { dropout: 0.5 });
    // Learning rate 0: the weights stay put, so only the dropout mask can change the loss.
    const trainer = await createTrainer(model, { optimizer: { name: 'sgd', learningRate: 0 }, workers: 1, seed: 3 });
    let batch: ArrayBatch | undefined;
    for await (const b of train.batches(0, 32, 1)) {
      batch = b;
      break;
    }
    if (!batch) throw new Error('no batch');
    const losses = [];
    for (const step of [0, 1, 2, 0]) losses.push((await trainer.step(batch, step)).loss);
    expect(new Set(losses.slice(0, 3)).size).toBe(3);
    expect(losses[3]).toBe(losses[0]);
    await trainer.dispose();
  });
});

describe('evaluate and predictBatches', () => {
  it('scores a set batch by batch and returns probabilities with their labels', async () => {
    const model = denseNet(1);
    await fit(model, base({ epochs: 4 }));
    const whole = await evaluate(model, validation, 48, { probabilities: true });
    const batched = await evaluate(model, validation, 5);
    expect(batched.count).toBe(48);
    expect(batched.loss).toBeCloseTo(whole.loss, 5);
    expect(batched.accuracy).toBe(whole.accuracy);
    expect(whole.probabilities).toHaveLength(48 * 3);
    expect(Array.from(whole.labels ?? [])).toEqual(Array.from(blobs(48, 2).ys));

    let rows = 0;
    for await (const p of predictBatches(model, validation, 10)) {
      expect(p.classes).toBe(3);
      expect(p.probabilities.length).toBe(p.labels.length * 3);
      rows += p.labels.length;
    }
    expect(rows).toBe(48);
  });
});
