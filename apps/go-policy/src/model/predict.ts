import * as tf from '@tensorflow/tfjs';
import { formatVertex, type Board, type Player } from '../board/index.js';
import { encodeBoard, planeCount, type FeatureSetName } from '../features/index.js';
import type { Policy } from '../play/engine.js';

/**
 * The network as a Policy: the planes of the board seen from `player`, one forward pass, the 361
 * probabilities. Raw: illegal points are masked by whoever chooses the move.
 */
export function networkPolicy(model: tf.LayersModel, featureSet: FeatureSetName): Policy {
  const planes = planeCount(featureSet);
  const input = new Float32Array(361 * planes);
  return (board: Board, player: Player): Float32Array => {
    encodeForPlayer(board, player, featureSet, input);
    return tf
      .tidy(() => {
        const out = model.predict(tf.tensor4d(input, [1, 19, 19, planes])) as tf.Tensor;
        return out.dataSync() as Float32Array;
      })
      .slice();
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
