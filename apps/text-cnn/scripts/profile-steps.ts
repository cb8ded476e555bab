// Times Kim's training step (one thread) on MR fold 0: whole step, and the optimizer update on its own, with
// the word-vector table updated densely (as Kim's code) and row by row (lazy-rows.ts), on the same batches.
// npx tsx scripts/profile-steps.ts [steps=40] [maxVocab|full] [workers=1] [threads]
// With `threads`: per-thread CPU of 1 vs 2 gradient workers (core's measureWorkerSpeedup) on one MR batch.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createTrainer, initBackend, measureWorkerSpeedup, withSeed, type ArrayBatch } from '@cnn-lab/core';
import { BENCHMARKS, loadBenchmark, prepareSplit, protocolSplits, sequenceSource } from '../src/data/index.js';
import { buildKimCnn, KIM_DEFAULTS, kimAdadelta, LazyRowsAdadelta, trainableTables } from '../src/model/index.js';

const steps = Number(process.argv[2] ?? 40);
const maxVocab = process.argv[3] && process.argv[3] !== 'full' ? Number(process.argv[3]) : undefined;
const workers = Number(process.argv[4] ?? 1);
const WARMUP = 3;
await initBackend({ quiet: false });
const dir = resolve(process.env['CNN_LAB_DATA'] ?? join(import.meta.dirname, '../../../../shared/datasets'), 'text');
const loaded = await loadBenchmark(BENCHMARKS.MR, async (name) => ({
  path: join(dir, name),
  bytes: await readFile(join(dir, name)),
}));
const split = protocolSplits(loaded, 1, 1)[0]!;
const data = prepareSplit(split, { tokenizer: 'kim', classes: ['0', '1'], ...(maxVocab ? { maxVocab } : {}) });
process.stderr.write(`MR fold 0: vocabulary ${data.vocab.size}, ${data.train.length} training sentences\n`);

async function measure(mode: 'dense' | 'lazy') {
  const model = withSeed(1, () =>
    buildKimCnn({ ...KIM_DEFAULTS, vocabSize: data.vocab.size, classes: 2, variant: 'rand', seed: 1 }),
  );
  const optimizer = mode === 'dense' ? kimAdadelta() : new LazyRowsAdadelta(kimAdadelta(), trainableTables(model));
  let optMs = 0;
  const apply = optimizer.applyGradients.bind(optimizer);
  optimizer.applyGradients = (g) => {
    const t = performance.now();
    apply(g);
    optMs += performance.now() - t;
  };
  const trainer = await createTrainer(model, {
    optimizer,
    workers,
    seed: 1,
    ...(mode === 'lazy' ? { rowTables: trainableTables(model) } : {}),
  });
  const source = sequenceSource(data.train, { maxWindow: 5, shuffle: true });
  let n = 0;
  let optAtStart = 0;
  let cpu0 = process.cpuUsage();
  let t0 = performance.now();
  for await (const batch of source.batches(0, 50, 1)) {
    if (n === WARMUP) [optAtStart, cpu0, t0] = [optMs, process.cpuUsage(), performance.now()];
    await trainer.step(batch);
    if (++n >= steps + WARMUP) break;
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await trainer.dispose();
  model.dispose();
  optimizer.dispose();
  return {
    mode,
    workers,
    steps,
    msPerStep: +(wall / steps).toFixed(1),
    cpuMsPerStep: +((cpu.user + cpu.system) / 1000 / steps).toFixed(1),
    optimizerMsPerStep: +((optMs - optAtStart) / steps).toFixed(1),
  };
}

if (process.argv[5] === 'threads') {
  // CPU of each thread from /proc, 1 vs 2 workers on one typical batch: the step's critical path on idle cores.
  let batch: ArrayBatch | undefined;
  for await (const b of sequenceSource(data.train, { maxWindow: 5, shuffle: true }).batches(0, 50, 1))
    if ((batch = b).xs.shape[1] === 30) break;
  const rows = await measureWorkerSpeedup(
    () =>
      withSeed(1, () =>
        buildKimCnn({ ...KIM_DEFAULTS, vocabSize: data.vocab.size, classes: 2, variant: 'rand', seed: 1 }),
      ),
    batch as ArrayBatch,
    {
      workerCounts: [1, 2, 1, 2],
      steps,
      trainer: (model) => ({
        optimizer: new LazyRowsAdadelta(kimAdadelta(), trainableTables(model)),
        rowTables: trainableTables(model),
      }),
    },
  );
  console.log(JSON.stringify({ vocabulary: data.vocab.size, batch: (batch as ArrayBatch).xs.shape, rows }));
} else {
  const rows = [await measure('dense'), await measure('lazy')];
  console.log(
    JSON.stringify({
      vocabulary: data.vocab.size,
      stepsPerEpoch: Math.ceil(data.train.length / 50),
      rows,
      tensors: tf.memory().numTensors,
    }),
  );
}
