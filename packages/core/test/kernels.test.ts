import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../src/backend/index.js';
import { editableValues } from '../src/train/rows.js';
import { Rng } from '../src/util/random.js';
import { randomArray, relError } from './fixtures/compare.js';

// Each kernel core registers for wasm is checked against the cpu backend's reference implementation.

/** Runs one kernel on the given backend with plain arrays in and out. */
async function runOn(
  backend: string,
  kernel: string,
  inputs: Record<string, { data: Float32Array | Int32Array; shape: number[] }>,
  attrs: Record<string, unknown>,
): Promise<{ data: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const ins: Record<string, tf.Tensor> = {};
    for (const [k, v] of Object.entries(inputs)) ins[k] = tf.tensor(v.data, v.shape);
    const out = tf.engine().runKernel<tf.Tensor>(kernel, ins, attrs as never);
    return { data: out.dataSync() as Float32Array, shape: out.shape };
  });
}

async function expectSameAsCpu(
  kernel: string,
  inputs: Record<string, { data: Float32Array | Int32Array; shape: number[] }>,
  attrs: Record<string, unknown>,
) {
  const ref = await runOn('cpu', kernel, inputs, attrs);
  const got = await runOn('wasm', kernel, inputs, attrs);
  expect(got.shape).toEqual(ref.shape);
  expect(relError(got.data, ref.data)).toBeLessThan(1e-4);
}

// Odd and even kernels, strides 1 and 2 (also mixed, as a speech net uses), same/valid/explicit, batch 1 and 3.
const CASES = [
  { batch: 1, h: 7, w: 6, cin: 3, cout: 4, fh: 3, fw: 3, stride: [1, 1], pad: 'same' },
  { batch: 3, h: 7, w: 6, cin: 3, cout: 4, fh: 3, fw: 3, stride: [1, 1], pad: 'valid' },
  { batch: 2, h: 8, w: 9, cin: 2, cout: 5, fh: 2, fw: 2, stride: [1, 1], pad: 'same' },
  { batch: 1, h: 8, w: 9, cin: 2, cout: 5, fh: 4, fw: 2, stride: [1, 1], pad: 'valid' },
  { batch: 2, h: 9, w: 9, cin: 3, cout: 4, fh: 3, fw: 3, stride: [2, 2], pad: 'same' },
  { batch: 1, h: 10, w: 9, cin: 3, cout: 2, fh: 3, fw: 3, stride: [2, 2], pad: 'valid' },
  { batch: 3, h: 8, w: 8, cin: 2, cout: 3, fh: 4, fw: 4, stride: [2, 2], pad: 'same' },
  { batch: 2, h: 9, w: 8, cin: 2, cout: 3, fh: 2, fw: 2, stride: [2, 2], pad: 'valid' },
  { batch: 2, h: 10, w: 12, cin: 1, cout: 4, fh: 5, fw: 3, stride: [1, 2], pad: 'same' },
  { batch: 2, h: 7, w: 7, cin: 4, cout: 1, fh: 1, fw: 1, stride: [1, 1], pad: 'same' },
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
  { batch: 1, h: 6, w: 20, cin: 1, cout: 3, fh: 3, fw: 20, stride: [1, 1], pad: 'valid' },
  // Padding wider than the filter: the input gradient falls back to wasm's own kernel.
  {
    batch: 2,
    h: 5,
    w: 5,
    cin: 2,
    cout: 2,
    fh: 3,
    fw: 3,
    stride: [1, 1],
    pad: [
      [0, 0],
      [3, 3],
      [1, 1],
      [0, 0],
    ],
  },
] as const;

describe('wasm training kernels match the cpu backend', () => {
  beforeAll(async () => {
    expect(await initBackend({ backend: 'wasm', quiet: true })).toBe('wasm');
  });

  for (const c of CASES) {
    const label = `${c.fh}x${c.fw} stride ${c.stride.join('x')} ${JSON.stringify(c.pad)} batch ${c.batch}`;
    const xShape: number[] = [c.batch, c.h, c.w, c.cin];
    const filterShape: number[] = [c.fh, c.fw, c.cin, c.cout];
    const convInfo = () =>
      tf.backend_util.computeConv2DInfo(
        xShape as [number, number, number, number],
        filterShape as [number, number, number, number],
        c.stride as [number, number],
        1,
        c.pad as never,
      );

    it(`Conv2DBackpropFilter ${label}`, async () => {
      const rng = new Rng(c.h * 100 + c.fh);
      const dyShape = convInfo().outShape;
      await expectSameAsCpu(
        'Conv2DBackpropFilter',
        {
          x: {
            data: randomArray(
              rng,
              xShape.reduce((a, b) => a * b),
            ),
            shape: xShape,
          },
          dy: {
            data: randomArray(
              rng,
              dyShape.reduce((a, b) => a * b),
            ),
            shape: dyShape,
          },
        },
        { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', filterShape },
      );
    });

    it(`Conv2DBackpropInput ${label}`, async () => {
      const rng = new Rng(c.w * 100 + c.fw);
      const dyShape = convInfo().outShape;
      await expectSameAsCpu(
        'Conv2DBackpropInput',
        {
          dy: {
            data: randomArray(
              rng,
              dyShape.reduce((a, b) => a * b),
            ),
            shape: dyShape,
          },
          filter: {
            data: randomArray(
              rng,
              filterShape.reduce((a, b) => a * b),
            ),
            shape: filterShape,
          },
        },
        { strides: c.stride, pad: c.pad, dataFormat: 'NHWC', inputShape: xShape },
      );
    });
  }

  it('UnsortedSegmentSum sums rows that share an id (embedding gradient), for matrix and higher-rank rows', async () => {
    const rng = new Rng(7);
    const ids = new Int32Array(30).map(() => rng.int(6));
    await expectSameAsCpu(
      'UnsortedSegmentSum',
      { x: { data: randomArray(rng, 30 * 5), shape: [30, 5] }, segmentIds: { data: ids, shape: [30] } },
      { numSegments: 8 },
    );
    await expectSameAsCpu(
      'UnsortedSegmentSum',
      { x: { data: randomArray(rng, 30 * 4 * 2), shape: [30, 4, 2] }, segmentIds: { data: ids, shape: [30] } },
      { numSegments: 6 },
    );
  });

  it('UnsortedSegmentSum drops ids outside [0, numSegments) as cpu does', async () => {
    const rng = new Rng(8);
    const ids = Int32Array.from([0, -1, 2, 5, 2, 9]);
    await expectSameAsCpu(
      'UnsortedSegmentSum',
      { x: { data: randomArray(rng, 6 * 3), shape: [6, 3] }, segmentIds: { data: ids, shape: [6] } },
      { numSegments: 4 },
    );
  });
  it('UnsortedSegmentSum with zeroRows writes only those rows, as cpu writes them, and refuses an id outside them', async () => {
    const rng = new Rng(10);
    const ids = Int32Array.from([3, 1, 3, 7, 1]);
    const x = { data: randomArray(rng, 5 * 4), shape: [5, 4] };
    const ref = await runOn(
      'cpu',
      'UnsortedSegmentSum',
      { x, segmentIds: { data: ids, shape: [5] } },
      { numSegments: 9 },
    );
    // Leave garbage where the output will be allocated: a freed buffer of the same size, full of 7s.
    await tf.setBackend('wasm');
    tf.dispose(tf.fill([9, 4], 7));
    const zeroRows = Int32Array.from([1, 3, 7, 5]);
    const got = await runOn(
      'wasm',
      'UnsortedSegmentSum',
      { x, segmentIds: { data: ids, shape: [5] } },
      { numSegments: 9, zeroRows },
    );
    for (const r of zeroRows)
      expect(Array.from(got.data.subarray(r * 4, r * 4 + 4))).toEqual(Array.from(ref.data.subarray(r * 4, r * 4 + 4)));
    await expect(
      runOn(
        'wasm',
        'UnsortedSegmentSum',
        { x, segmentIds: { data: ids, shape: [5] } },
        { numSegments: 9, zeroRows: Int32Array.from([1, 3]) },
      ),
    ).rejects.toThrow('segment 7 is not among zeroRows');
  });

  it('Identity (clone, and every tensor saved for the backward pass) shares the buffer instead of copying it', async () => {
    await tf.setBackend('wasm');
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.clone(a);
    expect(b.dataId).toBe(a.dataId);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3]);
    b.dispose();
    // A variable shared with a clone (the best epoch's weights) and then changed in place keeps the clone as it was.
    const v = tf.variable(tf.tensor2d([1, 2, 3, 4], [2, 2]));
    const best = tf.clone(v);
    editableValues(v).values[0] = 9;
    expect(Array.from(v.dataSync())).toEqual([9, 2, 3, 4]);
    expect(Array.from(best.dataSync())).toEqual([1, 2, 3, 4]);
    tf.dispose([v, best]);
  });

  it("Max's gradient on wasm is tfjs's composition bit for bit: ties all get dy, zeros keep dy's sign", async () => {
    await tf.setBackend('wasm');
    const rng = new Rng(11);
    // Few distinct values, so that maxima tie; dy of both signs.
    const x = tf.tensor3d(
      Float32Array.from({ length: 4 * 6 * 5 }, () => rng.int(3) - 1),
      [4, 6, 5],
    );
    const cases: [number[], boolean][] = [
      [[1], false],
      [[1], true],
      [[1, 2], false],
      [[0], false],
      [[0, 2], false], // not contiguous: tfjs's own composition
    ];
    for (const [axes, keepDims] of cases) {
      const y = tf.max(x, axes, keepDims);
      const dy = tf.tensor(
        Float32Array.from({ length: y.size }, () => rng.normal()),
        y.shape,
      );
      const got = tf.grads((t: tf.Tensor) => tf.max(t, axes, keepDims))([x], dy)[0]!;
      const keep = (t: tf.Tensor) =>
        t.rank < 3 ? tf.reshape(t, tf.backend_util.expandShapeToKeepDim(t.shape, axes)) : t;
      const want = tf.mul(keep(dy), tf.cast(tf.equal(x, keep(y)), 'float32'));
      const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));
      expect(bits(got)).toEqual(bits(want));
      expect(Array.from(got.dataSync()).some((v) => Object.is(v, -0))).toBe(true);
      tf.dispose([y, dy, got, want]);
    }
    // The one-pass kernel ran (and the five of tfjs's composition did not) where the axes are contiguous.
    const kernels = async (axes: number[]) =>
      (await tf.profile(() => tf.dispose(tf.grad((t: tf.Tensor) => tf.max(t, axes))(x)))).kernels.map((k) => k.name);
    expect(await kernels([1])).toContain('CnnLabMaxGrad');
    expect(await kernels([1])).not.toContain('Equal');
    expect(await kernels([0, 2])).toContain('Equal');
    x.dispose();
  });

  it('GatherV2 looks up rows (an embedding) as cpu does, over 1-d and 2-d index tensors, and other axes still work', async () => {
    const rng = new Rng(9);
    const table = { data: randomArray(rng, 12 * 5), shape: [12, 5] };
    const ids1 = { data: new Int32Array(7).map(() => rng.int(12)), shape: [7] };
    const ids2 = { data: new Int32Array(6).map(() => rng.int(12)), shape: [2, 3] };
    await expectSameAsCpu('GatherV2', { x: table, indices: ids1 }, { axis: 0, batchDims: 0 });
    await expectSameAsCpu('GatherV2', { x: table, indices: ids2 }, { axis: 0, batchDims: 0 });
    const cols = { data: new Int32Array(4).map(() => rng.int(5)), shape: [4] };
    await expectSameAsCpu('GatherV2', { x: table, indices: cols }, { axis: 1, batchDims: 0 });
  });

  it('GatherV2 names an out-of-range index', async () => {
    await tf.setBackend('wasm');
    const table = tf.zeros([4, 2]);
    expect(() => tf.gather(table, tf.tensor1d([1, 4], 'int32'))).toThrow(/index value 4 is not in \[0, 3\]/);
    table.dispose();
  });

  it('Equal with broadcasting (max-pooling gradients) matches cpu, NaN and infinities included', async () => {
    const rng = new Rng(10);
    const a = randomArray(rng, 4 * 6 * 3);
    const b = new Float32Array(4 * 3);
    for (let n = 0; n < 4; n++) for (let c = 0; c < 3; c++) b[n * 3 + c] = a[(n * 6 + rng.int(6)) * 3 + c]!;
    a[0] = Number.POSITIVE_INFINITY;
    b[0] = Number.POSITIVE_INFINITY;
    a[1] = Number.NaN;
    b[1] = Number.NaN;
    const ref = await runOn('cpu', 'Equal', { a: { data: a, shape: [4, 6, 3] }, b: { data: b, shape: [4, 1, 3] } }, {});
    const got = await runOn(
      'wasm',
      'Equal',
      { a: { data: a, shape: [4, 6, 3] }, b: { data: b, shape: [4, 1, 3] } },
      {},
    );
    expect(Array.from(got.data)).toEqual(Array.from(ref.data));
    expect(got.shape).toEqual(ref.shape);
    const swapped = await runOn(
      'wasm',
      'Equal',
      { a: { data: b, shape: [4, 1, 3] }, b: { data: a, shape: [4, 6, 3] } },
      {},
    );
    expect(Array.from(swapped.data)).toEqual(Array.from(ref.data));
    expect(Array.from(ref.data).filter((v) => v === 1).length).toBeGreaterThanOrEqual(11);
  });
  const POOLS = [
    { shape: [2, 8, 8, 3], filterSize: [2, 2], strides: [2, 2], pad: 'valid' },
    { shape: [1, 7, 9, 2], filterSize: [3, 3], strides: [2, 2], pad: 'same' },
    { shape: [3, 6, 9, 2], filterSize: [1, 3], strides: [1, 3], pad: 'valid' },
    { shape: [2, 5, 5, 1], filterSize: [2, 2], strides: [1, 1], pad: 'same' },
  ] as const;
  for (const p of POOLS) {
    it(`MaxPoolGrad ${p.filterSize.join('x')} stride ${p.strides.join('x')} ${p.pad} on [${p.shape.join(',')}] (ties included)`, async () => {
      const rng = new Rng(p.shape[1] * 10 + p.filterSize[1]);
      const n = (p.shape as readonly number[]).reduce((a, b) => a * b, 1);
      // A third of the inputs are exact zeros, as after a ReLU, so windows hold ties.
      const x = Float32Array.from({ length: n }, () => (rng.next() < 0.33 ? 0 : rng.uniform(-1, 1)));
      await tf.setBackend('cpu');
      const x4 = tf.tensor4d(x, [...p.shape] as [number, number, number, number]);
      const y = tf.maxPool(x4, [...p.filterSize] as [number, number], [...p.strides] as [number, number], p.pad);
      x4.dispose();
      const yData = y.dataSync() as Float32Array;
      const yShape = y.shape;
      y.dispose();
      await expectSameAsCpu(
        'MaxPoolGrad',
        {
          dy: { data: randomArray(rng, yData.length), shape: yShape },
          input: { data: x, shape: [...p.shape] },
          output: { data: yData, shape: yShape },
        },
        { filterSize: p.filterSize, strides: p.strides, pad: p.pad },
      );
    });
  }
  const WIDE = [
    { x: [2, 10, 100, 1], f: [3, 100, 1, 5], strides: [1, 1], pad: 'valid' },
    { x: [1, 9, 20, 2], f: [8, 9, 2, 3], strides: [2, 1], pad: 'same' },
  ] as const;
  for (const c of WIDE) {
    it(`Conv2D and FusedConv2D (bias, relu) with a wide filter over few channels: ${c.f.join('x')} ${c.pad}`, async () => {
      const rng = new Rng(c.f[1]);
      const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
      const x = { data: randomArray(rng, size(c.x)), shape: [...c.x] };
      const filter = { data: randomArray(rng, size(c.f)), shape: [...c.f] };
      const bias = { data: randomArray(rng, c.f[3]), shape: [c.f[3]] };
      const attrs = { strides: c.strides, pad: c.pad, dataFormat: 'NHWC', dilations: [1, 1] };
      await expectSameAsCpu('Conv2D', { x, filter }, attrs);
      await expectSameAsCpu('FusedConv2D', { x, filter, bias }, { ...attrs, activation: 'relu' });
    });
  }
});
