// Symmetry averaging at play time, an experiment (src/experiments/symmetric-policy.ts).
import type * as tf from '@tensorflow/tfjs';
import { initBackend, withSeed } from '@cnn-lab/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLACK, Board, WHITE, type Player } from '../src/board/index.js';
import { planesOf } from '../src/data/positions.js';
import { symmetryTable } from '../src/features/index.js';
import { buildPolicyNet } from '../src/model/policy.js';
import { networkPolicy } from '../src/model/predict.js';
import { averageOverSymmetries, symmetricPolicy } from '../src/experiments/symmetric-policy.js';

let model: tf.LayersModel;

beforeAll(async () => {
  await initBackend({ backend: 'wasm', quiet: true });
  // A tiny random net: what is tested is the mapping, which must hold for any weights.
  model = withSeed(5, () => buildPolicyNet({ planes: planesOf('alphago'), filters: 4, layers: 3 }));
});

afterAll(() => model.dispose());

/** A 19x19 game of a few moves, each point mapped by `map`. */
function game(map: (p: number) => number): Board {
  const b = new Board(19);
  const moves: [number, number, Player][] = [
    [3, 3, BLACK],
    [3, 15, WHITE],
    [15, 3, BLACK],
    [16, 16, WHITE],
    [2, 5, BLACK],
    [4, 3, WHITE],
    [3, 4, BLACK],
  ];
  for (const [r, c, colour] of moves) b.play(map(b.point(r, c)), colour);
  return b;
}

describe('averageOverSymmetries', () => {
  it("maps each symmetry's output back to the board's own points", () => {
    const n = 5;
    const p0 = 7;
    const probs = new Float32Array(8 * n * n);
    for (let s = 0; s < 8; s++) probs[s * n * n + symmetryTable(s, n)[p0]!] = 1;
    const avg = averageOverSymmetries(probs, 8, n);
    expect(avg[p0]).toBeCloseTo(1, 6);
    expect(avg.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    expect(() => averageOverSymmetries(probs, 4, n)).toThrow(/expected 4 x 25/);
  });
});

describe('symmetricPolicy', () => {
  it('with one symmetry is the plain network policy', async () => {
    const b = game((p) => p);
    const plain = await networkPolicy(model, 'alphago')(b, BLACK);
    const one = await symmetricPolicy(model, 'alphago', 1)(b, BLACK);
    for (let p = 0; p < 361; p++) expect(one[p]).toBeCloseTo(plain[p]!, 6);
  });

  it('averaged over all 8 is itself symmetric: rotating the board rotates the policy', async () => {
    const policy = symmetricPolicy(model, 'alphago');
    const t = symmetryTable(1, 19);
    const a = await policy(
      game((p) => p),
      BLACK,
    );
    const b = await policy(
      game((p) => t[p]!),
      BLACK,
    );
    expect(a.reduce((x, y) => x + y, 0)).toBeCloseTo(1, 4);
    for (let p = 0; p < 361; p++) expect(b[t[p]!]).toBeCloseTo(a[p]!, 5);
    // The plain net, with random weights, is not.
    const plainA = await networkPolicy(model, 'alphago')(
      game((p) => p),
      BLACK,
    );
    const plainB = await networkPolicy(model, 'alphago')(
      game((p) => t[p]!),
      BLACK,
    );
    const worst = Math.max(...Array.from({ length: 361 }, (_, p) => Math.abs(plainB[t[p]!]! - plainA[p]!)));
    expect(worst).toBeGreaterThan(1e-4);
  });
});
