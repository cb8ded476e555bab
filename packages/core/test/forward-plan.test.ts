import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  coreKernelBuild,
  coreKernelBuildAvailable,
  createForwardPlan,
  ForwardPlanUnsupported,
  initBackend,
  setCoreKernelBuild,
  CORE_KERNEL_BUILDS,
  type CoreKernelChoice,
} from '../src/backend/index.js';
import { Rng } from '../src/util/random.js';
import { relError } from './fixtures/compare.js';

// core's forward plan (conv stacks straight on core's wasm kernels) against model.predict on the cpu backend.

function randomArray(rng: Rng, n: number, zeros = 0): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.next() < zeros ? 0 : rng.uniform(-1, 1);
  return a;
}

/** Random weights (biases too, so that relu cuts some outputs). */
function randomize(model: tf.LayersModel, rng: Rng): void {
  model.setWeights(model.getWeights().map((w) => tf.tensor(randomArray(rng, w.size), w.shape).mul(0.5)));
}

async function cpuPredict(model: tf.LayersModel, input: Float32Array, shape: number[]): Promise<Float32Array> {
  await tf.setBackend('cpu');
  try {
    return tf.tidy(() => (model.predict(tf.tensor(input, shape)) as tf.Tensor).dataSync() as Float32Array).slice();
  } finally {
    await tf.setBackend('wasm');
  }
}

interface ConvSpec {
  filters: number;
  kernelSize: number;
  strides?: number;
  padding: 'same' | 'valid';
  activation: 'relu' | 'linear' | 'relu6';
  useBias?: boolean;
}

function convStack(input: [number, number, number], convs: ConvSpec[], tail: tf.layers.Layer[] = []): tf.LayersModel {
  const model = tf.sequential();
  convs.forEach((c, i) =>
    model.add(tf.layers.conv2d({ ...(i === 0 ? { inputShape: input } : {}), ...c, useBias: c.useBias ?? true })),
  );
  for (const layer of tail) model.add(layer);
  return model;
}

// Odd channel counts, 1x1, 3x3 (direct, and Winograd from 16 channels up with output channels a multiple of 4),
// 5x5, strides 1 and 2, same and valid.
const STACKS: { name: string; input: [number, number, number]; convs: ConvSpec[] }[] = [
  {
    name: '5x5 same, 3x3 same, 1x1 linear (odd channels)',
    input: [9, 9, 7],
    convs: [
      { filters: 5, kernelSize: 5, padding: 'same', activation: 'relu' },
      { filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' },
      { filters: 1, kernelSize: 1, padding: 'valid', activation: 'linear', useBias: false },
    ],
  },
  {
    name: 'Winograd 3x3 layers (19x19, 48 -> 20 -> 16 -> 24 channels)',
    input: [19, 19, 48],
    convs: [
      { filters: 20, kernelSize: 5, padding: 'same', activation: 'relu' },
      { filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' },
      { filters: 24, kernelSize: 3, padding: 'same', activation: 'relu6' },
      { filters: 1, kernelSize: 1, padding: 'valid', activation: 'linear' },
    ],
  },
  {
    name: 'a first layer from its non-zeros: 5x5 relu6, 32 filters',
    input: [8, 7, 6],
    convs: [
      { filters: 32, kernelSize: 5, padding: 'same', activation: 'relu6' },
      { filters: 8, kernelSize: 3, padding: 'valid', activation: 'linear', useBias: false },
    ],
  },
  {
    name: 'a first layer from its non-zeros: 3x3 valid, linear, no bias, 16 filters',
    input: [9, 9, 5],
    convs: [
      { filters: 16, kernelSize: 3, padding: 'valid', activation: 'linear', useBias: false },
      { filters: 3, kernelSize: 1, padding: 'same', activation: 'relu' },
    ],
  },
  {
    name: 'valid padding and stride 2',
    input: [11, 10, 3],
    convs: [
      { filters: 9, kernelSize: 3, padding: 'valid', activation: 'relu' },
      { filters: 17, kernelSize: 3, strides: 2, padding: 'same', activation: 'linear' },
      { filters: 16, kernelSize: 3, padding: 'valid', activation: 'relu', useBias: false },
      { filters: 5, kernelSize: 1, padding: 'same', activation: 'relu' },
    ],
  },
];

describe('createForwardPlan', () => {
  let build: CoreKernelChoice;
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    build = coreKernelBuild();
  });
  afterEach(async () => {
    setCoreKernelBuild(build);
    await tf.setBackend('wasm');
  });

  const builds = CORE_KERNEL_BUILDS.filter((b) => coreKernelBuildAvailable(b));
  it('has a kernel build to test', () => {
    expect(builds.length).toBeGreaterThan(0);
  });

  for (const kernelBuild of builds) {
    for (const stack of STACKS) {
      it(`${stack.name}: equals the cpu backend at batch 1, 3 and 2 (${kernelBuild})`, async () => {
        setCoreKernelBuild(kernelBuild);
        const rng = new Rng(stack.name.length * 7 + 1);
        const model = convStack(stack.input, stack.convs);
        randomize(model, rng);
        const plan = createForwardPlan(model);
        try {
          const outShape = model.outputs[0]!.shape.slice(1) as number[];
          expect(plan.outputSize).toBe(outShape.reduce((a, b) => a * b, 1));
          const per = stack.input[0] * stack.input[1] * stack.input[2];
          // Batch 3 grows the plan's buffers; batch 2 then reuses them with tables of its own. Half zeros: every
          // layer by GEMM; 90% zeros: a first layer with stride 1 and filters a multiple of 16 runs from its input's
          // non-zeros.
          const first = stack.convs[0]!;
          const scatters = (first.strides ?? 1) === 1 && first.filters % 16 === 0;
          let sparse = 0;
          for (const zeros of [0.5, 0.9]) {
            for (const batch of [1, 3, 2, 1]) {
              const input = randomArray(rng, batch * per, zeros);
              const ref = await cpuPredict(model, input, [batch, ...stack.input]);
              const got = plan.predict(input, batch);
              expect(got.length).toBe(ref.length);
              expect(relError(got, ref)).toBeLessThan(1e-4);
              expect(plan.sparseCalls - sparse).toBe(scatters && zeros === 0.9 ? 1 : 0);
              sparse = plan.sparseCalls;
            }
          }
        } finally {
          plan.dispose();
          model.dispose();
        }
      });
    }
  }

  it('runs a flat tail (Flatten, a custom elementwise layer, Softmax) in JS', async () => {
    const rng = new Rng(5);
    const input: [number, number, number] = [7, 7, 6];
    const bias = randomArray(rng, 49);
    // The custom layer stands for an app's own layer: here a Dense-free per-point bias done by a tfjs op.
    class AddConst extends tf.layers.Layer {
      static readonly className = 'AddConstForPlanTest';
      override call(x: tf.Tensor | tf.Tensor[]): tf.Tensor {
        return tf.add(Array.isArray(x) ? x[0]! : x, tf.tensor(bias));
      }
      override getClassName(): string {
        return AddConst.className;
      }
    }
    const model = convStack(
      input,
      [
        { filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' },
        { filters: 1, kernelSize: 1, padding: 'same', activation: 'linear' },
      ],
      [tf.layers.flatten(), new AddConst({}), tf.layers.softmax()],
    );
    randomize(model, rng);
    const plan = createForwardPlan(model, {
      custom: {
        [AddConst.className]: () => (x, batch, size) => {
          for (let i = 0; i < batch * size; i++) x[i]! += bias[i % size]!;
        },
      },
    });
    try {
      const x = randomArray(rng, 2 * 49 * 6);
      const ref = await cpuPredict(model, x, [2, ...input]);
      const got = plan.predict(x, 2);
      expect(relError(got, ref)).toBeLessThan(1e-4);
      expect(got.slice(0, 49).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    } finally {
      plan.dispose();
      model.dispose();
    }
  });

  it('names the layer it cannot run', () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, padding: 'same' }),
        tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      ],
    });
    expect(() => createForwardPlan(model)).toThrow(ForwardPlanUnsupported);
    expect(() => createForwardPlan(model)).toThrow(/'pool' \(MaxPooling2D\)/);
    const tanh = convStack([5, 5, 2], [{ filters: 2, kernelSize: 3, padding: 'same', activation: 'tanh' as 'relu' }]);
    expect(() => createForwardPlan(tanh)).toThrow(/activation "tanh"/);
    model.dispose();
    tanh.dispose();
  });

  it('refuses when core kernels are off, on another backend, or when switched off', async () => {
    const model = convStack([5, 5, 2], [{ filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' }]);
    setCoreKernelBuild('off');
    expect(() => createForwardPlan(model)).toThrow(/CNN_LAB_WASM_KERNELS=off/);
    setCoreKernelBuild(build);
    await tf.setBackend('cpu');
    expect(() => createForwardPlan(model)).toThrow(/not wasm/);
    await tf.setBackend('wasm');
    process.env['CNN_LAB_FORWARD_PLAN'] = 'off';
    try {
      expect(() => createForwardPlan(model)).toThrow(/CNN_LAB_FORWARD_PLAN=off/);
    } finally {
      delete process.env['CNN_LAB_FORWARD_PLAN'];
    }
    const plan = createForwardPlan(model);
    expect(() => plan.predict(new Float32Array(10), 1)).toThrow(RangeError);
    plan.dispose();
    expect(() => plan.predict(new Float32Array(50), 1)).toThrow(/after dispose/);
    model.dispose();
  });
});
