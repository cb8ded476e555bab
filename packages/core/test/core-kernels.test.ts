import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CORE_KERNEL_BUILDS,
  coreKernelBuild,
  coreKernelBuildAvailable,
  initBackend,
  setCoreKernelBuild,
} from '../src/backend/index.js';
import { coreKernelCalls, coreKernels } from '../src/backend/core-kernels/module.js';
import { conv2dBackpropInput, geometry } from '../src/backend/core-kernels/conv.js';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { Rng } from '../src/util/random.js';
import { randomArray, relError } from './fixtures/compare.js';

// Core's own wasm kernels (packages/core/kernels), both builds, against tfjs's cpu backend on random shapes:
// odd sizes, several tiles and channel panels, padding same/valid/explicit, strides 1 and 2, batch 1.

type Input = { data: Float32Array; shape: number[] };

const input = (rng: Rng, shape: number[]): Input => ({
  data: randomArray(
    rng,
    shape.reduce((a, b) => a * b, 1),
  ),
  shape,
});

async function runOn(backend: string, kernel: string, inputs: Record<string, Input>, attrs: Record<string, unknown>) {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const ins: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) ins[k] = tf.tensor(v.data, v.shape);
    const out = tf.engine().runKernel<tf.Tensor>(kernel, ins, attrs as never);
    return { data: out.dataSync() as Float32Array, shape: out.shape };
  });
}

// The cpu backend's results, computed once for both builds (keyed by kernel, attributes and the inputs' data).
const references = new Map<string, { data: Float32Array; shape: number[] }>();

function fingerprint(inputs: Record<string, Input>): string {
  return Object.entries(inputs)
    .map(
      ([k, v]) =>
        `${k}:${v.shape.join('x')}:${Array.from(v.data.subarray(0, 8)).join(',')}:${v.data.reduce((a, b) => a + b, 0)}`,
    )
    .join('|');
}

/** Runs the kernel on cpu and on wasm, checks they agree and that core's kernel (not a fallback) ran. */
async function expectCoreMatchesCpu(kernel: string, inputs: Record<string, Input>, attrs: Record<string, unknown>) {
  const key = `${kernel}|${JSON.stringify(attrs)}|${fingerprint(inputs)}`;
  const ref = references.get(key) ?? (await runOn('cpu', kernel, inputs, attrs));
  references.set(key, ref);
  const before = coreKernelCalls[kernel] ?? 0;
  const got = await runOn('wasm', kernel, inputs, attrs);
  expect(coreKernelCalls[kernel] ?? 0, `${kernel} ran on core's kernel`).toBe(before + 1);
  expect(got.shape).toEqual(ref.shape);
  expect(got.data.every(Number.isFinite)).toBe(true);
  expect(relError(got.data, ref.data)).toBeLessThan(1e-4);
}

interface ConvCase {
  batch: number;
  h: number;
  w: number;
  cin: number;
  cout: number;
  fh: number;
  fw: number;
  stride: [number, number];
  pad: 'same' | 'valid' | number[][];
}

// Fixed cases: the nets' layer types at small sizes, plus the edges of the tiling.
const FIXED: ConvCase[] = [
  { batch: 1, h: 7, w: 6, cin: 3, cout: 4, fh: 3, fw: 3, stride: [1, 1], pad: 'same' },
  { batch: 2, h: 9, w: 9, cin: 13, cout: 20, fh: 3, fw: 3, stride: [1, 1], pad: 'same' },
  { batch: 2, h: 8, w: 7, cin: 16, cout: 17, fh: 5, fw: 5, stride: [1, 1], pad: 'same' },
  { batch: 3, h: 7, w: 6, cin: 3, cout: 9, fh: 3, fw: 3, stride: [1, 1], pad: 'valid' },
  { batch: 1, h: 10, w: 9, cin: 5, cout: 2, fh: 3, fw: 3, stride: [2, 2], pad: 'valid' },
  { batch: 2, h: 9, w: 9, cin: 7, cout: 11, fh: 3, fw: 3, stride: [2, 2], pad: 'same' },
  { batch: 3, h: 8, w: 8, cin: 2, cout: 3, fh: 4, fw: 4, stride: [2, 2], pad: 'same' },
  { batch: 2, h: 10, w: 12, cin: 1, cout: 4, fh: 5, fw: 3, stride: [1, 2], pad: 'same' },
  { batch: 2, h: 7, w: 7, cin: 9, cout: 1, fh: 1, fw: 1, stride: [1, 1], pad: 'same' },
  {
    batch: 2,
    h: 9,
    w: 8,
    cin: 2,
    cout: 3,
    fh: 5,
    fw: 5,
    stride: [1, 1],
    pad: [
      [0, 0],
      [2, 1],
      [0, 3],
      [0, 0],
    ],
  },
  // Kim's text CNN: a filter as wide as the input, one channel (one merged patch run, output width 1).
  { batch: 3, h: 12, w: 20, cin: 1, cout: 10, fh: 3, fw: 20, stride: [1, 1], pad: 'valid' },
  // The lecture MNIST net's first layer: one channel, 3x3 valid.
  { batch: 2, h: 12, w: 12, cin: 1, cout: 25, fh: 3, fw: 3, stride: [1, 1], pad: 'valid' },
];

function randomCases(seed: number, count: number): ConvCase[] {
  const rng = new Rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)]!;
  return Array.from({ length: count }, () => {
    const fh = 1 + rng.int(5);
    const fw = 1 + rng.int(5);
    const pad = pick(['same', 'valid'] as const);
    const stride: [number, number] = [1 + rng.int(2), 1 + rng.int(2)];
    return {
      batch: 1 + rng.int(3),
      h: fh + rng.int(9),
      w: fw + rng.int(9),
      cin: 1 + rng.int(19),
      cout: 1 + rng.int(19),
      fh,
      fw,
      stride,
      pad,
    };
  });
}

const label = (c: ConvCase) =>
  `${c.batch}x${c.h}x${c.w}x${c.cin} -> ${c.cout}, ${c.fh}x${c.fw} stride ${c.stride.join('x')} ${JSON.stringify(c.pad)}`;

function outShape(c: ConvCase): number[] {
  return tf.backend_util.computeConv2DInfo(
    [c.batch, c.h, c.w, c.cin],
    [c.fh, c.fw, c.cin, c.cout],
    c.stride,
    1,
    c.pad as never,
  ).outShape;
}

const builds = CORE_KERNEL_BUILDS.filter((b) => coreKernelBuildAvailable(b));

describe("core's wasm kernels match the cpu backend", () => {
  let initial: ReturnType<typeof coreKernelBuild>;
  beforeAll(async () => {
    expect(await initBackend({ backend: 'wasm', quiet: true })).toBe('wasm');
    initial = coreKernelBuild();
  });
  afterAll(() => setCoreKernelBuild(initial));

  it('both builds compile in this engine (the fma build after enabling relaxed SIMD on Node 20)', () => {
    expect(builds).toEqual(['fma', 'simd']);
    expect(initial).toBe('fma');
  });

  for (const build of builds) {
    describe(`${build} build`, () => {
      beforeAll(() => setCoreKernelBuild(build));

      const cases = [...FIXED, ...randomCases(11, 12)];
      for (const [i, c] of cases.entries()) {
        const xShape = [c.batch, c.h, c.w, c.cin];
        const filterShape = [c.fh, c.fw, c.cin, c.cout];
        const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dilations: [1, 1] };

        it(`Conv2D, FusedConv2D, both gradients: ${label(c)}`, async () => {
          const rng = new Rng(1000 + i);
          const x = input(rng, xShape);
          const filter = input(rng, filterShape);
          const dy = input(rng, outShape(c));
          await expectCoreMatchesCpu('Conv2D', { x, filter }, attrs);
          // A wide bias puts outputs on both sides of relu6's clip at 6 and relu's at 0.
          const bias = input(rng, [c.cout]);
          bias.data.forEach((v, j) => (bias.data[j] = 8 * v));
          for (const activation of ['linear', 'relu', 'relu6']) {
            await expectCoreMatchesCpu('FusedConv2D', { x, filter, bias }, { ...attrs, activation });
          }
          await expectCoreMatchesCpu('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: xShape });
          await expectCoreMatchesCpu('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape });
        });
      }

      // Winograd F(4x4, 3x3): 3x3 stride 1 with >= 16 channels each side; partial tiles, channel padding (17),
      // same/valid/explicit padding, batch 1 (the shipped go net's layers).
      const WINOGRAD: ConvCase[] = [
        { batch: 2, h: 9, w: 9, cin: 16, cout: 20, fh: 3, fw: 3, stride: [1, 1], pad: 'same' },
        { batch: 1, h: 11, w: 10, cin: 17, cout: 16, fh: 3, fw: 3, stride: [1, 1], pad: 'valid' },
        {
          batch: 2,
          h: 7,
          w: 13,
          cin: 20,
          cout: 24,
          fh: 3,
          fw: 3,
          stride: [1, 1],
          pad: [
            [0, 0],
            [0, 2],
            [1, 0],
            [0, 0],
          ],
        },
        { batch: 1, h: 19, w: 19, cin: 32, cout: 32, fh: 3, fw: 3, stride: [1, 1], pad: 'same' },
      ];
      for (const [i, c] of WINOGRAD.entries()) {
        it(`Winograd F(4x4, 3x3) forward and both gradients: ${label(c)}`, async () => {
          const rng = new Rng(5000 + i);
          const xShape = [c.batch, c.h, c.w, c.cin];
          const filterShape = [c.fh, c.fw, c.cin, c.cout];
          const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dilations: [1, 1] };
          const x = input(rng, xShape);
          const filter = input(rng, filterShape);
          const bias = input(rng, [c.cout]);
          bias.data.forEach((v, j) => (bias.data[j] = 8 * v));
          const before = coreKernelCalls['winograd'] ?? 0;
          await expectCoreMatchesCpu('Conv2D', { x, filter }, attrs);
          for (const activation of ['relu', 'relu6']) {
            await expectCoreMatchesCpu('FusedConv2D', { x, filter, bias }, { ...attrs, activation });
          }
          const expected = before + 4 + (c.cin % 4 === 0 ? 1 : 0);
          const dy = input(rng, outShape(c));
          await expectCoreMatchesCpu('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: xShape });
          await expectCoreMatchesCpu('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape });
          expect(coreKernelCalls['winograd'] ?? 0, 'Winograd ran').toBe(expected);
        });
      }

      it("Conv2DBackpropInput's rotated-filter route (stride 1) agrees too", async () => {
        for (const [i, c] of cases.filter((c) => c.stride[0] === 1 && c.stride[1] === 1).entries()) {
          const rng = new Rng(3000 + i);
          const xShape = [c.batch, c.h, c.w, c.cin];
          const filterShape = [c.fh, c.fw, c.cin, c.cout];
          const dy = input(rng, outShape(c));
          const filter = input(rng, filterShape);
          const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: xShape };
          const ref = await runOn('cpu', 'Conv2DBackpropInput', { dy, filter }, attrs);
          await tf.setBackend('wasm');
          const backend = tf.backend() as BackendWasm;
          const info = tf.backend_util.computeConv2DInfo(
            xShape as never,
            filterShape as never,
            c.stride,
            1,
            c.pad as never,
          );
          const got = tf.tidy(() => {
            const dyT = tf.tensor(dy.data, dy.shape);
            const wT = tf.tensor(filter.data, filter.shape);
            const out = conv2dBackpropInput(coreKernels(backend)!, geometry(info)!, dyT, wT, 'conv');
            return tf.engine().makeTensorFromTensorInfo(out).dataSync() as Float32Array;
          });
          expect(relError(got, ref.data), label(c)).toBeLessThan(1e-4);
        }
      });

      const MATMULS = [
        { a: [1, 7, 5], b: [1, 5, 3] },
        { a: [2, 13, 30], b: [2, 30, 17] },
        { a: [1, 64, 125], b: [1, 125, 10] },
        { a: [3, 1, 9], b: [1, 9, 8] },
        { a: [2, 6, 8], b: [1, 8, 1] },
      ];
      for (const mm of MATMULS) {
        it(`BatchMatMul and _FusedMatMul [${mm.a.join(',')}] x [${mm.b.join(',')}], every transpose`, async () => {
          const rng = new Rng(mm.a[1]! * 31 + mm.b[2]!);
          for (const transposeA of [false, true]) {
            for (const transposeB of [false, true]) {
              const [ba, m, k] = mm.a as [number, number, number];
              const [bb, , n] = mm.b as [number, number, number];
              const a = input(rng, transposeA ? [ba, k, m] : [ba, m, k]);
              const b = input(rng, transposeB ? [bb, n, k] : [bb, k, n]);
              await expectCoreMatchesCpu('BatchMatMul', { a, b }, { transposeA, transposeB });
              const bias = input(rng, [n]);
              await expectCoreMatchesCpu(
                '_FusedMatMul',
                { a, b, bias },
                { transposeA, transposeB, activation: 'relu' },
              );
            }
          }
        });
      }

      it('Sum over leading axes (bias gradients), with and without keepDims; other axes still agree', async () => {
        const rng = new Rng(91);
        const x = input(rng, [3, 300, 2, 23]);
        await expectCoreMatchesCpu('Sum', { x }, { axis: [0, 1, 2], keepDims: false });
        await expectCoreMatchesCpu('Sum', { x }, { axis: [1, 0], keepDims: true });
        await expectCoreMatchesCpu('Sum', { x: input(rng, [700, 64]) }, { axis: 0, keepDims: false });
        const ref = await runOn('cpu', 'Sum', { x }, { axis: [1, 3], keepDims: false });
        const got = await runOn('wasm', 'Sum', { x }, { axis: [1, 3], keepDims: false });
        expect(relError(got.data, ref.data)).toBeLessThan(1e-5);
      });

      const POOLS = [
        { shape: [2, 8, 8, 25], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
        { shape: [1, 7, 9, 6], filterSize: [3, 3], strides: [2, 2], pad: 'same' },
        { shape: [3, 6, 9, 3], filterSize: [1, 3], strides: [1, 3], pad: 'valid' },
        { shape: [2, 5, 5, 9], filterSize: [2, 2], strides: [1, 1], pad: 'same' },
      ] as const;
      for (const p of POOLS) {
        it(`MaxPoolGrad ${p.filterSize.join('x')} stride ${p.strides.join('x')} ${p.pad} on [${p.shape.join(',')}], ties and NaN`, async () => {
          const rng = new Rng(p.shape[3] * 7 + p.filterSize[0]);
          const n = p.shape.reduce((a: number, b: number) => a * b, 1);
          // A third exact zeros (ties, as after a ReLU) and a few NaN, which never win a window.
          const x = Float32Array.from({ length: n }, () =>
            rng.next() < 0.33 ? 0 : rng.next() < 0.02 ? Number.NaN : rng.uniform(-1, 1),
          );
          await tf.setBackend('cpu');
          const y = tf.tidy(() => tf.maxPool(tf.tensor4d(x, [...p.shape]), [...p.filterSize], [...p.strides], p.pad));
          const output = { data: y.dataSync() as Float32Array, shape: y.shape };
          y.dispose();
          const attrs = { filterSize: p.filterSize, strides: p.strides, pad: p.pad };
          await expectCoreMatchesCpu(
            'MaxPoolGrad',
            { dy: input(rng, output.shape), input: { data: x, shape: [...p.shape] }, output },
            attrs,
          );
        });
      }

      it("the go net's first layer and a kim-shaped layer, forward and gradients", async () => {
        const rng = new Rng(77);
        const goCase: ConvCase = {
          batch: 1,
          h: 19,
          w: 19,
          cin: 48,
          cout: 64,
          fh: 5,
          fw: 5,
          stride: [1, 1],
          pad: 'same',
        };
        const kimCase: ConvCase = {
          batch: 2,
          h: 24,
          w: 60,
          cin: 1,
          cout: 100,
          fh: 4,
          fw: 60,
          stride: [1, 1],
          pad: 'valid',
        };
        for (const c of [goCase, kimCase]) {
          const attrs = { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dilations: [1, 1] };
          const x = input(rng, [c.batch, c.h, c.w, c.cin]);
          const filter = input(rng, [c.fh, c.fw, c.cin, c.cout]);
          const dy = input(rng, outShape(c));
          await expectCoreMatchesCpu(
            'FusedConv2D',
            { x, filter, bias: input(rng, [c.cout]) },
            { ...attrs, activation: 'relu' },
          );
          await expectCoreMatchesCpu('Conv2DBackpropInput', { dy, filter }, { ...attrs, inputShape: x.shape });
          await expectCoreMatchesCpu('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape: filter.shape });
        }
      });
    });
  }

  it("with the kernels off, wasm's earlier kernels run and agree as well", async () => {
    setCoreKernelBuild('off');
    const rng = new Rng(5);
    const x = input(rng, [2, 7, 7, 3]);
    const filter = input(rng, [3, 3, 3, 4]);
    const ref = await runOn(
      'cpu',
      'Conv2D',
      { x, filter },
      { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1] },
    );
    const before = coreKernelCalls['Conv2D'] ?? 0;
    const got = await runOn(
      'wasm',
      'Conv2D',
      { x, filter },
      { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1] },
    );
    expect(coreKernelCalls['Conv2D'] ?? 0).toBe(before);
    expect(relError(got.data, ref.data)).toBeLessThan(1e-4);
  });
});
