// Experiment, not used by the shipped engine: the network's policy averaged over the 8 symmetries of the
// board (as AlphaGo does at play time). The planes are computed once, mapped 8 ways, and run as one batch
// of 8, so a net that learned a shape in one orientation better than in another gets the benefit of all
// of them. Against GNU Go it won no more games than the plain policy for 8 times the forward-pass cost.
import type * as tf from '@tensorflow/tfjs';
import type { Board, Player } from '../board/index.js';
import { SYMMETRIES, planeCount, symmetryTable, transformPlanes, type FeatureSetName } from '../features/index.js';
import { batchForward, encodeForPlayer } from '../model/predict.js';
import type { Policy } from '../play/engine.js';

/**
 * Average of `probs` ([count, area], the network's output on each symmetry's image of the board) mapped
 * back to the board's own points: the probability of point p under symmetry s sits at s's image of p.
 */
export function averageOverSymmetries(probs: Float32Array, count: number, size: number): Float32Array {
  const area = size * size;
  if (probs.length !== count * area)
    throw new RangeError(`expected ${count} x ${area} probabilities, got ${probs.length}`);
  const out = new Float32Array(area);
  for (let s = 0; s < count; s++) {
    const t = symmetryTable(s, size);
    for (let p = 0; p < area; p++) out[p]! += probs[s * area + t[p]!]!;
  }
  for (let p = 0; p < area; p++) out[p]! /= count;
  return out;
}

/** A Policy that runs `model` on the first `count` symmetries (8: all of them) in one batch and averages. */
export function symmetricPolicy(model: tf.LayersModel, featureSet: FeatureSetName, count = SYMMETRIES): Policy {
  if (!Number.isInteger(count) || count < 1 || count > SYMMETRIES)
    throw new RangeError(`symmetries must be 1-${SYMMETRIES}, got ${count}`);
  const planes = planeCount(featureSet);
  const one = new Float32Array(361 * planes);
  const batch = new Float32Array(count * 361 * planes);
  const forward = batchForward(model, planes);
  return (board: Board, player: Player): Float32Array => {
    encodeForPlayer(board, player, featureSet, one);
    for (let s = 0; s < count; s++) transformPlanes(one, s, 19, planes, batch, 0, s * 361 * planes);
    return averageOverSymmetries(forward(batch, count).slice(0, count * 361), count, 19);
  };
}
