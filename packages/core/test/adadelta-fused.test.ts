import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CORE_KERNEL_BUILDS,
  coreKernelBuild,
  coreKernelBuildAvailable,
  initBackend,
  setCoreKernelBuild,
} from '../src/backend/index.js';
import { ZeilerAdadelta, zeilerStepFused, zeilerStepOps } from '../src/train/adadelta.js';
import { Rng } from '../src/util/random.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

describe("Zeiler's Adadelta in one pass (wasm)", () => {
  it.each(CORE_KERNEL_BUILDS)(
    '%s build: the tensor ops’ values bit for bit, over many steps and magnitudes',
    (build) => {
      if (!coreKernelBuildAvailable(build)) return;
      const was = coreKernelBuild();
      setCoreKernelBuild(build);
      const rng = new Rng(7);
      const n = 1003;
      const init = Float32Array.from({ length: n }, () => rng.normal() * 0.1);
      const make = () => ({
        value: tf.variable(tf.tensor1d(init)),
        accGrad: tf.variable(tf.zeros([n]), false),
        accUpdate: tf.variable(tf.zeros([n]), false),
      });
      const ops = make();
      const fused = make();
      for (let step = 0; step < 30; step++) {
        // Gradients from 1e-8 to 1e3, some exactly zero.
        const g = tf.tensor1d(
          Float32Array.from({ length: n }, (_, k) => (k % 17 === 0 ? 0 : rng.normal() * 10 ** ((k % 12) - 8))),
        );
        zeilerStepOps(ops.value, g, ops.accGrad, ops.accUpdate, 0.95, 1e-6, 1);
        zeilerStepFused(fused.value, g, fused.accGrad, fused.accUpdate, 0.95, 1e-6, 1);
        g.dispose();
      }
      for (const key of ['value', 'accGrad', 'accUpdate'] as const) {
        const a = new Uint32Array((ops[key].dataSync() as Float32Array).slice().buffer);
        const b = new Uint32Array((fused[key].dataSync() as Float32Array).slice().buffer);
        expect(Array.from(b)).toEqual(Array.from(a));
      }
      setCoreKernelBuild(was);
    },
  );

  it('leaves a clone of the weights (the best epoch’s) as it was, and gives the variable a new dataId', () => {
    const v = tf.variable(tf.tensor2d([1, 2, 3, 4], [2, 2]));
    const best = tf.clone(v);
    const before = v.dataId;
    const opt = new ZeilerAdadelta(1, 0.95, 1e-6);
    opt.applyGradients({ [v.name]: tf.tensor2d([1, -1, 0.5, 0], [2, 2]) });
    expect(v.dataId).not.toBe(before);
    expect(Array.from(best.dataSync())).toEqual([1, 2, 3, 4]);
    expect(Array.from(v.dataSync())).not.toEqual([1, 2, 3, 4]);
    tf.dispose([v, best]);
    opt.dispose();
  });
});
