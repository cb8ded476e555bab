// One SGF game -> training examples: the planes of every position before a non-pass move, seen from
// the player to move, with the point that was played as the target (AlphaGo does not train on passes).
import { PASS } from '../board/index.js';
import {
  FEATURE_SET_NAMES,
  encodeBoard,
  isFeatureSetName,
  planeCount,
  transformMove,
  transformPlanes,
  type FeatureSetName,
} from '../features/index.js';
import { readSgf, replay } from '../sgf/index.js';

export { FEATURE_SET_NAMES as FEATURE_SETS, type FeatureSetName };

const POINTS = 361;

/** Planes per point of a feature set; throws naming the set when it is unknown. */
export function planesOf(set: string): number {
  if (!isFeatureSetName(set))
    throw new RangeError(`unknown feature set '${set}' (expected one of ${FEATURE_SET_NAMES.join(', ')})`);
  return planeCount(set);
}

/** The examples of one game: `count` positions, planes NHWC (361 x planes bytes each). */
export interface Encoded {
  planes: Uint8Array;
  moves: Int32Array;
  moveNumbers: Int32Array;
  count: number;
}

/** A game that cannot be used, with the reader's reason ("truncated", "board-size", ...). */
export class SkippedGame extends Error {
  override name = 'SkippedGame';
  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super(`${reason}: ${detail}`);
  }
}

export interface EncodeGameOptions {
  featureSet: string;
  /** Which of the 8 symmetries to apply to the next example (0 = identity). */
  symmetry: () => number;
}

/** Encodes every non-pass move of a game; throws SkippedGame for a record that is not a usable 19x19 game. */
export function encodeGame(content: string | Uint8Array, file: string, opts: EncodeGameOptions): Encoded {
  const set = opts.featureSet;
  if (!isFeatureSetName(set)) throw new RangeError(`unknown feature set '${set}'`);
  const read = readSgf(content, { size: 19 });
  if (!read.ok) throw new SkippedGame(read.reason, `${file}: ${read.detail}`);
  const P = planeCount(set);
  const per = POINTS * P;
  const targets = read.game.moves.filter((m) => m.move !== PASS).length;
  const planes = new Uint8Array(targets * per);
  const moves = new Int32Array(targets);
  const moveNumbers = new Int32Array(targets);
  const scratch = new Uint8Array(per);
  let n = 0;
  replay(read.game, (board, move, index) => {
    if (move.move === PASS) return;
    const s = opts.symmetry();
    if (s === 0) {
      encodeBoard(board, set, planes, n * per);
      moves[n] = move.move;
    } else {
      encodeBoard(board, set, scratch, 0);
      transformPlanes(scratch, s, 19, P, planes, 0, n * per);
      moves[n] = transformMove(move.move, s, 19);
    }
    moveNumbers[n] = index + 1;
    n++;
  });
  return { planes, moves, moveNumbers, count: n };
}

/** The reason to count a failed game under. */
export function skipReason(err: unknown): string {
  if (err instanceof SkippedGame) return err.reason;
  return `error: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
}
