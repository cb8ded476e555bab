// The policy nets on core's wasm forward plan give what model.predict gives on tfjs's own kernels.
import * as tf from '@tensorflow/tfjs';
import { coreKernelBuild, initBackend, Rng, setCoreKernelBuild } from '@cnn-lab/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BLACK, Board, WHITE, type Player } from '../src/board/index.js';
import { planeCount } from '../src/features/index.js';
import { PLAYING_MODEL_NAME, loadPolicyModel, type LoadedPolicy } from '../src/model/load.js';
import { batchForward, encodeForPlayer, networkPolicy, usesForwardPlan } from '../src/model/predict.js';
import { tfNetEvaluator } from '../src/search/net.js';

/** `count` positions after random legal moves (0 to 120 of them), each with the side to move. */
function randomPositions(rng: Rng, count: number): { board: Board; player: Player }[] {
  const out: { board: Board; player: Player }[] = [];
  for (let i = 0; i < count; i++) {
    const board = new Board(19);
    const moves = rng.int(121);
    for (let m = 0; m < moves; m++) {
      const legal = board.legalMoves();
      if (legal.length === 0) break;
      board.play(legal[rng.int(legal.length)]!);
    }
    out.push({ board, player: i % 3 === 2 ? (board.toPlay === BLACK ? WHITE : BLACK) : board.toPlay });
  }
  return out;
}

function maxRelError(got: Float32Array, ref: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < ref.length; i++) {
    worst = Math.max(worst, Math.abs(got[i]! - ref[i]!) / Math.max(Math.abs(ref[i]!), 1e-6));
  }
  return worst;
}

/**
 * model.predict on tfjs's own kernels: the cpu backend for the small net; for the 12 x 128 net, whose forward
 * pass takes seconds there, wasm with core's kernels off (tfjs-wasm's XNNPACK, a separate implementation).
 */
async function reference(model: tf.LayersModel, input: Float32Array, count: number, planes: number, cpu: boolean) {
  const build = coreKernelBuild();
  if (cpu) await tf.setBackend('cpu');
  else setCoreKernelBuild('off');
  try {
    return tf.tidy(
      () => (model.predict(tf.tensor4d(input, [count, 19, 19, planes])) as tf.Tensor).dataSync() as Float32Array,
    );
  } finally {
    await tf.setBackend('wasm');
    setCoreKernelBuild(build);
  }
}

describe.each([['default'], [PLAYING_MODEL_NAME]] as const)('the %s net on the forward plan', (name) => {
  let loaded: LoadedPolicy;
  const build = coreKernelBuild();
  beforeAll(async () => {
    await initBackend({ backend: 'wasm', quiet: true });
    loaded = await loadPolicyModel(undefined, name);
  });
  afterEach(() => setCoreKernelBuild(build));

  it('runs on the plan (wasm, core kernels on)', () => {
    expect(build).not.toBe('off');
    expect(usesForwardPlan(loaded.model)).toBe(true);
  });

  it('gives what model.predict gives on tfjs kernels, one position at a time (within 1e-4)', async () => {
    const { model, meta } = loaded;
    const policy = networkPolicy(model, meta.featureSet);
    const input = new Float32Array(361 * meta.planes);
    for (const { board, player } of randomPositions(new Rng(11), 6)) {
      const got = policy(board, player) as Float32Array;
      encodeForPlayer(board, player, meta.featureSet, input);
      const ref = await reference(model, input, 1, meta.planes, name === 'default');
      expect(got.length).toBe(361);
      expect(maxRelError(got, ref)).toBeLessThan(1e-4);
      expect(got.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
  });

  it('gives what model.predict gives on tfjs kernels, on search batches of 5, 16 and 1', async () => {
    const { model, meta } = loaded;
    const planes = planeCount(meta.featureSet);
    const net = tfNetEvaluator(model, planes);
    const rng = new Rng(12);
    for (const count of [5, 16, 1]) {
      const input = new Float32Array(count * 361 * planes);
      randomPositions(rng, count).forEach(({ board, player }, i) =>
        encodeForPlayer(board, player, meta.featureSet, input.subarray(i * 361 * planes)),
      );
      const got = net(input, count);
      const ref = await reference(model, input, count, planes, name === 'default');
      expect(got.length).toBe(count * 361);
      expect(maxRelError(got, ref)).toBeLessThan(1e-4);
    }
  });

  it('falls back to model.predict when asked to, with the same result', () => {
    const { model, meta } = loaded;
    const planes = planeCount(meta.featureSet);
    const input = new Float32Array(2 * 361 * planes);
    randomPositions(new Rng(13), 2).forEach(({ board, player }, i) =>
      encodeForPlayer(board, player, meta.featureSet, input.subarray(i * 361 * planes)),
    );
    const plan = batchForward(model, planes)(input, 2);
    const predict = batchForward(model, planes, { forwardPlan: false })(input, 2);
    expect(maxRelError(plan, predict)).toBeLessThan(1e-4);
  });
});
