import * as tf from '@tensorflow/tfjs';
import { createForwardPlan, ForwardPlanUnsupported, type ForwardPlan, type PlanLayerFunction } from '@cnn-lab/core';
import { formatVertex, type Board, type Player } from '../board/index.js';
import { encodeBoard, planeCount, type FeatureSetName } from '../features/index.js';
import type { Policy } from '../play/engine.js';
import { PerPointBias } from './per-point-bias.js';

/** `count` positions of planes (NHWC) in, count x 361 move probabilities out, one forward pass. */
export type BatchForward = (input: Float32Array, count: number) => Float32Array;

export interface ForwardOptions {
  /**
   * Run the net on core's wasm forward plan where it can (default true): the weights packed once, one call into
   * wasm per layer, no tfjs dispatch; model.predict otherwise (another backend, core's kernels off,
   * CNN_LAB_FORWARD_PLAN=off).
   */
  forwardPlan?: boolean;
}

// One plan per model and thread (a plan lives in this thread's wasm heap); null: model.predict.
const plans = new WeakMap<tf.LayersModel, ForwardPlan | null>();

/** The per-point bias as an elementwise step of core's forward plan. */
function perPointBiasStep(layer: tf.layers.Layer): PlanLayerFunction {
  const bias = layer.getWeights()[0]?.dataSync() as Float32Array | undefined;
  if (!bias) throw new ForwardPlanUnsupported(`layer '${layer.name}': no bias weights`);
  return (x, batch, size) => {
    if (size !== bias.length)
      throw new Error(`layer '${layer.name}': a bias of ${bias.length} floats for inputs of ${size}`);
    for (let b = 0; b < batch; b++) for (let i = 0; i < size; i++) x[b * size + i]! += bias[i]!;
  };
}

function planFor(model: tf.LayersModel): ForwardPlan | null {
  let plan = plans.get(model);
  if (plan !== undefined) return plan;
  try {
    plan = createForwardPlan(model, { custom: { [PerPointBias.className]: perPointBiasStep } });
  } catch (err) {
    if (!(err instanceof ForwardPlanUnsupported)) throw err;
    plan = null;
  }
  plans.set(model, plan);
  return plan;
}

/** Whether this thread runs `model` on core's wasm forward plan (makes the plan when it has not yet). */
export function usesForwardPlan(model: tf.LayersModel): boolean {
  return planFor(model) !== null;
}

/**
 * The network's forward pass on a batch of positions, for playing. The plan is made on the first call (the
 * backend must be started by then) and reads the weights once, so it is not for a model still training.
 */
export function batchForward(model: tf.LayersModel, planes: number, opts: ForwardOptions = {}): BatchForward {
  const usePlan = opts.forwardPlan ?? true;
  return (input: Float32Array, count: number): Float32Array => {
    const plan = usePlan ? planFor(model) : null;
    if (plan) return plan.predict(input, count);
    return tf.tidy(() => {
      const x = tf.tensor4d(input.subarray(0, count * 361 * planes), [count, 19, 19, planes]);
      return (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
    });
  };
}

/**
 * The network as a Policy: the planes of the board seen from `player`, one forward pass, the 361
 * probabilities. Raw: illegal points are masked by whoever chooses the move.
 */
export function networkPolicy(model: tf.LayersModel, featureSet: FeatureSetName, opts: ForwardOptions = {}): Policy {
  const planes = planeCount(featureSet);
  const input = new Float32Array(361 * planes);
  const forward = batchForward(model, planes, opts);
  return (board: Board, player: Player): Float32Array => {
    encodeForPlayer(board, player, featureSet, input);
    return forward(input, 1).slice(0, 361);
  };
}

/**
 * The network's input planes for a 19x19 board seen from `player`, who may not be the side to move
 * (GTP's genmove names the colour), written into `out`; the board is left as it was.
 */
export function encodeForPlayer(board: Board, player: Player, featureSet: FeatureSetName, out: Float32Array): void {
  if (board.size !== 19) throw new RangeError(`the network reads 19x19 boards, not ${board.size}x${board.size}`);
  const saved = board.toPlay;
  board.toPlay = player;
  try {
    encodeBoard(board, featureSet, out);
  } finally {
    board.toPlay = saved;
  }
}

export interface RankedMove {
  vertex: string;
  probability: number;
}

/** The k most probable legal points for the side to move, their probabilities renormalised over the legal points. */
export function topMoves(board: Board, probs: Float32Array, k: number): RankedMove[] {
  const legal: number[] = [];
  let total = 0;
  for (let p = 0; p < board.area; p++) {
    if (board.at(p) === 0 && board.isLegal(p, board.toPlay)) {
      legal.push(p);
      total += probs[p] ?? 0;
    }
  }
  return legal
    .sort((a, b) => (probs[b] ?? 0) - (probs[a] ?? 0))
    .slice(0, k)
    .map((p) => ({ vertex: formatVertex(p, board.size), probability: total > 0 ? (probs[p] ?? 0) / total : 0 }));
}
