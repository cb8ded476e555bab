// Times the kernels core registers for wasm against wasm's own kernels (or the alternative they replace) on
// the reference nets' shapes, in one process, so the comparison shares the machine's conditions.
//   npx tsx packages/core/src/bench/kernel-compare.ts
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels } from '../backend/index.js';
import { median } from '../util/stats.js';

const STEPS = 5;

/** Median CPU ms (and wall ms) of one kernel run, the result read back. */
function time(fn: () => tf.Tensor): { cpu: number; wall: number } {
  tf.dispose(fn());
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = fn();
    r.dataSync();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    r.dispose();
  }
  return { cpu: median(cpu), wall: median(wall) };
}

const run = (name: string, inputs: tf.NamedTensorMap, attrs: object) => () =>
  tf.engine().runKernel(name, inputs, attrs as never) as tf.Tensor;

async function main(): Promise<void> {
  await tf.setBackend('wasm');
  const x64 = tf.randomUniform([64, 19, 19, 64]);
  const x48 = tf.randomUniform([64, 19, 19, 48]);
  const dy64 = tf.randomUniform([64, 19, 19, 64]);
  const w3 = tf.randomUniform([3, 3, 64, 64]);
  const kimX = tf.randomUniform([50, 56, 300, 1]);
  const kimW = tf.randomUniform([4, 300, 1, 100]);
  const kimDy = tf.randomUniform([50, 53, 1, 100]);
  const table = tf.randomUniform([20000, 300]);
  const ids = tf.randomUniform([2800], 0, 20000, 'int32');
  const rows = tf.randomUniform([2800, 300]);
  const pooled = tf.randomUniform([50, 53, 1, 100]);
  const maxes = tf.max(pooled, [1, 2], true);
  const mnistX = tf.relu(tf.randomUniform([64, 26, 26, 25], -1, 1));
  const mnistY = tf.maxPool(mnistX as tf.Tensor4D, 2, 2, 'valid');
  const mnistDy = tf.randomUniform(mnistY.shape);

  const cases: Array<{ what: string; fn: () => tf.Tensor; wasmHasIt: boolean }> = [
    { what: 'forward conv 3x3 64->64, go (reference point)', fn: () => tf.conv2d(x64 as tf.Tensor4D, w3 as tf.Tensor4D, 1, 'same'), wasmHasIt: true },
    { what: 'Conv2DBackpropFilter 3x3 64->64, go', fn: run('Conv2DBackpropFilter', { x: x64, dy: dy64 }, { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, 64, 64] }), wasmHasIt: false },
    { what: 'Conv2DBackpropFilter 5x5 48->64, go', fn: run('Conv2DBackpropFilter', { x: x48, dy: dy64 }, { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', filterShape: [5, 5, 48, 64] }), wasmHasIt: false },
    { what: 'Conv2DBackpropInput 3x3 64->64, go', fn: run('Conv2DBackpropInput', { dy: dy64, filter: w3 }, { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', inputShape: [64, 19, 19, 64] }), wasmHasIt: true },
    { what: 'Conv2D 4x300 window, 1 channel, kim', fn: run('Conv2D', { x: kimX, filter: kimW }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', dilations: [1, 1] }), wasmHasIt: true },
    { what: 'Conv2DBackpropInput 4x300, kim', fn: run('Conv2DBackpropInput', { dy: kimDy, filter: kimW }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', inputShape: [50, 56, 300, 1] }), wasmHasIt: true },
    { what: 'Conv2DBackpropFilter 4x300, kim', fn: run('Conv2DBackpropFilter', { x: kimX, dy: kimDy }, { strides: [1, 1], pad: 'valid', dataFormat: 'NHWC', filterShape: [4, 300, 1, 100] }), wasmHasIt: false },
    { what: 'GatherV2 2800 rows of a 20000x300 embedding', fn: run('GatherV2', { x: table, indices: ids }, { axis: 0, batchDims: 0 }), wasmHasIt: true },
    { what: 'UnsortedSegmentSum 2800 rows into 20000x300', fn: run('UnsortedSegmentSum', { x: rows, segmentIds: ids }, { numSegments: 20000 }), wasmHasIt: false },
    { what: 'Equal broadcast (max-over-time grad), kim', fn: run('Equal', { a: pooled, b: maxes }, {}), wasmHasIt: true },
    { what: 'MaxPoolGrad 2x2 on 64x26x26x25, mnist', fn: run('MaxPoolGrad', { dy: mnistDy, input: mnistX, output: mnistY }, { filterSize: [2, 2], strides: [2, 2], pad: 'valid' }), wasmHasIt: true },
  ];

  const before = new Map<string, { cpu: number; wall: number }>();
  for (const c of cases) if (c.wasmHasIt) before.set(c.what, time(c.fn));
  registerWasmTrainingKernels();
  const fmt = (t?: { cpu: number; wall: number }) => (t ? `${t.cpu.toFixed(1)} (${t.wall.toFixed(0)})` : 'missing');
  console.log(`${'kernel and shape'.padEnd(48)} ${'wasm 4.22 cpu ms (wall)'.padStart(24)} ${'core cpu ms (wall)'.padStart(20)}`);
  for (const c of cases) {
    const after = time(c.fn);
    console.log(`${c.what.padEnd(48)} ${fmt(before.get(c.what)).padStart(24)} ${fmt(after).padStart(20)}`);
  }
}

void main();
