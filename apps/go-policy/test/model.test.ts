import * as tf from '@tensorflow/tfjs';
import { initBackend } from '@cnn-lab/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { PolicyScorer } from '../src/model/evaluate.js';
import { buildPolicyNet } from '../src/model/policy.js';

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
});

/** Parameters of the paper's net with k filters and L layers, counted by hand. */
function paperParams(planes: number, k: number, layers: number): number {
  const first = 5 * 5 * planes * k + k;
  const hidden = (layers - 2) * (3 * 3 * k * k + k);
  const head = k * 1 + 361; // 1x1 conv without bias, then one bias per point
  return first + hidden + head;
}

describe('buildPolicyNet', () => {
  it("builds AlphaGo's 192 filters x 13 layers with the paper's parameter count", () => {
    const net = buildPolicyNet({ filters: 192, layers: 13 });
    expect(net.inputs[0]?.shape).toEqual([null, 19, 19, 48]);
    expect(net.outputs[0]?.shape).toEqual([null, 361]);
    expect(net.countParams()).toBe(paperParams(48, 192, 13));
    // 1 5x5 conv, 11 3x3 convs, the 1x1 head: no pooling, no dense layers.
    const kinds = net.layers.map((l) => l.getClassName());
    expect(kinds.filter((k) => k === 'Conv2D')).toHaveLength(13);
    expect(kinds.some((k) => /Pool|Dense/.test(k))).toBe(false);
    net.dispose();
  });

  it('keeps 19x19 through every layer (zero padding) and outputs a distribution over the 361 points', () => {
    const net = buildPolicyNet({ planes: 4, filters: 8, layers: 4 });
    for (const l of net.layers.filter((x) => x.getClassName() === 'Conv2D')) {
      expect((l.outputShape as number[]).slice(1, 3)).toEqual([19, 19]);
    }
    const p = tf.tidy(() => net.predict(tf.randomUniform([3, 19, 19, 4])) as tf.Tensor);
    const sums = p.sum(1).arraySync() as number[];
    for (const s of sums) expect(s).toBeCloseTo(1, 5);
    expect(p.shape).toEqual([3, 361]);
    p.dispose();
    net.dispose();
  });

  it('has a separate trainable bias per point after a 1x1 conv without bias', () => {
    const net = buildPolicyNet({ planes: 2, filters: 4, layers: 2 });
    const head = net.getLayer('conv1x1');
    expect(head.getWeights()).toHaveLength(1);
    const bias = net.getLayer('per_point_bias').getWeights();
    expect(bias.map((w) => w.shape)).toEqual([[361]]);
    net.dispose();
  });

  it('round-trips through its JSON topology (so workers and saved models rebuild it)', async () => {
    const net = buildPolicyNet({ planes: 2, filters: 4, layers: 3 });
    const json = net.toJSON(undefined, false);
    const again = await tf.models.modelFromJSON({ modelTopology: json as tf.io.ModelJSON['modelTopology'] } as never);
    expect(again.countParams()).toBe(net.countParams());
    net.dispose();
    again.dispose();
  });

  it('rejects sizes it cannot build, naming the option', () => {
    expect(() => buildPolicyNet({ filters: 0, layers: 5 })).toThrow(/filters/);
    expect(() => buildPolicyNet({ filters: 8, layers: 1 })).toThrow(/layers must be an integer >= 2/);
  });
});

describe('PolicyScorer', () => {
  it('counts top-1, top-5, log-loss and accuracy by move number', () => {
    const s = new PolicyScorer();
    const probs = new Float32Array(3 * 361).fill(0.001);
    // Example 0: target 7 is the most probable (top-1). Example 1: target 9 is 3rd (top-5 only).
    // Example 2: target 11 is below 6 others (a miss).
    probs[7] = 0.5;
    probs[361 + 1] = 0.4;
    probs[361 + 2] = 0.3;
    probs[361 + 9] = 0.2;
    for (let j = 0; j < 6; j++) probs[722 + 100 + j] = 0.1;
    probs[722 + 11] = 0.05;
    s.add(probs, Int32Array.from([7, 9, 11]), Int32Array.from([1, 30, 260]));
    const r = s.result();
    expect(r.positions).toBe(3);
    expect(r.top1).toBeCloseTo(1 / 3);
    expect(r.top5).toBeCloseTo(2 / 3);
    expect(r.logLoss).toBeCloseTo(-(Math.log(0.5) + Math.log(0.2) + Math.log(0.05)) / 3, 5);
    const stage = Object.fromEntries(r.byMoveNumber.map((b) => [b.moves, b]));
    expect(stage['1-20']).toMatchObject({ positions: 1, top1: 1 });
    expect(stage['21-50']).toMatchObject({ positions: 1, top1: 0, top5: 1 });
    expect(stage['251+']).toMatchObject({ positions: 1, top1: 0, top5: 0 });
  });
});
