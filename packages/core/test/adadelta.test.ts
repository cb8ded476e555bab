import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer, ZeilerAdadelta } from '../src/train/index.js';

// The update rule is backend-independent; cpu needs no wasm start-up.
beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Zeiler's update for one weight from zero state: -(sqrt(eps) / sqrt((1 - rho) g^2 + eps)) g. */
const firstStep = (g: number, rho: number, eps: number) => -(Math.sqrt(eps) / Math.sqrt((1 - rho) * g * g + eps)) * g;

describe('Adadelta (Zeiler 2012)', () => {
  it('divides by the RMS of the gradients including the current one, from the first step', () => {
    const v = tf.variable(tf.tensor1d([1, 1]));
    const opt = new ZeilerAdadelta(1, 0.95, 1e-6);
    const g = [0.5, -2];
    opt.applyGradients({ [v.name]: tf.tensor1d(g) });
    const got = Array.from(v.dataSync());
    got.forEach((x, i) => expect(x).toBeCloseTo(1 + firstStep(g[i] as number, 0.95, 1e-6), 6));
    // The first step is tiny (about sqrt(eps / (1 - rho)) per weight), not a plain SGD step of size |g|.
    for (const x of got) expect(Math.abs(x - 1)).toBeLessThan(0.005);
    opt.applyGradients({ [v.name]: tf.tensor1d(g) });
    expect(Array.from(v.dataSync()).every((x, i) => Math.abs(x - 1) > Math.abs((got[i] as number) - 1))).toBe(true);
    v.dispose();
    opt.dispose();
  });

  it("is what createOptimizer('adadelta') gives, with its rho, epsilon and learning rate", () => {
    const opt = createOptimizer({ name: 'adadelta', learningRate: 0.5, rho: 0.9, epsilon: 1e-4 });
    expect(opt).toBeInstanceOf(ZeilerAdadelta);
    const v = tf.variable(tf.scalar(0));
    opt.applyGradients({ [v.name]: tf.scalar(3) });
    expect(v.dataSync()[0]).toBeCloseTo(0.5 * firstStep(3, 0.9, 1e-4), 6);
    v.dispose();
    opt.dispose();
  });

  it('saves and restores its accumulators under tfjs names, so a resumed run continues the same steps', async () => {
    const make = () => tf.variable(tf.tensor1d([1, -1]), true, `w${Math.random()}`);
    const a = make();
    const optA = new ZeilerAdadelta(1, 0.95, 1e-6);
    for (const g of [
      [0.3, -0.1],
      [0.2, 0.4],
    ])
      optA.applyGradients({ [a.name]: tf.tensor1d(g) });
    const saved = await optA.getWeights();
    expect(saved.map((w) => w.name.replace(a.name, 'W'))).toEqual(['iter', 'W/accum_grad', 'W/accum_var']);

    const b = tf.variable(a.clone(), true, `w${Math.random()}`);
    const optB = new ZeilerAdadelta(1, 0.95, 1e-6);
    await optB.setWeights(saved.map((w) => ({ name: w.name.replace(a.name, b.name), tensor: w.tensor })));
    optA.applyGradients({ [a.name]: tf.tensor1d([0.5, 0.5]) });
    optB.applyGradients({ [b.name]: tf.tensor1d([0.5, 0.5]) });
    Array.from(b.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(a.dataSync()[i] as number, 7));
    tf.dispose([a, b]);
  });
});
